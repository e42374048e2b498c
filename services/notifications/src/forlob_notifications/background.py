"""The service's own running parts, started with its runtime: the change listener, the
dispatchers and the escalation sweep. The loops only call application functions with the
clock's ``now``; tests call the same functions with a moved clock."""

from __future__ import annotations

import asyncio

import httpx

from forlob_notifications.application.alerts import run_due_rules
from forlob_notifications.application.dispatch import dispatch_due
from forlob_notifications.application.subscriptions import drop_expired_secrets
from forlob_notifications.channels.email import SmtpSender
from forlob_notifications.channels.senders import ChannelSenders
from forlob_notifications.channels.targets import checked_transport
from forlob_notifications.channels.webhook import WebhookSender
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.runtime import NotificationsRuntime
from forlob_notifications.settings import NotificationsSettings
from forlob_notifications.wiring import Wiring
from forlob_shared.background import pause, pause_unless_woken
from forlob_shared.logging import get_logger
from forlob_shared.redaction import describe_error
from forlob_shared.runtime import Background

log = get_logger("forlob.notifications")


def background() -> list[Background[NotificationsUnitOfWork, NotificationsSettings, Wiring]]:
    return [
        Background("change-listener", _listen),
        Background("dispatchers", _dispatch, enabled=_loops_enabled),
        Background("escalation-sweep", _rules, enabled=_loops_enabled),
    ]


def _loops_enabled(settings: NotificationsSettings) -> bool:
    return settings.background_tasks


async def _listen(runtime: NotificationsRuntime) -> None:
    await runtime.parts.listener.run(runtime.stopping)


async def _dispatch(runtime: NotificationsRuntime) -> None:
    """The channel senders, and ``dispatch_workers`` loops over them: one claims while another records."""
    settings = runtime.settings
    # Every webhook connection goes to a resolved and checked address (channels/targets.py).
    transport = checked_transport(allow_private=settings.webhook_allow_private_targets)
    async with httpx.AsyncClient(
        timeout=settings.webhook_timeout, follow_redirects=False, trust_env=False, transport=transport
    ) as client:
        smtp = SmtpSender(settings)
        senders = ChannelSenders(smtp, WebhookSender(client))
        try:
            await asyncio.gather(*(_dispatcher(runtime, senders) for _ in range(settings.dispatch_workers)))
        finally:
            await smtp.close()


async def _dispatcher(runtime: NotificationsRuntime, senders: ChannelSenders) -> None:
    options, settings = runtime.parts.options, runtime.settings
    wake = runtime.parts.listener.deliveries_waiting
    failures = 0
    while not runtime.stopping.is_set():
        wake.clear()
        try:
            result = await dispatch_due(
                runtime.uow, senders, options, runtime.clock.now(), concurrency=settings.dispatch_concurrency
            )
            failures = 0
        except Exception as exc:  # noqa: BLE001  (database away: keep trying, deliveries wait)
            failures += 1
            log.warning("dispatcher.round_failed", error=describe_error(exc), failures=failures)
            await pause(runtime.stopping, min(30.0, 0.5 * 2**failures))
            continue
        if result.attempted < options.batch_size:
            # New deliveries wake it at once (NOTIFY); the poll is the fallback.
            await pause_unless_woken(runtime.stopping, wake, settings.dispatch_poll_interval)


async def _rules(runtime: NotificationsRuntime) -> None:
    while not runtime.stopping.is_set():
        try:
            await run_due_rules(runtime.uow, runtime.parts.options, runtime.clock.now())
            await drop_expired_secrets(runtime.uow(), runtime.clock.now())
        except Exception as exc:  # noqa: BLE001
            log.warning("rules.sweep_failed", error=describe_error(exc))
        await pause(runtime.stopping, runtime.settings.rules_interval)

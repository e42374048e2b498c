"""The service's own running parts, started in its lifespan: the change listener, the dispatcher
and the escalation sweep. Both loops only call application functions with the clock's ``now``;
tests call the same functions with a moved clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI

from forlob_notifications.application.alerts import run_due_rules
from forlob_notifications.application.dispatch import dispatch_due
from forlob_notifications.application.options import Options
from forlob_notifications.application.subscriptions import drop_expired_secrets
from forlob_notifications.channels.email import SmtpSender
from forlob_notifications.channels.listener import ChangeListener
from forlob_notifications.channels.senders import ChannelSenders
from forlob_notifications.channels.targets import checked_transport
from forlob_notifications.channels.webhook import WebhookSender
from forlob_notifications.settings import NotificationsSettings
from forlob_notifications.wiring import Wiring
from forlob_shared.logging import get_logger
from forlob_shared.redaction import describe_error

log = get_logger("forlob.notifications")


def background_router(wiring: Wiring) -> APIRouter:
    """A router without routes whose lifespan runs after the shared one has built the runtime."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime: Any = app.state.runtime
        settings: NotificationsSettings = runtime.settings
        wiring.options = Options.of(settings)
        wiring.listener = listener = ChangeListener(settings.asyncpg_dsn)
        # Every webhook connection goes to a resolved and checked address (channels/targets.py).
        transport = checked_transport(allow_private=settings.webhook_allow_private_targets)
        async with httpx.AsyncClient(
            timeout=settings.webhook_timeout, follow_redirects=False, trust_env=False, transport=transport
        ) as client:
            smtp = SmtpSender(settings)
            wiring.senders = senders = ChannelSenders(smtp, WebhookSender(client))
            app.state.notifications = wiring
            tasks = [asyncio.create_task(listener.run(runtime.stopping), name="change-listener")]
            if settings.background_tasks:
                tasks += [
                    asyncio.create_task(
                        _dispatcher(runtime, wiring, listener, senders, settings), name=f"dispatcher-{n}"
                    )
                    for n in range(settings.dispatch_workers)
                ]
                tasks += [
                    asyncio.create_task(_rules(runtime, wiring, settings), name="escalation-sweep"),
                ]
            try:
                yield
            finally:
                runtime.stopping.set()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await smtp.close()

    return APIRouter(lifespan=lifespan)


async def _dispatcher(
    runtime: Any, wiring: Wiring, listener: ChangeListener, senders: ChannelSenders, settings: NotificationsSettings
) -> None:
    wake = listener.deliveries_waiting
    failures = 0
    while not runtime.stopping.is_set():
        wake.clear()
        try:
            result = await dispatch_due(
                runtime.uow,
                senders,
                wiring.options,
                runtime.clock.now(),
                concurrency=settings.dispatch_concurrency,
            )
            failures = 0
        except Exception as exc:  # noqa: BLE001  (database away: keep trying, deliveries wait)
            failures += 1
            log.warning("dispatcher.round_failed", error=describe_error(exc), failures=failures)
            await _pause(runtime.stopping, min(30.0, 0.5 * 2**failures))
            continue
        if result.attempted < wiring.options.batch_size:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=settings.dispatch_poll_interval)


async def _rules(runtime: Any, wiring: Wiring, settings: NotificationsSettings) -> None:
    while not runtime.stopping.is_set():
        try:
            await run_due_rules(runtime.uow, wiring.options, runtime.clock.now())
            await drop_expired_secrets(runtime.uow(), runtime.clock.now())
        except Exception as exc:  # noqa: BLE001
            log.warning("rules.sweep_failed", error=describe_error(exc))
        await _pause(runtime.stopping, settings.rules_interval)


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)

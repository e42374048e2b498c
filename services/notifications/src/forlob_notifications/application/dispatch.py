"""Send what is due, outside any transaction, and record every attempt.

One round: claim due deliveries (a short transaction that leases them, so replicas never send
the same one at once), send them concurrently, then record every outcome in one transaction
with the events that report it (the round's deliveries in one statement, its attempts in
another). A crash between sending and recording means the lease runs out and the delivery is
sent again with the same id, which the receiver uses to drop the duplicate.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from opentelemetry.trace import SpanKind, Status, StatusCode

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import Claimed, NotificationsUnit
from forlob_notifications.domain import content
from forlob_notifications.domain.alerts import Alert, AlertKind, new_alert_id
from forlob_notifications.domain.deliveries import (
    AttemptOutcome,
    Channel,
    Delivery,
    Random,
    new_delivery,
    record_attempt,
)
from forlob_notifications.domain.directory import calendar_for
from forlob_notifications.domain.webhooks import Subscription
from forlob_shared.events import NotificationDelivered, NotificationFailed, PendingEvent
from forlob_shared.logging import get_logger
from forlob_shared.messaging.consumer import is_transient
from forlob_shared.redaction import describe_error
from forlob_shared.texts import language_of_country
from forlob_shared.tracing import span_under

log = get_logger("forlob.notifications.dispatch")


class Senders(Protocol):
    async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome: ...

    async def webhook(
        self, url: str, secrets: Sequence[str], delivery_id: str, payload: dict[str, object]
    ) -> AttemptOutcome: ...


@dataclass(frozen=True)
class _Job:
    delivery: Delivery
    until: datetime  # the claim's lease: the round's save is accepted only while it still holds
    address: str | None = None
    subscription: Subscription | None = None


@dataclass(frozen=True)
class DispatchResult:
    attempted: int
    delivered: int


async def dispatch_due(
    uow_factory: Callable[[], NotificationsUnit],
    senders: Senders,
    options: Options,
    now: datetime,
    *,
    concurrency: int = 32,
    rand: Random = random.random,
) -> DispatchResult:
    """``rand`` draws the jitter of the retry gaps (a fixed one in tests)."""
    jobs = await _claim(uow_factory(), options, now)
    if not jobs:
        return DispatchResult(0, 0)
    gate = asyncio.Semaphore(concurrency)

    async def attempt(job: _Job) -> AttemptOutcome:
        async with gate:
            return await _send(senders, job, now)

    outcomes = await asyncio.gather(*(attempt(job) for job in jobs))
    results = list(zip(jobs, outcomes, strict=True))
    # What was sent must be recorded, or the lease runs out and it is sent again: while the
    # database is away, keep trying for as long as the claim would hold.
    deadline = time.monotonic() + options.claim_lease.total_seconds()
    delay = 0.2
    while True:
        try:
            await _record(uow_factory(), options, results, now, rand)
            break
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() + delay > deadline:
                raise
            log.warning("dispatch.record_retry", error=describe_error(exc), sent=len(jobs), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
    return DispatchResult(len(jobs), sum(1 for o in outcomes if o.ok))


async def _claim(uow: NotificationsUnit, options: Options, now: datetime) -> list[_Job]:
    async with uow:
        claims = await uow.deliveries.claim(now, options.claim_lease, options.batch_size)
        claimed = [c.delivery for c in claims]
        emails = [d for d in claimed if d.channel is Channel.EMAIL]
        addresses = await uow.staff.addresses([(d.org, d.recipient) for d in emails])
        hooks = [d for d in claimed if d.channel is Channel.WEBHOOK]
        subscriptions = await uow.subscriptions.many([UUID(d.recipient) for d in hooks])
        await uow.commit()
    return [
        _Job(c.delivery, c.until, address=addresses.get((c.delivery.org, c.delivery.recipient)))
        if c.delivery.channel is Channel.EMAIL
        else _Job(c.delivery, c.until, subscription=subscriptions.get(UUID(c.delivery.recipient)))
        for c in claims
    ]


async def _send(senders: Senders, job: _Job, now: datetime) -> AttemptOutcome:
    """One attempt, in a span of the trace the delivery was queued in (with traces on): the
    e-mail's SMTP conversation, or the webhook's call (httpx's span inside it)."""
    delivery = job.delivery
    email = delivery.channel is Channel.EMAIL
    attributes: dict[str, str | int | bool] = {
        "forlob.delivery.id": str(delivery.id),
        "forlob.delivery.channel": delivery.channel.value,
        "forlob.delivery.attempt": delivery.attempts + 1,
        "forlob.event_type": delivery.event_type,
    }
    kind = SpanKind.CLIENT if email else SpanKind.INTERNAL
    with span_under(
        delivery.traceparent, "smtp send" if email else "webhook deliver", kind=kind, attributes=attributes
    ) as span:
        outcome = await _attempt(senders, job, now)
        if span is not None:
            span.set_attribute("forlob.delivery.outcome", "delivered" if outcome.ok else outcome.error_code)
            if not outcome.ok:
                span.set_status(Status(StatusCode.ERROR, outcome.error_code))
    return outcome


async def _attempt(senders: Senders, job: _Job, now: datetime) -> AttemptOutcome:
    delivery = job.delivery
    if delivery.channel is Channel.EMAIL:
        if not job.address:
            # The directory may get the address later: retried like an outage, not dropped.
            return AttemptOutcome(False, "no-address", "the recipient has no active e-mail address")
        return await senders.email(
            job.address, delivery.content["subject"], delivery.content["body"], f"<{delivery.id}@forlob>"
        )
    subscription = job.subscription
    if subscription is None:
        return AttemptOutcome(False, "subscription-deleted", permanent=True)
    if not subscription.enabled:
        return AttemptOutcome(False, "subscription-disabled", permanent=True)
    secrets = subscription.signing_secrets(now)  # two while a rotation's overlap lasts
    return await senders.webhook(subscription.url, secrets, str(delivery.id), delivery.content)


async def _record(
    uow: NotificationsUnit,
    options: Options,
    results: list[tuple[_Job, AttemptOutcome]],
    now: datetime,
    rand: Random,
) -> None:
    async with uow:
        # The claim (lease) made this sender the only one working on each delivery. Copies: when
        # the database goes away mid-transaction the round records again from the claimed state,
        # and the outcome applied to it twice would find it delivered already.
        applied = []
        for job, outcome in results:
            delivery = dataclasses.replace(job.delivery)
            applied.append((job, outcome, delivery, record_attempt(delivery, outcome, now, rand=rand)))
        # One statement for the round, each delivery under the claim this round holds. One whose
        # lease ran out and was claimed by another round, re-sent by hand or recorded by another
        # round meanwhile is not saved: the round that sends it (again) records its own attempt.
        saved = await uow.deliveries.save_claimed_many(
            [Claimed(delivery, job.until) for job, _, delivery, _ in applied]
        )
        attempts = []
        for job, outcome, delivery, result in applied:
            if delivery.id not in saved:
                # Sent, but its outcome is not this round's to keep: ids only (no recipient).
                log.warning("delivery.claim_lost", delivery_id=str(delivery.id))
                continue
            attempts.append((delivery.id, result.number, outcome))
            if outcome.ok:
                uow.emit(_delivered(delivery, now))
                continue
            log.info(
                "delivery.attempt_failed",
                delivery_id=str(delivery.id),
                channel=delivery.channel.value,
                attempt=result.number,
                error=outcome.error_code,
                final=result.final,
            )
            if result.first_failure or result.final:
                uow.emit(_failed(delivery, outcome, result.final, now))
            if result.final and delivery.channel is Channel.WEBHOOK and job.subscription is not None:
                await _disable(uow, options, job.subscription, outcome, now)
        await uow.deliveries.record_attempts(attempts, now)
        await uow.commit()


async def _disable(
    uow: NotificationsUnit, options: Options, subscription: Subscription, outcome: AttemptOutcome, now: datetime
) -> None:
    """Persistent failure: switch the subscription off and tell its owner (inbox and e-mail)."""
    current = await uow.subscriptions.get(subscription.id)
    if current is None or not current.disable(
        f"deliveries failed for {options.retry_window}: {outcome.error_code}", now
    ):
        return
    await uow.subscriptions.save(current)
    alert = Alert(
        id=new_alert_id(),
        org=current.org,
        kind=AlertKind.WEBHOOK_DISABLED,
        cause_key=f"webhook-disabled:{current.id}:{now.isoformat()}",
        cause_event_id=current.id,
        recipient_staff_id=current.owner_staff_id,
        provider_org=current.org,
        raised_at=now,
        facts={
            "subscription_id": str(current.id),
            "retry_hours": round(options.retry_window.total_seconds() / 3600),
            "error": outcome.error_code,
        },
    )
    await uow.alerts.add(alert)
    uow.emit(alert.raised())
    uow.inbox_changed(alert.org, [alert.recipient_staff_id], alert.id, "raised")
    owner = await uow.staff.get(current.org, current.owner_staff_id)
    if owner is not None and owner.wants("email"):
        await uow.deliveries.add(
            new_delivery(
                org=current.org,
                channel=Channel.EMAIL,
                recipient=owner.staff_id,
                event_type="alert.raised",
                content=content.email(
                    alert,
                    options.web_url,
                    lang=language_of_country(owner.country),
                    zone=calendar_for(owner.country, owner.timezone).zone,
                ),
                now=now,
                retry_window=options.retry_window,
                alert_id=alert.id,
            )
        )
        uow.wake_dispatcher()


def _delivered(delivery: Delivery, now: datetime) -> PendingEvent:
    return PendingEvent(
        data=NotificationDelivered(
            notification_id=delivery.id,
            alert_id=delivery.alert_id,
            org=delivery.org,
            channel=delivery.channel.value,
            attempts=delivery.attempts,
            delivered_at=now,
        ),
        subject=str(delivery.id),
        traceparent=delivery.traceparent,  # in the trace the delivery was queued in
    )


def _failed(delivery: Delivery, outcome: AttemptOutcome, final: bool, now: datetime) -> PendingEvent:
    return PendingEvent(
        data=NotificationFailed(
            notification_id=delivery.id,
            alert_id=delivery.alert_id,
            org=delivery.org,
            channel=delivery.channel.value,
            attempts=delivery.attempts,
            error_code=outcome.error_code or "error",
            final=final,
            failed_at=now,
        ),
        subject=str(delivery.id),
        traceparent=delivery.traceparent,  # in the trace the delivery was queued in
    )

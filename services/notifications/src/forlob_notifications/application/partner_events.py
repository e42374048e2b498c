"""A course's milestones forwarded to the referring organisation's webhooks.

The jobcentre's system hears that its referral was accepted, wait-listed, offered a seat,
started, rescheduled, rejected, withdrawn or ended, signed per Standard Webhooks like every other
delivery and retried the same way. There is no alert behind these: nobody has to act, the
partner just keeps its case up to date. The payload is the event's own data — pseudonymous ids
and codes, nothing more — plus the event id, which partners can use to drop repeats.
"""

from __future__ import annotations

from typing import Any

from forlob_notifications.application.options import Options
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.domain.deliveries import Channel, new_delivery
from forlob_shared.events.envelope import Envelope

# routing key -> the webhook event type a partner subscribes to
FORWARDED = {
    "referral.received.v1": "referral.received",
    "referral.accepted.v1": "referral.accepted",
    "referral.waitlisted.v1": "referral.waitlisted",
    "referral.seat_offered.v1": "referral.seat_offered",
    "referral.rejected.v1": "referral.rejected",
    "referral.withdrawn.v1": "referral.withdrawn",
    "programme.started.v1": "programme.started",
    "programme.rescheduled.v1": "programme.rescheduled",
    # The end is a milestone like the rest (its own data: end date, outcome, first job); the
    # caseworker's closing-note alert beside it is for people and goes by inbox and e-mail.
    "programme.ended.v1": "programme.ended",
}


async def forward_to_referring_org(uow: NotificationsUnitOfWork, options: Options, envelope: Envelope[Any]) -> int:
    """Queue one webhook delivery per subscription that wants this event (in the caller's
    transaction: the caller commits); returns how many."""
    event_type = FORWARDED[envelope.routing_key]
    org: str = envelope.data.referring_org
    wanting = await uow.subscriptions.wanting(org, event_type)
    if not wanting:
        return 0
    now = uow.clock.now()
    payload = {
        "type": event_type,
        "timestamp": now.isoformat(),
        "data": {"event_id": str(envelope.id), **envelope.data.model_dump(mode="json")},
    }
    deliveries = [
        new_delivery(
            org=org,
            channel=Channel.WEBHOOK,
            recipient=str(subscription.id),
            event_type=event_type,
            content=payload,
            now=now,
            retry_window=options.retry_window,
        )
        for subscription in wanting
    ]
    if deliveries:
        await uow.deliveries.add(*deliveries)
        uow.wake_dispatcher()
    return len(deliveries)

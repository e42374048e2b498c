"""An accepted erasure request (``participant.erased.v1``): the participant's alerts and deliveries
go, and the erasure register keeps later events about them from raising new ones."""

from __future__ import annotations

from typing import Any

from forlob_notifications.db.dpo import DpoRecords
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.wiring import Wiring
from forlob_shared.events import Envelope, ParticipantErased
from forlob_shared.messaging.consumer import Subscription


async def on_erased(envelope: Envelope[Any], uow: NotificationsUnitOfWork) -> None:
    data: ParticipantErased = envelope.data
    # Recorded first: from here on an event about the participant raises no alert (skipping_erased).
    await uow.erasures.record(data)
    await DpoRecords(uow.session).erase(data.provider_org, data.participant_id, list(data.referral_ids))


def dpo_subscriptions(wiring: Wiring) -> list[Subscription[NotificationsUnitOfWork]]:
    return [
        Subscription(
            purpose="dpo",
            handlers={ParticipantErased: on_erased},
            description="Erases what it holds about a participant whose erasure the referral service granted.",
        )
    ]

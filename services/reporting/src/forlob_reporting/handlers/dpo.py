"""An accepted erasure request (``participant.erased.v1``): the read model forgets the participant id.

Apart from the read model's projection on purpose: the change is not a fact for the figures, and
it touches every week row of the participant's courses, which a projection's change per row
cannot name. The erasure register it records keeps the id out for good: of events about the
participant that come later, and of every rebuild (:mod:`forlob_reporting.domain.erasure`).
"""

from __future__ import annotations

from typing import Any

from forlob_reporting.application.events import forget_participant
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_shared.events import Envelope, ParticipantErased
from forlob_shared.messaging.consumer import Subscription


async def on_erased(envelope: Envelope[Any], uow: ReportingUnitOfWork) -> None:
    await forget_participant(uow, envelope.data)


def dpo_subscriptions() -> list[Subscription[ReportingUnitOfWork]]:
    return [
        Subscription(
            purpose="dpo",
            handlers={ParticipantErased: on_erased},
            description="Removes the participant id from the read model when the participant's data is erased.",
        )
    ]

"""An accepted erasure request (``participant.erased.v1``): the read model forgets the participant id.

Apart from the read model's projection on purpose: the change is not a fact for the figures, and
it touches every week row of the participant's courses, which a projection's change per row
cannot name. A rebuild from the history restores the id (the history's events carry it until
the stream's retention drops them); announcing the erasure again (the referral service's
erasure is idempotent) removes it again.
"""

from __future__ import annotations

from typing import Any

from forlob_reporting.db.dpo import DpoFacts
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_shared.events import Envelope, ParticipantErased
from forlob_shared.messaging.consumer import Subscription


async def on_erased(envelope: Envelope[Any], uow: ReportingUnitOfWork) -> None:
    data: ParticipantErased = envelope.data
    await DpoFacts(uow.session).forget_participant(data.provider_org, data.participant_id, data.referral_ids)


def dpo_subscriptions() -> list[Subscription[ReportingUnitOfWork]]:
    return [
        Subscription(
            purpose="dpo",
            handlers={ParticipantErased: on_erased},
            description="Removes the participant id from the read model when the participant's data is erased.",
        )
    ]

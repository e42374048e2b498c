"""How a next step the provider proposed lands in the read model: the proposal, and each of the
three ways it is decided (referred on as proposed, declined, withdrawn) in a column of its own.

Pure, like :mod:`forlob_reporting.domain.projection` (whose ``PROJECTORS`` take these in). Each
event writes only its own columns, and a decision's instant keeps its earliest value, so the
row is the same in any order of the events and with duplicates. A referral on that nobody
proposed (``proposed_by_provider`` false) is no proposal and writes nothing here. No column
names the participant: an erasure has nothing to take out and a rebuild nothing to bring back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forlob_reporting.domain.facts import PROPOSALS
from forlob_reporting.domain.merge import Change
from forlob_shared.events import Envelope, EventData
from forlob_shared.events.handover import CourseReferredOn, NextStepDeclined, NextStepProposed, NextStepWithdrawn


def _step(e: Any) -> dict[str, Any]:
    return {
        "referral_id": e.referral_id,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "provider_org": e.provider_org,
        "next_programme_code": e.next_programme_code,
        "next_provider_org": e.next_provider_org,
    }


def _proposed(env: Envelope[Any], e: NextStepProposed) -> list[Change]:
    return [Change(PROPOSALS, (e.handover_id,), {**_step(e), "proposed_at": e.proposed_at}, earliest=("proposed_at",))]


def _declined(env: Envelope[Any], e: NextStepDeclined) -> list[Change]:
    values = {**_step(e), "declined_at": e.declined_at, "decline_reason": str(e.reason)}
    return [Change(PROPOSALS, (e.handover_id,), values, earliest=("declined_at",))]


def _withdrawn(env: Envelope[Any], e: NextStepWithdrawn) -> list[Change]:
    values = {**_step(e), "withdrawn_at": e.withdrawn_at}
    return [Change(PROPOSALS, (e.handover_id,), values, earliest=("withdrawn_at",))]


def proposal_referred_on(e: CourseReferredOn) -> list[Change]:
    """A referral on as the provider proposed: the proposal (the same handover) accepted."""
    if not e.proposed_by_provider:
        return []
    values = {**_step(e), "referred_at": e.referred_at}
    return [Change(PROPOSALS, (e.handover_id,), values, earliest=("referred_at",))]


ProposalProjector = Callable[[Envelope[Any], Any], list[Change]]

PROPOSAL_PROJECTORS: dict[type[EventData], ProposalProjector] = {
    NextStepProposed: _proposed,
    NextStepDeclined: _declined,
    NextStepWithdrawn: _withdrawn,
}

"""A clarification course's result: a recommendation to the jobcentre, which keeps the decision,
with the participant's resources and challenges by area of the resource profile and the evidence
behind it. Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from forlob_referral.domain.programme import Programme, ProgrammeKind
from forlob_referral.domain.referral import Referral, State
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.employment import ClarificationResult, Recommendation, WorkAbilityArea

# The programmes whose result is a recommendation (afklaring; arbejdsprøvning clarifies work ability).
CLARIFICATION_KINDS = frozenset({ProgrammeKind.CLARIFICATION, ProgrammeKind.WORK_ABILITY_ASSESSMENT})


@dataclass(frozen=True)
class Clarification:
    """A clarification course's result. ``resources`` and ``challenges`` are emptied on erasure."""

    referral_id: UUID
    recommendation: Recommendation
    resources: tuple[WorkAbilityArea, ...]
    challenges: tuple[WorkAbilityArea, ...]
    meetings_held: int
    work_trials: int
    specialist_assessments: int
    day: date
    given_by: str
    recorded_at: datetime


def give_clarification_result(
    *,
    referral: Referral,
    programme: Programme,
    existing: Clarification | None,
    recommendation: Recommendation,
    resources: tuple[WorkAbilityArea, ...],
    challenges: tuple[WorkAbilityArea, ...],
    evidence: tuple[int, int, int],
    day: date,
    staff_id: str,
    today: date,
    now: datetime,
) -> tuple[Clarification, PendingEvent]:
    """``evidence``: meetings held, work trials, specialist assessments attached."""
    if programme.kind not in CLARIFICATION_KINDS:
        raise Conflict(
            f"{programme.code} is a {programme.kind.value} programme; only a clarification gives a result",
            kind=programme.kind.value,
            reason="not-a-clarification",
        )
    if referral.state not in (State.STARTED, State.ENDED):
        raise Conflict(
            f"the course is {referral.state.value}; a result comes from a started course",
            current_state=referral.state.value,
        )
    if existing is not None:
        raise Conflict(f"the course's result was given on {existing.day}", reason="result-given")
    if any(n < 0 for n in evidence):
        raise InvalidInput("evidence counts are 0 or more", field="evidence")
    if (referral.start_date is not None and day < referral.start_date) or day > today:
        raise InvalidInput("the result's day lies between the course's start and today", field="day")
    meetings, trials, assessments = evidence
    result = Clarification(
        referral_id=referral.id,
        recommendation=recommendation,
        resources=tuple(dict.fromkeys(resources)),
        challenges=tuple(dict.fromkeys(challenges)),
        meetings_held=meetings,
        work_trials=trials,
        specialist_assessments=assessments,
        day=day,
        given_by=staff_id,
        recorded_at=now,
    )
    event = ClarificationResult(
        **referral._ids(),
        recommendation=recommendation,
        resources=list(result.resources),
        challenges=list(result.challenges),
        meetings_held=meetings,
        work_trials=trials,
        specialist_assessments=assessments,
        day=day,
        staff_id=staff_id,
        recorded_at=now,
    )
    return result, referral._event(event)

"""Referring on: from a running course to the next programme, at this or another provider, and the
handover meeting between both providers and the caseworker. Pure rules, no I/O.

DOMAIN.md (seeds 001, 002, 004): the next step should overlap with this one, or follow it without a
gap; a physiotherapy course may come before the development course; the next step is agreed with
the jobcentre's caseworker, who holds the authority over the case. So:

- the provider's coordinator may *propose* a next step (they know the course), and
- the referring caseworker *refers on*: a new referral like any other from the jobcentre, which the
  next provider accepts, waitlists or rejects as today. Only the caseworker's call creates it.

What crosses to the next provider are the handover facts: coded and counted (goal attainment as
counts, a clarification's recommendation and areas, the course's dates), never the goals' or the
closing note's words. The caseworker writes the next referral's own goals, as in any referral.

    proposed ──refer──▶ referred      (the caseworker may refer on directly: referred at once)
        ├──decline──▶ declined        (the referring caseworker, with a coded reason)
        └──withdraw─▶ withdrawn       (the proposing provider's coordinator)

Each is decided once: a declined or withdrawn proposal no longer blocks another next step, and
nothing more happens to it. Who decided and when is kept; the reason crosses as a code only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.records import Attainment, GoalAttainment
from forlob_referral.domain.referral import Referral
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.base import EventData
from forlob_shared.events.employment import Recommendation, WorkAbilityArea
from forlob_shared.events.handover import (
    CourseReferredOn,
    DeclineReason,
    HandoverMeetingHeld,
    HandoverMeetingPlanned,
    HandoverRelation,
    NextStepDeclined,
    NextStepProposed,
    NextStepWithdrawn,
)


class HandoverState(StrEnum):
    PROPOSED = "proposed"  # by the provider's coordinator; the caseworker decides
    REFERRED = "referred"  # the next referral exists
    DECLINED = "declined"  # by the referring caseworker, with a coded reason
    WITHDRAWN = "withdrawn"  # by the proposing provider's coordinator


# Why a decided proposal takes no other decision (the 409's words; current_state says which).
_DECIDED = {
    HandoverState.REFERRED: "the participant is already referred on from this proposal",
    HandoverState.DECLINED: "the caseworker declined this proposal",
    HandoverState.WITHDRAWN: "the provider withdrew this proposal",
}


@dataclass(frozen=True)
class AttainmentCounts:
    """How many goals (or sub-goals) were achieved, partly achieved, not achieved: counts, no words."""

    achieved: int = 0
    partly_achieved: int = 0
    not_achieved: int = 0

    @classmethod
    def of(cls, attained: Sequence[Attainment]) -> AttainmentCounts:
        return cls(
            sum(a is Attainment.ACHIEVED for a in attained),
            sum(a is Attainment.PARTLY for a in attained),
            sum(a is Attainment.NOT_ACHIEVED for a in attained),
        )


@dataclass(frozen=True)
class HandoverFacts:
    """What the next provider is told of the course it takes over from: codes, counts and dates."""

    programme_code: str
    provider_org: str
    start_date: date | None
    planned_end_date: date
    goals: AttainmentCounts | None = None  # None: not assessed (no attainment given, no closing note)
    sub_goals: AttainmentCounts | None = None
    recommendation: Recommendation | None = None  # a clarification course's result, if given
    resources: tuple[WorkAbilityArea, ...] = ()
    challenges: tuple[WorkAbilityArea, ...] = ()


def handover_facts(
    course: Referral, attainment: Sequence[GoalAttainment] | None, clarification: Clarification | None
) -> HandoverFacts:
    """The facts of ``course`` with the goal attainment given (the proposal's, else the closing note's)."""
    assert course.planned_end_date is not None  # a started course has one
    goals = sub_goals = None
    if attainment is not None:
        goals = AttainmentCounts.of([g.attainment for g in attainment])
        sub_goals = AttainmentCounts.of([s.attainment for g in attainment for s in g.sub_goals])
    return HandoverFacts(
        programme_code=course.programme_code,
        provider_org=course.provider_org,
        start_date=course.start_date,
        planned_end_date=course.planned_end_date,
        goals=goals,
        sub_goals=sub_goals,
        recommendation=clarification.recommendation if clarification else None,
        resources=clarification.resources if clarification else (),
        challenges=clarification.challenges if clarification else (),
    )


@dataclass(frozen=True)
class MeetingParty:
    org: str
    staff_id: str


@dataclass(frozen=True)
class HandoverMeeting:
    starts_at: datetime
    timezone: str  # the course's zone
    parties: tuple[MeetingParty, ...]
    planned_by: str
    planned_at: datetime
    held_at: datetime | None = None
    held_by: str | None = None


@dataclass
class Handover:
    id: UUID
    referral_id: UUID  # the course referred on from
    participant_id: UUID  # its pseudonym at the course's provider
    programme_code: str
    referring_org: str
    provider_org: str
    next_programme_code: str
    next_provider_org: str
    relation: HandoverRelation
    planned_start: date
    facts: HandoverFacts
    state: HandoverState
    proposed_by_provider: bool  # the coordinator proposed it; else the caseworker referred on directly
    created_by: str
    created_at: datetime
    next_referral_id: UUID | None = None
    referred_by: str | None = None
    referred_at: datetime | None = None
    meeting: HandoverMeeting | None = None
    decided_by: str | None = None  # who declined or withdrew the proposal (staff id)
    decided_at: datetime | None = None
    decline_reason: DeclineReason | None = None

    @property
    def parties(self) -> tuple[str, ...]:
        """The organisations of the handover: the jobcentre, this provider, the next one."""
        return tuple(dict.fromkeys((self.referring_org, self.provider_org, self.next_provider_org)))

    def _event_base(self) -> dict[str, Any]:
        return {
            "referral_id": self.referral_id,
            "participant_id": self.participant_id,
            "programme_code": self.programme_code,
            "referring_org": self.referring_org,
            "provider_org": self.provider_org,
            "handover_id": self.id,
        }

    def _event(self, data: EventData) -> PendingEvent:
        # In the previous course's order: its subject and partition.
        return PendingEvent(
            data=data, subject=str(self.referral_id), referring_org=self.referring_org, provider_org=self.provider_org
        )

    def require_undecided(self) -> None:
        """409 with ``current_state`` once the proposal is referred on, declined or withdrawn."""
        if self.state is not HandoverState.PROPOSED:
            raise Conflict(_DECIDED[self.state], current_state=self.state.value)

    def _decided(self, state: HandoverState, staff_id: str, now: datetime) -> None:
        self.state = state
        self.decided_by = staff_id
        self.decided_at = now

    def proposed(self) -> PendingEvent:
        """The event of a new proposal, for the jobcentre (which decides) and the figures."""
        return self._event(
            NextStepProposed(
                **self._event_base(),
                next_programme_code=self.next_programme_code,
                next_provider_org=self.next_provider_org,
                relation=self.relation,
                planned_start=self.planned_start,
                previous_planned_end=self.facts.planned_end_date,
                proposed_at=self.created_at,
            )
        )

    def decline(self, reason: DeclineReason, caseworker_id: str, now: datetime) -> PendingEvent:
        """The referring caseworker does not refer on as proposed; the course may be referred on otherwise."""
        self.require_undecided()
        self._decided(HandoverState.DECLINED, caseworker_id, now)
        self.decline_reason = reason
        return self._event(
            NextStepDeclined(
                **self._event_base(),
                next_programme_code=self.next_programme_code,
                next_provider_org=self.next_provider_org,
                reason=reason,
                declined_at=now,
            )
        )

    def withdraw(self, coordinator_id: str, now: datetime) -> PendingEvent:
        """The proposing provider's coordinator takes the proposal back before anybody decided."""
        self.require_undecided()
        self._decided(HandoverState.WITHDRAWN, coordinator_id, now)
        return self._event(
            NextStepWithdrawn(
                **self._event_base(),
                next_programme_code=self.next_programme_code,
                next_provider_org=self.next_provider_org,
                withdrawn_at=now,
            )
        )

    def referred(self, next_referral: Referral, caseworker_id: str, now: datetime) -> PendingEvent:
        """The caseworker referred on: ``next_referral`` is the new referral."""
        self.require_undecided()
        self.state = HandoverState.REFERRED
        self.next_referral_id = next_referral.id
        self.referred_by = caseworker_id
        self.referred_at = now
        return self._event(
            CourseReferredOn(
                **self._event_base(),
                next_referral_id=next_referral.id,
                next_programme_code=self.next_programme_code,
                next_provider_org=self.next_provider_org,
                relation=self.relation,
                planned_start=self.planned_start,
                previous_start_date=self.facts.start_date,
                previous_planned_end=self.facts.planned_end_date,
                proposed_by_provider=self.proposed_by_provider,
                referred_at=now,
            )
        )

    def plan_meeting(
        self, *, starts_at: datetime, timezone: str, parties: Sequence[MeetingParty], staff_id: str, now: datetime
    ) -> PendingEvent:
        """Plan the handover meeting (again, while it has not been held): both providers and the
        caseworker's organisation each take part with at least one person."""
        if self.state is not HandoverState.REFERRED or self.next_referral_id is None:
            raise Conflict(
                "a handover meeting is planned once the caseworker has referred on", current_state=self.state.value
            )
        if self.meeting is not None and self.meeting.held_at is not None:
            raise Conflict("the handover meeting was held", current_state="held")
        if starts_at < now:
            raise InvalidInput("the handover meeting lies in the past", field="starts_at")
        unique = tuple(dict.fromkeys(parties))
        strangers = sorted({p.org for p in unique} - set(self.parties))
        if strangers:
            raise InvalidInput(
                "only the jobcentre and the two providers take part", field="participants", unknown=strangers
            )
        missing = sorted(set(self.parties) - {p.org for p in unique})
        if missing:
            raise InvalidInput(
                "both providers and the caseworker's organisation take part", field="participants", missing=missing
            )
        self.meeting = HandoverMeeting(starts_at, timezone, unique, staff_id, now)
        return self._event(
            HandoverMeetingPlanned(
                **self._event_base(),
                next_referral_id=self.next_referral_id,
                next_provider_org=self.next_provider_org,
                starts_at=starts_at,
                timezone=timezone,
                staff_ids=[p.staff_id for p in unique],
                orgs=list(dict.fromkeys(p.org for p in unique)),
                planned_at=now,
            )
        )

    def meeting_held(self, staff_id: str, now: datetime) -> PendingEvent:
        meeting = self.meeting
        if meeting is None or self.next_referral_id is None:
            raise Conflict("no handover meeting is planned", current_state="not_planned")
        if meeting.held_at is not None:
            raise Conflict("the handover meeting was held already", current_state="held")
        if now < meeting.starts_at:
            raise Conflict("the handover meeting has not begun yet", current_state="planned")
        self.meeting = replace(meeting, held_at=now, held_by=staff_id)
        return self._event(
            HandoverMeetingHeld(
                **self._event_base(),
                next_referral_id=self.next_referral_id,
                next_provider_org=self.next_provider_org,
                starts_at=meeting.starts_at,
                held_at=now,
            )
        )


def new_handover(
    *,
    course: Referral,
    next_programme: Programme,
    relation: HandoverRelation,
    planned_start: date,
    facts: HandoverFacts,
    proposed_by_provider: bool,
    staff_id: str,
    now: datetime,
) -> Handover:
    """A next step, proposed: :meth:`Handover.referred` makes it the caseworker's referral."""
    return Handover(
        id=uuid4(),
        referral_id=course.id,
        participant_id=course.participant_id,
        programme_code=course.programme_code,
        referring_org=course.referring_org,
        provider_org=course.provider_org,
        next_programme_code=next_programme.code,
        next_provider_org=next_programme.provider_org,
        relation=relation,
        planned_start=planned_start,
        facts=facts,
        state=HandoverState.PROPOSED,
        proposed_by_provider=proposed_by_provider,
        created_by=staff_id,
        created_at=now,
    )

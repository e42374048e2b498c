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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.records import Attainment, GoalAttainment
from forlob_referral.domain.referral import CLOSED, Referral, State
from forlob_referral.domain.seats import Seat, peak_occupancy
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.employment import Recommendation, WorkAbilityArea
from forlob_shared.events.handover import (
    CourseReferredOn,
    HandoverMeetingHeld,
    HandoverMeetingPlanned,
    HandoverRelation,
)


class HandoverState(StrEnum):
    PROPOSED = "proposed"  # by the provider's coordinator; the caseworker decides
    REFERRED = "referred"  # the next referral exists


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

    def _event(self, data: CourseReferredOn | HandoverMeetingPlanned | HandoverMeetingHeld) -> PendingEvent:
        # In the previous course's order: its subject and partition.
        return PendingEvent(
            data=data, subject=str(self.referral_id), referring_org=self.referring_org, provider_org=self.provider_org
        )

    def referred(self, next_referral: Referral, caseworker_id: str, now: datetime) -> PendingEvent:
        """The caseworker referred on: ``next_referral`` is the new referral."""
        if self.state is HandoverState.REFERRED:
            raise Conflict("the participant is already referred on from this proposal", current_state="referred")
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


def check_course(course: Referral) -> None:
    """Only a running course is referred on: one not started yet is referred to the next
    programme directly, an ended or withdrawn one has no course to overlap or follow."""
    if course.state is not State.STARTED or course.planned_end_date is None:
        raise Conflict(
            f"cannot refer on from a referral that is {course.state.value}; only a running course is referred on",
            current_state=course.state.value,
            allowed_from=[State.STARTED.value],
        )


def check_open(handovers: Sequence[Handover], next_states: dict[UUID, State]) -> None:
    """One next step at a time: none proposed and undecided, none referred whose referral is
    still open (a rejected or withdrawn next referral lets the caseworker refer on again)."""
    for h in handovers:
        if h.state is HandoverState.PROPOSED:
            raise Conflict("a next step is proposed for this course; refer on from it", handover_id=str(h.id))
        if h.next_referral_id is not None and next_states.get(h.next_referral_id) not in CLOSED:
            raise Conflict("the participant is referred on from this course already", handover_id=str(h.id))


def check_another_programme(course: Referral, provider_org: str, code: str) -> None:
    """The next step is another programme: more of the same course is an extension (reschedule)."""
    if (provider_org, code) == (course.provider_org, course.programme_code):
        raise InvalidInput(
            f"the course is in {code} already; extend it instead of referring on to the same programme",
            field="programme_code",
        )


def check_timing(course: Referral, relation: HandoverRelation, planned_start: date, today: date) -> None:
    """``overlap``: the next starts on a day of this course (its planned last day at the latest);
    ``sequence``: after that day. Never in the past."""
    assert course.planned_end_date is not None
    end = course.planned_end_date
    if planned_start < today:
        raise InvalidInput("the next step's planned start lies in the past", field="planned_start")
    if relation is HandoverRelation.OVERLAP and planned_start > end:
        raise InvalidInput(
            f"an overlap starts on a day of this course, by its last day {end}; use sequence to follow it",
            field="planned_start",
        )
    if relation is HandoverRelation.SEQUENCE and planned_start <= end:
        raise InvalidInput(
            f"a sequence starts after this course's last day {end}; use overlap to start before it ends",
            field="planned_start",
        )


def check_seat(programme: Programme, seats: Sequence[Seat], planned_start: date) -> None:
    """The next programme takes a course of its default length from ``planned_start`` (an intake
    day) with a seat free the whole time, as an intake decision would find it; else 409."""
    if not programme.is_intake_day(planned_start):
        raise InvalidInput(
            f"{programme.code} takes new participants on {programme.next_intake_day(planned_start)}, "
            f"not on {planned_start}",
            field="planned_start",
            next_intake_day=programme.next_intake_day(planned_start).isoformat(),
        )
    end = planned_start + timedelta(weeks=programme.default_weeks)
    if peak_occupancy(seats, planned_start, end) >= programme.capacity:
        raise Conflict(
            f"{programme.code} has no free seat from {planned_start} for {programme.default_weeks} weeks",
            reason="no-free-seat",
            programme_code=programme.code,
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

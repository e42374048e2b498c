"""The rules a next step meets before it is proposed or referred on (docs/referral.md, "referring
on"): a running course, one next step at a time, another programme, timing that fits the relation,
and a free seat. Pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID

from forlob_referral.domain.handover import Handover, HandoverState
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.referral import CLOSED, Referral, State
from forlob_referral.domain.seats import Seat, peak_occupancy
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events.handover import HandoverRelation


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
    still open (a rejected or withdrawn next referral lets the caseworker refer on again). A
    declined or withdrawn proposal has no next referral and blocks nothing."""
    for h in handovers:
        if h.state is HandoverState.PROPOSED:
            raise Conflict(
                "a next step is proposed for this course; refer on from it or decline it", handover_id=str(h.id)
            )
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

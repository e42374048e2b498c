"""The course on the in-memory unit of work: start, extend and shorten, change the agreement,
end with an outcome and the closing note; every refusal changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import pytest

from forlob_referral.application.course import (
    ChangeAgreement,
    EndCourse,
    change_agreement,
    end_course,
    read_closing_note,
    reschedule_course,
)
from forlob_referral.application.intake import waiting_list
from forlob_referral.domain.records import (
    Attainment,
    ClosingNote,
    DevelopmentPlan,
    GoalAttainment,
    SubGoalAttainment,
)
from forlob_referral.domain.referral import State
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.common import Outcome, TimeWindow
from forlob_testkit.referral_rules import (
    CASEWORKER,
    CODE,
    COORDINATOR,
    FIRST_INTAKE,
    HORIZON,
    OTHER_CASEWORKER,
    OTHER_COORDINATOR,
    WEEKLY,
    Desk,
)

MONDAY = datetime(2026, 6, 1, 8, tzinfo=UTC)


def note(**fields: Any) -> ClosingNote:
    values: dict[str, Any] = {
        "summary": "Came four days a week from the third week.",
        "resources": "Punctual, good with tools.",
        "development_possibilities": "Ready for an internship.",
        "goal_attainment": [
            GoalAttainment(
                goal="Stable attendance",
                attainment=Attainment.ACHIEVED,
                sub_goals=[SubGoalAttainment(sub_goal="Arrive by 08:00", attainment=Attainment.PARTLY)],
            ),
            GoalAttainment(goal="Increase weekly hours", attainment=Attainment.PARTLY, comment="12 to 16"),
        ],
    }
    values.update(fields)
    return ClosingNote(**values)


def ending(end_date: date = date(2026, 6, 4), **fields: Any) -> EndCourse:
    values: dict[str, Any] = {"end_date": end_date, "outcome": Outcome.ORDINARY_EMPLOYMENT, "closing_note": note()}
    values.update(fields)
    return EndCourse(**values)


async def accepted(desk: Desk, capacity: int = 12) -> UUID:
    await desk.programme(capacity=capacity)
    rid = await desk.refer()
    await desk.accept(rid)
    desk.clock.set(MONDAY)
    return rid


async def started(desk: Desk, capacity: int = 12) -> UUID:
    rid = await accepted(desk, capacity)
    await desk.start(rid)
    return rid


# ---- the start ------------------------------------------------------------------------------


async def test_the_start_announces_the_agreed_schedule_and_the_programme(desk: Desk) -> None:
    rid = await accepted(desk)
    course = await desk.start(rid, team_leader_id="tl-1", plan=DevelopmentPlan(workshop="Wood workshop"))
    assert (course.state, course.start_date, course.planned_end_date) == (
        State.STARTED,
        FIRST_INTAKE,
        date(2026, 8, 30),
    )
    (event,) = desk.events("programme.started.v1")
    assert (event.start_date, event.planned_end_date) == (FIRST_INTAKE, date(2026, 8, 30))
    assert tuple(event.schedule) == WEEKLY
    assert (event.contact_person_id, event.team_leader_id, event.caseworker_id) == ("cp-1", "tl-1", "cw-7")
    assert (event.country, event.timezone, event.legal_basis) == ("DK", "Europe/Copenhagen", "LAB-32-1-2")
    personal = (await desk.get(rid)).personal
    assert personal.plan == DevelopmentPlan(workshop="Wood workshop")


async def test_a_course_of_other_length_ends_accordingly(desk: Desk) -> None:
    rid = await accepted(desk)
    course = await desk.start(rid, weeks=4)
    assert course.planned_end_date == date(2026, 6, 28)


async def test_a_start_before_acceptance_is_a_conflict(desk: Desk) -> None:
    await desk.programme()
    rid = await desk.refer()
    with pytest.raises(Conflict) as refused:
        await desk.start(rid)
    assert refused.value.extra["current_state"] == "received"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"start_date": date(2026, 6, 2)}, "not an intake day"),
        ({"start_date": date(2026, 5, 25)}, "not an intake day"),  # Whit Monday
        ({"weeks": 27}, "26"),
        ({"weeks": 3}, "4"),
        ({"schedule": (TimeWindow(weekday=4, start=time(13), end=time(14, 30)),)}, "opening hours"),
        ({"schedule": (TimeWindow(weekday=5, start=time(9), end=time(10)),)}, "opening hours"),
        ({"schedule": ()}, "at least one"),
    ],
)
async def test_a_bad_start_is_refused_and_changes_nothing(desk: Desk, fields: dict[str, Any], words: str) -> None:
    rid = await accepted(desk)
    before = list(desk.store.published)
    with pytest.raises(InvalidInput) as refused:
        await desk.start(rid, **fields)
    assert words in str(refused.value.detail)
    assert desk.store.published == before
    assert (await desk.get(rid)).referral.state is State.ACCEPTED


async def test_a_start_needs_a_seat_for_the_whole_course(desk: Desk) -> None:
    await desk.programme(capacity=1)
    first, second = await desk.refer(), await desk.refer()
    await desk.accept(first)
    await desk.accept(second)  # waitlisted: the one seat is taken until 30 August
    desk.clock.set(MONDAY)
    await desk.start(first)
    with pytest.raises(Conflict):
        await desk.start(second)


async def test_starting_a_week_late_frees_the_first_week_for_nobody_but_holds_the_seat_longer(desk: Desk) -> None:
    rid = await accepted(desk)
    course = await desk.start(rid, start_date=date(2026, 6, 8))
    assert course.planned_end_date == date(2026, 9, 6)


async def test_starting_twice_is_a_conflict(desk: Desk) -> None:
    rid = await started(desk)
    with pytest.raises(Conflict) as refused:
        await desk.start(rid)
    assert refused.value.extra["current_state"] == "started"


# ---- extending and shortening ---------------------------------------------------------------


async def test_extending_moves_the_planned_end(desk: Desk) -> None:
    rid = await started(desk)
    view = await reschedule_course(desk.uow(), COORDINATOR, rid, 20, HORIZON)
    assert view.referral.planned_end_date == date(2026, 10, 18)
    (event,) = desk.events("programme.rescheduled.v1")
    assert (event.change, event.previous_end_date, event.planned_end_date) == (
        "extended",
        date(2026, 8, 30),
        date(2026, 10, 18),
    )


async def test_shortening_gives_the_freed_weeks_to_the_waiting_list(desk: Desk) -> None:
    rid = await started(desk, capacity=1)
    waiting = await desk.refer()
    await desk.accept(waiting)
    assert (await desk.get(waiting)).referral.state is State.WAITLISTED
    view = await reschedule_course(desk.uow(), COORDINATOR, rid, 4, HORIZON)
    assert view.referral.planned_end_date == date(2026, 6, 28)
    (event,) = desk.events("programme.rescheduled.v1")
    assert event.change == "shortened"
    offered = (await desk.get(waiting)).referral
    assert (offered.state, offered.intake_date) == (State.ACCEPTED, date(2026, 6, 29))


async def test_an_extension_needs_a_free_seat(desk: Desk) -> None:
    rid = await started(desk, capacity=1)
    later = await desk.refer()
    desk.clock.set(datetime(2026, 8, 10, 8, tzinfo=UTC))
    await desk.accept(later)  # takes the seat from 31 August
    with pytest.raises(Conflict):
        await reschedule_course(desk.uow(), COORDINATOR, rid, 20, HORIZON)


@pytest.mark.parametrize(("weeks", "words"), [(27, "4 to 26"), (3, "4 to 26"), (13, "already ends")])
async def test_a_bad_reschedule_is_refused(desk: Desk, weeks: int, words: str) -> None:
    rid = await started(desk)
    with pytest.raises(InvalidInput) as refused:
        await reschedule_course(desk.uow(), COORDINATOR, rid, weeks, HORIZON)
    assert words in str(refused.value.detail)
    assert desk.events("programme.rescheduled.v1") == []


async def test_a_course_cannot_be_shortened_into_the_past(desk: Desk) -> None:
    rid = await started(desk)
    desk.clock.set(datetime(2026, 7, 15, 8, tzinfo=UTC))
    with pytest.raises(InvalidInput) as refused:
        await reschedule_course(desk.uow(), COORDINATOR, rid, 4, HORIZON)
    assert "passed" in str(refused.value.detail)


async def test_a_course_not_started_cannot_be_rescheduled(desk: Desk) -> None:
    rid = await accepted(desk)
    with pytest.raises(Conflict):
        await reschedule_course(desk.uow(), COORDINATOR, rid, 20, HORIZON)


# ---- changing the agreement -----------------------------------------------------------------


async def test_a_changed_agreement_takes_effect_from_its_day(desk: Desk) -> None:
    rid = await started(desk)
    fewer = (TimeWindow(weekday=0, start=time(9), end=time(12)),)
    view = await change_agreement(
        desk.uow(), COORDINATOR, rid, ChangeAgreement(date(2026, 6, 15), fewer, "cp-2", "tl-2"), HORIZON
    )
    assert (view.referral.schedule, view.referral.contact_person_id, view.referral.team_leader_id) == (
        fewer,
        "cp-2",
        "tl-2",
    )
    (event,) = desk.events("programme.agreement_changed.v1")
    assert (event.effective_from, tuple(event.schedule), event.contact_person_id) == (date(2026, 6, 15), fewer, "cp-2")


@pytest.mark.parametrize("effective_from", [date(2026, 5, 29), date(2026, 8, 31)])
async def test_an_agreement_change_must_fall_within_the_course(desk: Desk, effective_from: date) -> None:
    rid = await started(desk)
    with pytest.raises(InvalidInput) as refused:
        await change_agreement(desk.uow(), COORDINATOR, rid, ChangeAgreement(effective_from, WEEKLY, "cp-2"), HORIZON)
    assert refused.value.extra["field"] == "effective_from"


async def test_an_agreement_outside_opening_hours_is_refused(desk: Desk) -> None:
    rid = await started(desk)
    late = (TimeWindow(weekday=0, start=time(14), end=time(16)),)
    with pytest.raises(InvalidInput):
        await change_agreement(desk.uow(), COORDINATOR, rid, ChangeAgreement(FIRST_INTAKE, late, "cp-2"), HORIZON)
    assert (await desk.get(rid)).referral.schedule == WEEKLY


# ---- the end --------------------------------------------------------------------------------


async def test_the_end_records_outcome_and_closing_note(desk: Desk) -> None:
    rid = await started(desk)
    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    view = await end_course(desk.uow(), COORDINATOR, rid, ending(first_job_date=date(2026, 6, 15)), HORIZON)
    assert (view.referral.state, view.referral.outcome, view.referral.end_date) == (
        State.ENDED,
        Outcome.ORDINARY_EMPLOYMENT,
        date(2026, 6, 4),
    )
    (event,) = desk.events("programme.ended.v1")
    assert (event.outcome, event.first_job_date, event.start_date) == (
        Outcome.ORDINARY_EMPLOYMENT,
        date(2026, 6, 15),
        FIRST_INTAKE,
    )
    assert "Punctual" not in event.model_dump_json()  # the closing note stays here
    for viewer in (COORDINATOR, CASEWORKER):
        assert (await read_closing_note(desk.uow(), viewer, rid)) == note()


async def test_an_ended_course_gives_its_seat_to_the_waiting_list(desk: Desk) -> None:
    rid = await started(desk, capacity=1)
    waiting = await desk.refer()
    await desk.accept(waiting)
    desk.clock.set(datetime(2026, 6, 4, 8, tzinfo=UTC))
    await end_course(desk.uow(), COORDINATOR, rid, ending(outcome=Outcome.DROPPED_OUT), HORIZON)
    offered = (await desk.get(waiting)).referral
    assert (offered.state, offered.intake_date) == (State.ACCEPTED, date(2026, 6, 8))
    assert (await waiting_list(desk.uow(), COORDINATOR, CODE, HORIZON)).entries == []


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (ending(end_date=date(2026, 5, 29)), "end_date"),
        (ending(end_date=date(2026, 7, 1)), "end_date"),
        (ending(first_job_date=date(2026, 5, 1)), "first_job_date"),
        (ending(closing_note=note(goal_attainment=[])), "closing_note.goal_attainment"),
        (
            ending(
                closing_note=note(
                    goal_attainment=[
                        GoalAttainment(goal="Stable attendance", attainment=Attainment.ACHIEVED),
                        GoalAttainment(goal="Increase weekly hours", attainment=Attainment.ACHIEVED),
                        GoalAttainment(goal="Learn Latin", attainment=Attainment.ACHIEVED),
                    ]
                )
            ),
            "closing_note.goal_attainment",
        ),
    ],
)
async def test_a_bad_end_is_refused_and_changes_nothing(desk: Desk, command: EndCourse, field: str) -> None:
    rid = await started(desk)
    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    before = list(desk.store.published)
    with pytest.raises(InvalidInput) as refused:
        await end_course(desk.uow(), COORDINATOR, rid, command, HORIZON)
    assert refused.value.extra["field"] == field
    assert desk.store.published == before
    assert (await desk.get(rid)).referral.state is State.STARTED


def _stable(*subs: SubGoalAttainment) -> GoalAttainment:
    return GoalAttainment(goal="Stable attendance", attainment=Attainment.ACHIEVED, sub_goals=list(subs))


ARRIVE = SubGoalAttainment(sub_goal="Arrive by 08:00", attainment=Attainment.NOT_ACHIEVED)
HOURS = GoalAttainment(goal="Increase weekly hours", attainment=Attainment.PARTLY)


@pytest.mark.parametrize(
    ("attained", "field", "missing", "unknown"),
    [
        ([_stable(), HOURS], "closing_note.goal_attainment.0.sub_goals", ["Arrive by 08:00"], []),
        (
            [_stable(ARRIVE, SubGoalAttainment(sub_goal="Speak Latin", attainment=Attainment.ACHIEVED)), HOURS],
            "closing_note.goal_attainment.0.sub_goals",
            [],
            ["Speak Latin"],
        ),
        ([_stable(ARRIVE, ARRIVE), HOURS], "closing_note.goal_attainment.0.sub_goals", [], []),
        (
            [HOURS.model_copy(update={"sub_goals": [ARRIVE]}), _stable(ARRIVE)],
            "closing_note.goal_attainment.0.sub_goals",
            [],
            ["Arrive by 08:00"],
        ),
    ],
    ids=["a-sub-goal-missing", "an-unknown-sub-goal", "a-sub-goal-twice", "a-sub-goal-of-another-goal"],
)
async def test_each_sub_goal_is_attained_exactly_once(
    desk: Desk, attained: list[GoalAttainment], field: str, missing: list[str], unknown: list[str]
) -> None:
    rid = await started(desk)
    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    before = list(desk.store.published)
    with pytest.raises(InvalidInput) as refused:
        await end_course(desk.uow(), COORDINATOR, rid, ending(closing_note=note(goal_attainment=attained)), HORIZON)
    assert (refused.value.extra["field"], refused.value.extra["missing"], refused.value.extra["unknown"]) == (
        field,
        missing,
        unknown,
    )
    assert desk.store.published == before
    assert (await desk.get(rid)).referral.state is State.STARTED


async def test_the_closing_note_keeps_each_sub_goals_attainment(desk: Desk) -> None:
    rid = await started(desk)
    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    await end_course(
        desk.uow(), COORDINATOR, rid, ending(closing_note=note(goal_attainment=[_stable(ARRIVE), HOURS])), HORIZON
    )
    kept = await read_closing_note(desk.uow(), CASEWORKER, rid)
    assert [(a.goal, [(s.sub_goal, s.attainment) for s in a.sub_goals]) for a in kept.goal_attainment] == [
        ("Stable attendance", [("Arrive by 08:00", Attainment.NOT_ACHIEVED)]),
        ("Increase weekly hours", []),
    ]


async def test_a_course_not_started_cannot_end(desk: Desk) -> None:
    rid = await accepted(desk)
    with pytest.raises(Conflict) as refused:
        await end_course(desk.uow(), COORDINATOR, rid, ending(), HORIZON)
    assert refused.value.extra["current_state"] == "accepted"


async def test_the_closing_note_comes_when_the_course_ends(desk: Desk) -> None:
    rid = await started(desk)
    with pytest.raises(Conflict):
        await read_closing_note(desk.uow(), CASEWORKER, rid)


async def test_the_closing_note_is_hidden_from_other_organisations(desk: Desk) -> None:
    rid = await started(desk)
    desk.clock.set(datetime(2026, 6, 5, 8, tzinfo=UTC))
    await end_course(desk.uow(), COORDINATOR, rid, ending(), HORIZON)
    for viewer in (OTHER_CASEWORKER, OTHER_COORDINATOR):
        with pytest.raises(NotFound):
            await read_closing_note(desk.uow(), viewer, rid)


async def _change_as_another_provider(desk: Desk, rid: UUID, action: str) -> None:
    if action == "reschedule":
        await reschedule_course(desk.uow(), OTHER_COORDINATOR, rid, 20, HORIZON)
    elif action == "agreement":
        await change_agreement(desk.uow(), OTHER_COORDINATOR, rid, ChangeAgreement(FIRST_INTAKE, WEEKLY, "x"), HORIZON)
    else:
        await end_course(desk.uow(), OTHER_COORDINATOR, rid, ending(), HORIZON)


@pytest.mark.parametrize("action", ["reschedule", "agreement", "end"])
async def test_another_provider_cannot_change_the_course(desk: Desk, action: str) -> None:
    rid = await started(desk)
    before = list(desk.store.published)
    with pytest.raises(NotFound):
        await _change_as_another_provider(desk, rid, action)
    assert desk.store.published == before


async def test_the_whole_course_in_order_of_its_events(desk: Desk) -> None:
    rid = await started(desk)
    await reschedule_course(desk.uow(), COORDINATOR, rid, 14, HORIZON)
    await change_agreement(desk.uow(), COORDINATOR, rid, ChangeAgreement(date(2026, 6, 8), WEEKLY, "cp-2"), HORIZON)
    desk.clock.set(datetime(2026, 6, 12, 8, tzinfo=UTC))
    await end_course(desk.uow(), COORDINATOR, rid, ending(end_date=date(2026, 6, 11)), HORIZON)
    assert desk.event_types(rid) == [
        "referral.received.v1",
        "referral.accepted.v1",
        "programme.started.v1",
        "programme.rescheduled.v1",
        "programme.agreement_changed.v1",
        "programme.ended.v1",
    ]
    personal = (await desk.get(rid)).personal
    assert [g.text for g in personal.goals] == ["Stable attendance", "Increase weekly hours"]
    assert personal.closing_note == note()

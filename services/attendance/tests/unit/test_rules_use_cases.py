"""Closures and holidays, contact attempts, breach of agreement, weekly summaries, changes to the
course and what staff read, on the in-memory unit of work."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import UUID, uuid4

import pytest

from forlob_attendance.application.closures import (
    ClosureDeclaration,
    declare_closure,
    provider_closures,
    set_customary,
    withdraw_closure,
)
from forlob_attendance.application.courses import CoursePolicy, change_agreement, end_course, reschedule_course
from forlob_attendance.application.periodic import tick
from forlob_attendance.application.queries import day_list, participant_slots
from forlob_attendance.application.registration import AbsenceReport, ContactAttempt, record_contact, report_absence
from forlob_shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from forlob_shared.events import (
    AbsenceReason,
    AgreementChanged,
    AttendanceRules,
    Outcome,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeStarted,
    TimeWindow,
)
from forlob_testkit.attendance import MONDAY, local
from forlob_testkit.attendance_rules import COORDINATOR, OTHER_PROVIDER, WORKSHOP_LEAD, Centre

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + timedelta(days=n) for n in range(1, 5))
CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday
MONDAY_14_DEC = date(2026, 12, 14)


def days_of(centre: Centre, referral_id: UUID) -> list[date]:
    return [s.day for s in centre.slots(referral_id)]


async def declare(centre: Centre, first: date, last: date, reason: str = "staff_day", **times: time) -> UUID:
    return await declare_closure(centre.uow(), COORDINATOR, ClosureDeclaration(first, last, reason, **times))


# ---- closures and holidays ------------------------------------------------------------------


async def test_christmas_eve_and_a_declared_closure_give_no_expected_arrival(centre: Centre) -> None:
    centre.at(local(MONDAY_14_DEC, 5))
    staff_day = MONDAY_14_DEC + timedelta(days=2)
    await declare(centre, staff_day, staff_day)
    course = await centre.start(start=MONDAY_14_DEC)
    assert days_of(centre, course.referral_id) == [
        date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 17), date(2026, 12, 18),
        date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 28),
    ]  # fmt: skip
    centre.at(local(CHRISTMAS_EVE, 15))
    assert await centre.sweep() == 7


async def test_a_closure_declared_later_cancels_the_slots_and_is_announced(centre: Centre) -> None:
    course = await centre.start()
    closure_id = await declare(centre, date(2026, 11, 30), date(2026, 12, 4), "summer_closure")
    (announced,) = centre.events("provider.calendar_changed.v1")
    assert (announced.subject, announced.referring_org) == ("rca-aalborg", None)
    assert [(c.closure_id, c.first_day, c.reason) for c in announced.data.closures] == [
        (str(closure_id), date(2026, 11, 30), "summer_closure")
    ]
    days = days_of(centre, course.referral_id)
    assert not [d for d in days if date(2026, 11, 30) <= d <= date(2026, 12, 4)]
    assert date(2026, 12, 7) in days
    centre.at(local(date(2026, 12, 4), 15))
    assert await centre.sweep() == 5  # the first week only


async def test_the_materialiser_never_enters_a_closure(centre: Centre) -> None:
    course = await centre.start()
    await declare(centre, date(2026, 12, 15), date(2026, 12, 15))
    centre.at(local(date(2026, 12, 4), 15))
    assert await centre.materialise() > 0
    days = days_of(centre, course.referral_id)
    assert date(2026, 12, 15) not in days
    assert date(2026, 12, 14) in days
    assert date(2026, 12, 16) in days


async def test_a_closure_over_a_swept_day_is_refused_and_changes_nothing(centre: Centre) -> None:
    await centre.start()
    centre.at(local(TUESDAY, 15))
    assert await centre.sweep() == 2
    before = centre.snapshot()
    with pytest.raises(Conflict):
        await declare(centre, MONDAY, FRIDAY, "other")
    assert centre.snapshot() == before
    assert (await provider_closures(centre.uow(), COORDINATOR)).closures == []


@pytest.mark.parametrize(
    "declaration",
    [
        ClosureDeclaration(date(2026, 12, 4), date(2026, 11, 30), "summer_closure"),
        ClosureDeclaration(date(2026, 11, 30), date(2026, 11, 30), "party"),
        ClosureDeclaration(date(2026, 11, 30), date(2026, 11, 30), "other", time(12), time(10)),
        ClosureDeclaration(date(2026, 1, 1), date(2027, 6, 30), "other"),
    ],
)
async def test_bad_closures_are_refused(centre: Centre, declaration: ClosureDeclaration) -> None:
    with pytest.raises(InvalidInput):
        await declare_closure(centre.uow(), COORDINATOR, declaration)
    assert centre.events() == []


async def test_only_a_coordinator_declares_closures(centre: Centre) -> None:
    with pytest.raises(Forbidden):
        await declare_closure(
            centre.uow(), WORKSHOP_LEAD, ClosureDeclaration(date(2026, 11, 30), date(2026, 11, 30), "staff_day")
        )


async def test_withdrawing_a_closure_expects_arrivals_again_from_now_on(centre: Centre) -> None:
    course = await centre.start()
    closure_id = await declare(centre, date(2026, 11, 25), date(2026, 11, 27))
    centre.at(local(date(2026, 11, 25), 10))
    await withdraw_closure(centre.uow(), COORDINATOR, closure_id)
    days = days_of(centre, course.referral_id)
    assert date(2026, 11, 25) not in days  # its arrival was already due
    assert {date(2026, 11, 26), date(2026, 11, 27)} <= set(days)
    assert len(centre.events("provider.calendar_changed.v1")) == 2
    with pytest.raises(NotFound):
        await withdraw_closure(centre.uow(), OTHER_PROVIDER, closure_id)


async def test_a_provider_that_works_on_christmas_eve_expects_its_participants(centre: Centre) -> None:
    centre.at(local(MONDAY_14_DEC, 5))
    course = await centre.start(start=MONDAY_14_DEC)
    assert CHRISTMAS_EVE not in days_of(centre, course.referral_id)
    await set_customary(centre.uow(), COORDINATOR, "christmas_eve", observed=False)
    assert CHRISTMAS_EVE in days_of(centre, course.referral_id)
    assert (await provider_closures(centre.uow(), COORDINATOR)).worked_customary == ["christmas_eve"]
    (announced,) = centre.data("provider.calendar_changed.v1")
    assert announced.customary_worked == ["christmas_eve"]
    await set_customary(centre.uow(), COORDINATOR, "christmas_eve", observed=True)
    assert CHRISTMAS_EVE not in days_of(centre, course.referral_id)


async def test_an_unknown_customary_closure_is_not_found(centre: Centre) -> None:
    with pytest.raises(NotFound):
        await set_customary(centre.uow(), COORDINATOR, "no_such_day", observed=False)


async def test_a_part_day_closure_cuts_a_planned_window_at_its_start(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(THURSDAY, 9))
    await declare(centre, THURSDAY, THURSDAY, start=time(10))
    slot = centre.slot(course.referral_id, THURSDAY)
    assert (slot.window_start, slot.window_end, slot.expected_end, slot.state) == (
        time(8),
        time(10),
        local(THURSDAY, 10),
        "expected",
    )
    assert await centre.sweep() == 4
    assert centre.slot(course.referral_id, FRIDAY).window_end == time(13)


async def test_a_closure_over_a_window_already_attended_adds_no_second_arrival(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(THURSDAY, 8, 5))
    await centre.check_in(course.participant_id)
    centre.at(local(THURSDAY, 9))
    await declare(centre, THURSDAY, THURSDAY, end=time(10))
    assert [s.state for s in centre.slots(course.referral_id, THURSDAY)] == ["present"]
    centre.at(local(THURSDAY, 15))
    assert await centre.sweep() == 3


async def test_closures_are_listed_by_first_day(centre: Centre) -> None:
    later = await declare(centre, date(2026, 12, 28), date(2026, 12, 30), "other")
    earlier = await declare(centre, date(2026, 12, 1), date(2026, 12, 1))
    listed = await provider_closures(centre.uow(), COORDINATOR)
    assert [closure_id for closure_id, _ in listed.closures] == [earlier, later]
    assert (await provider_closures(centre.uow(), OTHER_PROVIDER)).closures == []


# ---- contact attempts -----------------------------------------------------------------------


async def _absent_monday(centre: Centre) -> tuple[ProgrammeStarted, UUID]:
    course = await centre.start()
    centre.at(local(MONDAY, 9))
    await centre.sweep()
    (detected,) = centre.data("absence.detected.v1")
    return course, detected.absence_id


async def test_contact_attempts_are_recorded_as_coded_facts(centre: Centre) -> None:
    _, absence = await _absent_monday(centre)
    await record_contact(centre.uow(), WORKSHOP_LEAD, ContactAttempt(absence, "called_no_answer"))
    await record_contact(
        centre.uow(),
        WORKSHOP_LEAD,
        ContactAttempt(absence, "reason_given", AbsenceReason.ILLNESS, local(MONDAY, 8, 50)),
    )
    contacts = centre.events("absence.contact_recorded.v1")
    assert [(c.data.outcome, c.data.reason) for c in contacts] == [
        ("called_no_answer", None),
        ("reason_given", "illness"),
    ]
    assert contacts[1].data.recorded_at == local(MONDAY, 8, 50)
    assert {c.subject for c in contacts} == {str(absence)}
    async with centre.uow() as uow:
        assert [a.outcome for a in await uow.contacts.of_absence(absence)] == ["reason_given", "called_no_answer"]


@pytest.mark.parametrize(
    ("attempt_of", "error"),
    [
        (lambda a: ContactAttempt(a, "reason_given"), InvalidInput),  # which reason?
        (lambda a: ContactAttempt(a, "sent_a_letter"), InvalidInput),
        (lambda a: ContactAttempt(uuid4(), "reached"), NotFound),
    ],
)
async def test_bad_contact_attempts_are_refused(centre: Centre, attempt_of: object, error: type[Exception]) -> None:
    _, absence = await _absent_monday(centre)
    with pytest.raises(error):
        await record_contact(centre.uow(), WORKSHOP_LEAD, attempt_of(absence))  # type: ignore[operator]
    assert centre.events("absence.contact_recorded.v1") == []


async def test_another_provider_cannot_record_a_contact(centre: Centre) -> None:
    _, absence = await _absent_monday(centre)
    with pytest.raises(NotFound):
        await record_contact(centre.uow(), OTHER_PROVIDER, ContactAttempt(absence, "reached"))


async def test_a_slot_that_was_never_absent_takes_no_contact(centre: Centre) -> None:
    course = await centre.start()
    slot = centre.slot(course.referral_id, MONDAY)
    with pytest.raises(NotFound):
        await record_contact(centre.uow(), WORKSHOP_LEAD, ContactAttempt(slot.id, "reached"))


# ---- breach of agreement --------------------------------------------------------------------


async def test_two_unexcused_days_in_a_row_breach_the_agreement_once(centre: Centre) -> None:
    course = await centre.start(rules=AttendanceRules(breach_unexcused_absences=99, breach_consecutive_days=2))
    centre.at(local(MONDAY, 9))
    await centre.sweep()
    assert await centre.check_breaches() == 0
    centre.at(local(TUESDAY, 9))
    await centre.sweep()
    assert await centre.check_breaches() == 1
    assert await centre.check_breaches() == 0
    (breach,) = centre.events("attendance.agreement_breached.v1")
    assert breach.data.rule == "consecutive_days"
    assert (breach.data.window_first_day, breach.data.window_last_day) == (MONDAY, TUESDAY)
    assert set(breach.data.absence_ids) == {e.absence_id for e in centre.data("absence.detected.v1")}
    assert (breach.subject, breach.referring_org) == (str(course.referral_id), "jobcenter-aalborg")
    async with centre.uow() as uow:
        (kept,) = await uow.breaches.of_course(course.referral_id)
    assert (kept.rule, kept.window_last_day) == ("consecutive_days", TUESDAY)
    centre.at(local(WEDNESDAY, 9))
    await centre.sweep()
    assert await centre.check_breaches() == 0  # the third day alone starts a new run
    centre.at(local(THURSDAY, 9))
    await centre.sweep()
    assert await centre.check_breaches() == 1


async def test_a_day_excused_in_advance_neither_counts_nor_breaks_a_run(centre: Centre) -> None:
    course = await centre.start(rules=AttendanceRules(breach_unexcused_absences=99, breach_consecutive_days=2))
    await report_absence(
        centre.uow(), WORKSHOP_LEAD, AbsenceReport(course.participant_id, AbsenceReason.ILLNESS, TUESDAY, TUESDAY)
    )
    centre.at(local(WEDNESDAY, 9))
    assert await centre.sweep() == 2  # Monday and Wednesday
    assert await centre.check_breaches() == 1
    (breach,) = centre.data("attendance.agreement_breached.v1")
    assert (breach.window_first_day, breach.window_last_day, len(breach.absence_ids)) == (MONDAY, WEDNESDAY, 2)


async def test_an_attended_day_breaks_a_run(centre: Centre) -> None:
    course = await centre.start(rules=AttendanceRules(breach_unexcused_absences=99, breach_consecutive_days=2))
    centre.at(local(TUESDAY, 8))
    await centre.check_in(course.participant_id)
    centre.at(local(WEDNESDAY, 9))
    assert await centre.sweep() == 2  # Monday and Wednesday
    assert await centre.check_breaches() == 0


async def test_three_unexcused_absences_within_ten_working_days(centre: Centre) -> None:
    rules = AttendanceRules(breach_unexcused_absences=3, breach_window_working_days=10, breach_consecutive_days=99)
    course = await centre.start(rules=rules)
    days = [MONDAY + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14)]
    absent_on = {days[0], days[4], days[10]}
    for day in days:
        centre.at(local(day, 8))
        await centre.materialise()
        if day not in absent_on:
            await centre.check_in(course.participant_id)
        centre.at(local(day, 9))
        await centre.sweep()
        assert await centre.check_breaches() == 0, day
    centre.at(local(MONDAY + timedelta(days=15), 9))
    await centre.materialise()
    assert await centre.sweep() == 1
    assert await centre.check_breaches() == 1
    (breach,) = centre.data("attendance.agreement_breached.v1")
    assert (breach.rule, breach.unexcused_absences, breach.window_last_day) == (
        "unexcused_in_window",
        3,
        MONDAY + timedelta(days=15),
    )


# ---- weekly summaries -----------------------------------------------------------------------


async def test_weekly_summary_counts_agreed_attended_and_unexcused(centre: Centre) -> None:
    course = await centre.start()
    for day, arrive, leave in ((MONDAY, (8, 0), (13, 0)), (TUESDAY, (8, 30), (12, 0))):
        centre.at(local(day, *arrive))
        await centre.check_in(course.participant_id)
        centre.at(local(day, *leave))
        await centre.check_out(course.participant_id)
    centre.at(local(FRIDAY, 23, 59))
    await centre.sweep()
    assert await centre.summarise() == 0  # the week is not over in Copenhagen
    centre.at(local(MONDAY + timedelta(days=7), 0, 1))
    assert await centre.summarise() == 0  # over locally, but the sweep waits for UTC midnight
    centre.at(local(MONDAY + timedelta(days=7), 1, 0))
    assert await centre.summarise() == 1
    assert await centre.summarise() == 0
    (week,) = centre.data("attendance.week_summarised.v1")
    assert (week.week_start, week.agreed_minutes, week.attended_minutes) == (MONDAY, 1500, 510)
    assert (week.absent_minutes, week.unexcused_absences) == (990, 3)
    async with centre.uow() as uow:
        (kept,) = await uow.summaries.of_course(course.referral_id)
    assert kept.attended_minutes == 510


async def test_an_internship_week_counts_internship_minutes(centre: Centre) -> None:
    course = await centre.start()
    await report_absence(
        centre.uow(),
        WORKSHOP_LEAD,
        AbsenceReport(course.participant_id, AbsenceReason.INTERNSHIP, WEDNESDAY, WEDNESDAY),
    )
    centre.at(local(MONDAY + timedelta(days=7), 6))
    await centre.sweep()
    assert await centre.summarise() == 1
    (week,) = centre.data("attendance.week_summarised.v1")
    assert (week.internship_minutes, week.absences_by_reason) == (300, {"internship": 1})


async def test_several_weeks_behind_are_summarised_in_one_go(centre: Centre) -> None:
    await centre.start()
    centre.at(local(MONDAY + timedelta(days=21), 6))
    await centre.materialise()
    await centre.sweep()
    assert await centre.summarise() == 3
    assert [w.week_start for w in centre.data("attendance.week_summarised.v1")] == [
        MONDAY,
        MONDAY + timedelta(days=7),
        MONDAY + timedelta(days=14),
    ]


# ---- changes to the course ------------------------------------------------------------------


def _changed(course: ProgrammeStarted, effective_from: date, windows: list[TimeWindow]) -> AgreementChanged:
    return AgreementChanged(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        programme_code=course.programme_code,
        referring_org=course.referring_org,
        provider_org=course.provider_org,
        effective_from=effective_from,
        schedule=windows,
        contact_person_id="cp-2",
        changed_at=local(TUESDAY, 15),
    )


async def test_a_schedule_change_mid_week(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(TUESDAY, 15))
    assert await centre.sweep() == 2
    later = [TimeWindow(weekday=d, start=time(10), end=time(14)) for d in (2, 4)]
    await centre.apply(change_agreement, _changed(course, WEDNESDAY, later), CoursePolicy())
    week = [(s.day, s.window_start, s.state) for s in centre.slots(course.referral_id) if s.day <= FRIDAY]
    assert week == [
        (MONDAY, time(8), "absent"),
        (TUESDAY, time(8), "absent"),
        (WEDNESDAY, time(10), "expected"),
        (FRIDAY, time(10), "expected"),
    ]
    centre.at(local(WEDNESDAY, 10, 14))
    assert await centre.sweep() == 0
    centre.at(local(THURSDAY, 12))
    assert await centre.sweep() == 1


async def test_a_schedule_change_outside_opening_hours_is_refused(centre: Centre) -> None:
    course = await centre.start()
    before = centre.snapshot()
    with pytest.raises(InvalidInput):
        await centre.apply(
            change_agreement,
            _changed(course, WEDNESDAY, [TimeWindow(weekday=0, start=time(6), end=time(9))]),
            CoursePolicy(),
        )
    assert centre.snapshot() == before


async def test_a_change_for_an_unknown_course_is_not_found(centre: Centre) -> None:
    course = await centre.start()
    unknown = _changed(course, WEDNESDAY, []).model_copy(update={"referral_id": uuid4()})
    with pytest.raises(NotFound):
        await centre.apply(change_agreement, unknown, CoursePolicy())


def _rescheduled(course: ProgrammeStarted, previous: date, end: date, change: str) -> ProgrammeRescheduled:
    return ProgrammeRescheduled(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        programme_code=course.programme_code,
        referring_org=course.referring_org,
        provider_org=course.provider_org,
        previous_end_date=previous,
        planned_end_date=end,
        change=change,
        changed_at=local(MONDAY, 7),
    )


async def test_a_course_shortened_then_extended(centre: Centre) -> None:
    course = await centre.start(end=FRIDAY + timedelta(days=7))
    assert len(days_of(centre, course.referral_id)) == 10
    await centre.apply(
        reschedule_course, _rescheduled(course, FRIDAY + timedelta(days=7), WEDNESDAY, "shortened"), CoursePolicy()
    )
    assert days_of(centre, course.referral_id) == [MONDAY, TUESDAY, WEDNESDAY]
    await centre.apply(reschedule_course, _rescheduled(course, WEDNESDAY, FRIDAY, "extended"), CoursePolicy())
    assert days_of(centre, course.referral_id) == [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
    centre.at(local(FRIDAY + timedelta(days=3), 12))
    await centre.materialise()
    assert await centre.sweep() == 5


async def test_shortening_keeps_what_already_happened(centre: Centre) -> None:
    course = await centre.start(end=FRIDAY + timedelta(days=7))
    centre.at(local(THURSDAY, 8))
    await centre.check_in(course.participant_id)
    await centre.apply(
        reschedule_course, _rescheduled(course, FRIDAY + timedelta(days=7), TUESDAY, "x"), CoursePolicy()
    )
    assert (THURSDAY, "present") in [(s.day, s.state) for s in centre.slots(course.referral_id)]


async def test_a_course_that_ends(centre: Centre) -> None:
    course = await centre.start()
    ended = ProgrammeEnded(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        programme_code=course.programme_code,
        referring_org=course.referring_org,
        provider_org=course.provider_org,
        start_date=MONDAY,
        end_date=TUESDAY,
        outcome=Outcome.ORDINARY_EMPLOYMENT,
        ended_at=local(TUESDAY, 14),
    )
    await centre.apply(end_course, ended)
    centre.at(local(FRIDAY, 14))
    assert await centre.sweep() == 2
    assert max(days_of(centre, course.referral_id)) == TUESDAY
    before = centre.snapshot()
    centre.at(local(FRIDAY + timedelta(days=3), 8))
    with pytest.raises(InvalidInput) as refused:
        await centre.check_in(course.participant_id)
    assert "outside the participant's course" in str(refused.value.detail)
    assert centre.snapshot() == before
    centre.at(local(FRIDAY + timedelta(days=7), 8))
    assert await centre.materialise() == 0  # an ended course gets no new slots


# ---- what staff read ------------------------------------------------------------------------


async def test_day_list_and_participant_slots(centre: Centre) -> None:
    first, second = await centre.start(), await centre.start()
    centre.at(local(MONDAY, 8, 5))
    await centre.check_in(first.participant_id)
    listed = await day_list(centre.uow(), "rca-aalborg", MONDAY)
    assert {v.participant_id for v in listed} == {first.participant_id, second.participant_id}
    assert sorted(v.state for v in listed) == ["expected", "present"]
    slots = await participant_slots(centre.uow(), "rca-aalborg", first.participant_id, MONDAY, FRIDAY)
    assert [s.day for s in slots] == [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
    assert slots[0].minutes_late == 5
    assert await day_list(centre.uow(), "aktivitetscenter-malmo", MONDAY) == []


async def test_participant_slots_are_scoped_and_bounded(centre: Centre) -> None:
    course = await centre.start()
    with pytest.raises(NotFound):
        await participant_slots(centre.uow(), "aspa-odense", course.participant_id, MONDAY, FRIDAY)
    with pytest.raises(InvalidInput):
        await participant_slots(centre.uow(), "rca-aalborg", course.participant_id, FRIDAY, MONDAY)
    with pytest.raises(InvalidInput):
        await participant_slots(
            centre.uow(), "rca-aalborg", course.participant_id, MONDAY, MONDAY + timedelta(days=400)
        )


# ---- one tick of the periodic work ----------------------------------------------------------


async def test_one_tick_materialises_sweeps_checks_breaches_and_summarises(centre: Centre) -> None:
    await centre.start(rules=AttendanceRules(breach_consecutive_days=2))
    centre.at(local(MONDAY + timedelta(days=7), 10))
    result = await tick(centre.uow, centre.clock.now(), days_ahead=14, sweep_batch=3)
    assert result.slots_created == 5
    assert result.absences_detected == 6  # the first week and the second Monday, in batches of 3
    assert result.breaches_raised >= 1
    assert result.weeks_summarised == 1

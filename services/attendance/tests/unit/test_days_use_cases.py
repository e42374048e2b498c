"""A participant's days on the in-memory unit of work: expected arrivals from the course's start,
check-in and check-out, detection at start plus grace, absence reported in advance, lateness."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import uuid4

import pytest

from forlob_attendance.application.courses import CoursePolicy
from forlob_attendance.application.registration import (
    AbsenceReport,
    CheckInEntry,
    check_in_list,
    report_absence,
)
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import AbsenceReason, AttendanceRules, TimeWindow
from forlob_testkit.attendance import MONDAY, local
from forlob_testkit.attendance_rules import CONTACT_PERSON, COORDINATOR, OTHER_PROVIDER, WORKSHOP_LEAD, Centre

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + timedelta(days=n) for n in range(1, 5))


# ---- the start materialises expected arrivals ----------------------------------------------


async def test_a_started_course_expects_arrivals_fourteen_days_ahead(centre: Centre) -> None:
    course = await centre.start()
    days = [s.day for s in centre.slots(course.referral_id)]
    assert days == [MONDAY + timedelta(days=n) for n in range(15) if (MONDAY + timedelta(days=n)).weekday() < 5]
    first = centre.slot(course.referral_id, MONDAY)
    assert (first.state, first.expected_start, first.expected_end) == ("expected", local(MONDAY, 8), local(MONDAY, 13))
    assert first.due_at == local(MONDAY, 8, 15)  # the default grace, 15 minutes


async def test_a_course_start_publishes_nothing_of_its_own(centre: Centre) -> None:
    await centre.start()
    assert centre.events() == []


async def test_the_programme_s_grace_sets_when_an_arrival_is_due(centre: Centre) -> None:
    centre.policy = CoursePolicy(default_grace_minutes=30)
    strict = await centre.start(rules=AttendanceRules(absence_grace_minutes=5))
    unset = await centre.start()
    assert centre.slot(strict.referral_id, MONDAY).due_at == local(MONDAY, 8, 5)
    assert centre.slot(unset.referral_id, MONDAY).due_at == local(MONDAY, 8, 30)  # the service's setting


async def test_only_the_agreed_weekdays_are_expected(centre: Centre) -> None:
    schedule = [TimeWindow(weekday=d, start=time(9), end=time(12)) for d in (1, 3)]
    course = await centre.start(schedule=schedule)
    assert {s.day.weekday() for s in centre.slots(course.referral_id)} == {1, 3}


async def test_two_windows_on_a_day_are_two_arrivals(centre: Centre) -> None:
    schedule = [TimeWindow(weekday=0, start=time(8), end=time(10)), TimeWindow(weekday=0, start=time(12), end=time(14))]
    course = await centre.start(schedule=schedule)
    assert [s.window_start for s in centre.slots(course.referral_id, MONDAY)] == [time(8), time(12)]


async def test_a_schedule_outside_opening_hours_is_refused(centre: Centre) -> None:
    late = [TimeWindow(weekday=0, start=time(13), end=time(15))]
    with pytest.raises(InvalidInput):
        await centre.start(schedule=late)
    assert centre.store.tables.get("courses", {}) == {}


async def test_a_course_ending_before_it_starts_is_refused(centre: Centre) -> None:
    with pytest.raises(InvalidInput):
        await centre.start(end=MONDAY - timedelta(days=1))


async def test_a_course_started_twice_is_a_conflict(centre: Centre) -> None:
    course = await centre.start()
    with pytest.raises(Conflict):
        await centre.start(course)
    assert len(centre.slots(course.referral_id)) == 11


async def test_materialising_carries_the_slots_forward_to_the_horizon(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY + timedelta(days=7), 6))
    created = await centre.materialise()
    assert created == 5
    assert centre.slots(course.referral_id)[-1].day == MONDAY + timedelta(days=21)
    assert await centre.materialise() == 0


async def test_materialising_stops_at_the_course_s_end(centre: Centre) -> None:
    course = await centre.start(end=FRIDAY + timedelta(days=7))
    centre.at(local(FRIDAY, 6))
    assert await centre.materialise() == 0
    assert centre.slots(course.referral_id)[-1].day == FRIDAY + timedelta(days=7)


# ---- check-in and check-out -----------------------------------------------------------------


async def test_a_normal_day_gives_check_in_and_out_and_no_absence(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 7, 55))
    arrived = await centre.check_in(course.participant_id)
    assert (arrived.minutes_late, arrived.day, arrived.referral_id) == (0, MONDAY, course.referral_id)
    centre.at(local(MONDAY, 9))
    assert await centre.sweep() == 0
    centre.at(local(MONDAY, 12, 40))
    left = await centre.check_out(course.participant_id)
    assert (left.minutes_early, left.attended_minutes) == (20, 285)
    (checked_in,) = centre.events("attendance.checked_in.v1")
    assert (checked_in.data.expected_at, checked_in.subject) == (local(MONDAY, 8), str(course.referral_id))
    (checked_out,) = centre.data("attendance.checked_out.v1")
    assert (checked_out.minutes_early, checked_out.attended_minutes) == (20, 285)
    assert centre.slot(course.referral_id, MONDAY).state == "present"


async def test_a_late_check_in_counts_the_minutes(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8, 10))
    assert (await centre.check_in(course.participant_id)).minutes_late == 10


async def test_a_check_in_may_be_registered_afterwards_with_its_time(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 10))
    registered = await centre.check_in(course.participant_id, at=local(MONDAY, 8, 5))
    assert (registered.at, registered.minutes_late) == (local(MONDAY, 8, 5), 5)


async def test_the_second_window_of_a_day_takes_an_afternoon_arrival(centre: Centre) -> None:
    schedule = [TimeWindow(weekday=0, start=time(8), end=time(10)), TimeWindow(weekday=0, start=time(12), end=time(14))]
    course = await centre.start(schedule=schedule)
    centre.at(local(MONDAY, 12, 3))
    registered = await centre.check_in(course.participant_id)
    assert registered.minutes_late == 3
    morning, afternoon = centre.slots(course.referral_id, MONDAY)
    assert (morning.checked_in_at, afternoon.state) == (None, "present")


@pytest.mark.parametrize(
    ("at", "words"),
    [
        ((7, 0), "opening hours"),
        ((9, 0), "future"),
    ],
)
async def test_a_check_in_at_a_bad_time_is_refused(centre: Centre, at: tuple[int, int], words: str) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8, 30))
    before = centre.snapshot()
    with pytest.raises(InvalidInput) as refused:
        await centre.check_in(course.participant_id, at=local(MONDAY, *at))
    assert words in str(refused.value.detail)
    assert centre.snapshot() == before


async def test_a_check_in_time_without_offset_is_refused(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8, 30))
    with pytest.raises(InvalidInput) as refused:
        await centre.check_in(course.participant_id, at=local(MONDAY, 8).replace(tzinfo=None))
    assert "offset" in str(refused.value.detail)


async def test_a_check_in_at_the_weekend_is_outside_opening_hours(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY + timedelta(days=5), 10))
    with pytest.raises(InvalidInput):
        await centre.check_in(course.participant_id)


async def test_checking_in_twice_is_a_conflict(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8))
    await centre.check_in(course.participant_id)
    with pytest.raises(Conflict):
        await centre.check_in(course.participant_id)


@pytest.mark.parametrize("staff", [WORKSHOP_LEAD, OTHER_PROVIDER])
async def test_an_unknown_participant_is_not_found(centre: Centre, staff: object) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8))
    participant = uuid4() if staff is WORKSHOP_LEAD else course.participant_id
    with pytest.raises(NotFound):
        await centre.check_in(participant, staff=staff)  # type: ignore[arg-type]


async def test_a_check_out_without_check_in_is_a_conflict(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 12))
    with pytest.raises(Conflict):
        await centre.check_out(course.participant_id)


async def test_a_check_out_before_the_check_in_is_refused(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8))
    await centre.check_in(course.participant_id)
    centre.at(local(MONDAY, 9))
    with pytest.raises(InvalidInput):
        await centre.check_out(course.participant_id, at=local(MONDAY, 7, 59))


async def test_a_day_list_registers_everyone_together(centre: Centre) -> None:
    first, second = await centre.start(), await centre.start()
    centre.at(local(MONDAY, 8, 5))
    entries = [CheckInEntry(first.participant_id), CheckInEntry(second.participant_id, local(MONDAY, 7, 58))]
    registered = await check_in_list(centre.uow(), WORKSHOP_LEAD, entries)
    assert [r.minutes_late for r in registered] == [5, 0]
    assert len(centre.events("attendance.checked_in.v1")) == 2


async def test_a_day_list_with_one_bad_entry_registers_nobody(centre: Centre) -> None:
    first = await centre.start()
    centre.at(local(MONDAY, 8, 2))
    before = centre.snapshot()
    with pytest.raises(NotFound) as refused:
        await check_in_list(centre.uow(), WORKSHOP_LEAD, [CheckInEntry(first.participant_id), CheckInEntry(uuid4())])
    assert str(refused.value.detail).startswith("entry 1:")
    assert centre.snapshot() == before


async def test_a_day_list_naming_someone_twice_is_refused(centre: Centre) -> None:
    first = await centre.start()
    with pytest.raises(InvalidInput):
        await check_in_list(centre.uow(), WORKSHOP_LEAD, [CheckInEntry(first.participant_id)] * 2)


# ---- detection and the late arrival ---------------------------------------------------------


async def test_detection_at_start_plus_grace_then_a_late_arrival_resolves_it(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8, 14) + timedelta(seconds=59))
    assert await centre.sweep() == 0  # inside the 15 minutes' grace
    centre.at(local(MONDAY, 8, 15))
    assert await centre.sweep() == 1
    assert await centre.sweep() == 0  # detected once
    (detected,) = centre.events("absence.detected.v1")
    data = detected.data
    assert (data.referral_id, data.participant_id, data.day) == (course.referral_id, course.participant_id, MONDAY)
    assert (data.expected_at, data.expected_end, data.detected_at) == (
        local(MONDAY, 8),
        local(MONDAY, 13),
        local(MONDAY, 8, 15),
    )
    assert detected.subject == str(data.absence_id)
    assert (detected.provider_org, detected.referring_org) == ("rca-aalborg", "jobcenter-aalborg")
    slot = centre.slot(course.referral_id, MONDAY)
    assert (slot.state, slot.absence_id) == ("absent", data.absence_id)

    centre.at(local(MONDAY, 8, 40))
    arrived = await centre.check_in(course.participant_id)
    assert (arrived.minutes_late, arrived.absence_resolved) == (40, data.absence_id)
    (resolved,) = centre.events("absence.resolved.v1")
    assert (resolved.data.resolution, resolved.data.minutes_late, resolved.subject) == (
        "late_arrival",
        40,
        detected.subject,
    )
    assert (slot.state, slot.resolution) == ("present", "late_arrival")


async def test_the_sweep_takes_at_most_its_batch(centre: Centre) -> None:
    await centre.start()
    centre.at(local(FRIDAY, 15))
    assert await centre.sweep(batch=2) == 2
    assert await centre.sweep(batch=10) == 3
    assert [e.data.day for e in centre.events("absence.detected.v1")] == [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]


async def test_the_sweep_flags_the_course_for_the_breach_rules(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 9))
    await centre.sweep()
    assert centre.store.table("breach_checks", set) == {course.referral_id}
    await centre.check_breaches()
    assert centre.store.table("breach_checks", set) == set()


# ---- absence reported in advance ------------------------------------------------------------


async def test_absence_reported_the_evening_before_means_no_detection(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 19, 30))
    reported = await report_absence(
        centre.uow(), CONTACT_PERSON, AbsenceReport(course.participant_id, AbsenceReason.ILLNESS, TUESDAY, TUESDAY)
    )
    assert reported.excused_slots == 1
    centre.at(local(TUESDAY, 10))
    assert await centre.sweep() == 1
    assert [e.day for e in centre.data("absence.detected.v1")] == [MONDAY]
    assert (centre.slot(course.referral_id, TUESDAY).state, centre.slot(course.referral_id, TUESDAY).reason) == (
        "excused",
        "illness",
    )
    (event,) = centre.data("attendance.absence_reported.v1")
    assert (event.reason, event.first_day, event.last_day, event.reported_at) == (
        "illness",
        TUESDAY,
        TUESDAY,
        local(MONDAY, 19, 30),
    )


async def test_an_internship_day_is_attendance_elsewhere(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 7))
    await report_absence(
        centre.uow(),
        WORKSHOP_LEAD,
        AbsenceReport(course.participant_id, AbsenceReason.INTERNSHIP, WEDNESDAY, WEDNESDAY),
    )
    centre.at(local(WEDNESDAY, 12))
    assert await centre.sweep() == 2
    assert centre.slot(course.referral_id, WEDNESDAY).state == "internship"


async def test_absence_reported_after_detection_resolves_it(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 9))
    await centre.sweep()
    (detected,) = centre.data("absence.detected.v1")
    reported = await report_absence(
        centre.uow(),
        WORKSHOP_LEAD,
        AbsenceReport(course.participant_id, AbsenceReason.SPECIALIST_APPOINTMENT, MONDAY, MONDAY),
    )
    assert reported.resolved_absences == [detected.absence_id]
    (resolved,) = centre.data("absence.resolved.v1")
    assert (resolved.resolution, resolved.reason) == ("reported", "specialist_appointment")
    assert centre.slot(course.referral_id, MONDAY).state == "excused"


async def test_a_report_does_not_rewrite_an_attended_day(centre: Centre) -> None:
    course = await centre.start()
    centre.at(local(MONDAY, 8))
    await centre.check_in(course.participant_id)
    reported = await report_absence(
        centre.uow(), WORKSHOP_LEAD, AbsenceReport(course.participant_id, AbsenceReason.ILLNESS, MONDAY, TUESDAY)
    )
    assert reported.excused_slots == 1
    assert centre.slot(course.referral_id, MONDAY).state == "present"


async def test_a_reported_absence_beyond_the_horizon_excuses_slots_made_later(centre: Centre) -> None:
    course = await centre.start()
    first, last = MONDAY + timedelta(days=21), MONDAY + timedelta(days=25)
    reported = await report_absence(
        centre.uow(), COORDINATOR, AbsenceReport(course.participant_id, AbsenceReason.HOLIDAY, first, last)
    )
    assert reported.excused_slots == 0  # no slots that far ahead yet
    centre.at(local(first, 6))
    await centre.materialise()
    holiday = [s for s in centre.slots(course.referral_id) if first <= s.day <= last]
    assert [(s.state, s.reason) for s in holiday] == [("excused", "holiday")] * 5
    centre.at(local(last, 14))
    await centre.sweep()
    assert not [e for e in centre.data("absence.detected.v1") if e.day >= first]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 11, 27), date(2026, 11, 24)),  # backwards
        (date(2026, 1, 5), date(2026, 1, 5)),  # before the course
        (date(2026, 11, 24), date(2030, 1, 1)),  # beyond it
    ],
)
async def test_a_bad_absence_report_is_refused_and_changes_nothing(centre: Centre, first: date, last: date) -> None:
    course = await centre.start()
    before = centre.snapshot()
    with pytest.raises(InvalidInput):
        await report_absence(
            centre.uow(), WORKSHOP_LEAD, AbsenceReport(course.participant_id, AbsenceReason.ILLNESS, first, last)
        )
    assert centre.snapshot() == before


async def test_another_provider_cannot_report_an_absence(centre: Centre) -> None:
    course = await centre.start()
    with pytest.raises(NotFound):
        await report_absence(
            centre.uow(), OTHER_PROVIDER, AbsenceReport(course.participant_id, AbsenceReason.ILLNESS, MONDAY, MONDAY)
        )


# ---- the calendar: holidays and daylight saving ---------------------------------------------


async def test_ascension_day_has_no_expected_arrival_and_store_bededag_has_one(centre: Centre) -> None:
    course = await centre.start(start=date(2026, 4, 27), end=date(2026, 5, 22))
    centre.at(local(date(2026, 5, 14), 13))
    await centre.materialise()
    days = {s.day for s in centre.slots(course.referral_id)}
    assert date(2026, 5, 1) in days  # Store Bededag: a working day since 2024
    assert date(2026, 5, 14) not in days  # Ascension Day
    assert date(2026, 5, 15) in days
    assert await centre.sweep() == 13


@pytest.mark.parametrize(
    ("friday", "monday", "hours"),
    [(date(2026, 3, 27), date(2026, 3, 30), (7, 6)), (date(2026, 10, 23), date(2026, 10, 26), (6, 7))],
)
async def test_arrivals_keep_their_local_time_over_daylight_saving(
    centre: Centre, friday: date, monday: date, hours: tuple[int, int]
) -> None:
    await centre.start(start=friday, end=monday + timedelta(days=30))
    for day in (friday, monday):
        due = local(day, 8, 15)
        centre.at(due - timedelta(seconds=1))
        assert await centre.sweep() == 0, day
        centre.at(due)
        assert await centre.sweep() == 1, day
    detected = centre.data("absence.detected.v1")
    assert [e.expected_at for e in detected] == [local(friday, 8), local(monday, 8)]
    assert tuple(e.expected_at.hour for e in detected) == hours  # UTC

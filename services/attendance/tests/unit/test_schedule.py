"""Expected arrivals from the agreed schedule: weekends, holidays, DST and opening hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from forlob_attendance.domain.schedule import (
    ScheduleVersion,
    days_between,
    plan_slots,
    windows_inside_opening_hours,
    windows_on,
)
from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.errors import InvalidInput
from forlob_shared.events import TimeWindow

DK = ProviderCalendar("DK")
OPENING = [TimeWindow(weekday=d, start=time(7, 30), end=time(14, 30)) for d in range(4)] + [
    TimeWindow(weekday=4, start=time(7, 30), end=time(14, 0))
]
WEEKDAYS_8_TO_12 = ScheduleVersion(
    date(2020, 1, 1), tuple(TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(5))
)
GRACE = timedelta(minutes=15)


def _plan(first: date, last: date, versions: tuple[ScheduleVersion, ...] = (WEEKDAYS_8_TO_12,)) -> dict[date, datetime]:
    return {s.day: s.expected_start for s in plan_slots(DK, versions, days_between(first, last), GRACE)}


def test_a_week_gives_one_slot_per_weekday_and_none_at_the_weekend() -> None:
    slots = plan_slots(DK, (WEEKDAYS_8_TO_12,), days_between(date(2026, 11, 23), date(2026, 11, 29)), GRACE)
    assert [s.day.weekday() for s in slots] == [0, 1, 2, 3, 4]
    monday = slots[0]
    assert monday.expected_start == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert monday.expected_end == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert monday.due_at == datetime(2026, 11, 23, 7, 15, tzinfo=UTC)


def test_ascension_day_has_no_slot_and_store_bededag_is_a_working_day_from_2024() -> None:
    week = _plan(date(2026, 5, 11), date(2026, 5, 15))
    assert date(2026, 5, 14) not in week  # Ascension Day (Kristi Himmelfartsdag)
    assert set(week) == {date(2026, 5, 11), date(2026, 5, 12), date(2026, 5, 13), date(2026, 5, 15)}
    assert date(2026, 5, 1) in _plan(date(2026, 5, 1), date(2026, 5, 1))  # fourth Friday after Easter 2026
    assert date(2024, 4, 26) in _plan(date(2024, 4, 26), date(2024, 4, 26))  # the first year without it
    assert _plan(date(2023, 5, 5), date(2023, 5, 5)) == {}  # Store Bededag 2023, still a holiday


def test_spring_forward_week_keeps_the_local_time() -> None:
    week = _plan(date(2026, 3, 27), date(2026, 3, 30))  # summer time from Sunday 29 March 2026
    assert week[date(2026, 3, 27)] == datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    assert week[date(2026, 3, 30)] == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def test_fall_back_week_keeps_the_local_time() -> None:
    week = _plan(date(2026, 10, 23), date(2026, 10, 26))  # winter time from Sunday 25 October 2026
    assert week[date(2026, 10, 23)] == datetime(2026, 10, 23, 6, 0, tzinfo=UTC)
    assert week[date(2026, 10, 26)] == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)


def test_the_newest_schedule_version_in_force_decides() -> None:
    later = ScheduleVersion(date(2026, 11, 25), (TimeWindow(weekday=2, start=time(10), end=time(14)),))
    versions = (WEEKDAYS_8_TO_12, later)
    assert [w.start for w in windows_on(versions, date(2026, 11, 24))] == [time(8)]
    assert [w.start for w in windows_on(versions, date(2026, 11, 25))] == [time(10)]
    assert windows_on(versions, date(2026, 11, 26)) == ()  # Thursday is not in the new agreement
    assert windows_on((later,), date(2026, 11, 24)) == ()  # before any version


def test_agreed_windows_must_lie_inside_opening_hours_and_not_overlap() -> None:
    windows_inside_opening_hours([TimeWindow(weekday=0, start=time(7, 30), end=time(14, 30))], OPENING)
    with pytest.raises(InvalidInput, match="opening hours"):
        windows_inside_opening_hours([TimeWindow(weekday=4, start=time(8), end=time(14, 15))], OPENING)
    with pytest.raises(InvalidInput, match="opening hours"):
        windows_inside_opening_hours([TimeWindow(weekday=5, start=time(9), end=time(10))], OPENING)
    with pytest.raises(InvalidInput, match="overlap"):
        windows_inside_opening_hours(
            [
                TimeWindow(weekday=1, start=time(8), end=time(11)),
                TimeWindow(weekday=1, start=time(10), end=time(12)),
            ],
            OPENING,
        )


def _window(weekday: int, start: int, end: int) -> ScheduleVersion:
    return ScheduleVersion(date(2026, 1, 1), (TimeWindow(weekday=weekday, start=time(start), end=time(end)),))


def test_christmas_eve_and_new_years_eve_have_no_slot_in_denmark() -> None:
    versions = (
        ScheduleVersion(date(2026, 1, 1), tuple(TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(5))),
    )
    days = {s.day for s in plan_slots(DK, versions, days_between(date(2026, 12, 21), date(2027, 1, 1)), GRACE)}
    assert days == {date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 28),
                    date(2026, 12, 29), date(2026, 12, 30)}  # fmt: skip


def test_a_window_across_noon_on_constitution_day_is_expected_until_noon() -> None:
    friday = date(2026, 6, 5)
    [slot] = plan_slots(DK, (_window(4, 10, 14),), [friday], GRACE)
    assert (slot.window_start, slot.window_end) == (time(10), time(12))
    assert slot.expected_end == datetime(2026, 6, 5, 10, 0, tzinfo=UTC)  # 12:00 in Copenhagen (summer time)
    assert slot.due_at == datetime(2026, 6, 5, 8, 15, tzinfo=UTC)
    # A window that starts at noon or later is not expected at all.
    assert plan_slots(DK, (_window(4, 12, 14),), [friday], GRACE) == []
    assert plan_slots(DK, (_window(4, 13, 15),), [friday], GRACE) == []
    # A provider that works that afternoon expects the whole window.
    worked = ProviderCalendar("DK", open_on=frozenset({"constitution_day_afternoon"}))
    [whole] = plan_slots(worked, (_window(4, 10, 14),), [friday], GRACE)
    assert whole.window_end == time(14)


def test_a_declared_summer_closure_has_no_slot() -> None:
    summer = Closure(date(2026, 7, 13), date(2026, 7, 24), reason="summer_closure")
    closed = ProviderCalendar("DK", closures=(summer,))
    versions = (
        ScheduleVersion(date(2026, 1, 1), tuple(TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(5))),
    )
    days = {s.day for s in plan_slots(closed, versions, days_between(date(2026, 7, 6), date(2026, 7, 31)), GRACE)}
    assert days == {date(2026, 7, 6) + timedelta(days=n) for n in (0, 1, 2, 3, 4, 21, 22, 23, 24, 25)}

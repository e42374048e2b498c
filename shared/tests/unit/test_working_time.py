from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.working_time import Window, WorkingHours

DK = ProviderCalendar("DK")
OFFICE = WorkingHours.of([], DK)  # Mon-Fri 08:00-16:00 local


def cph(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return DK.at(date(y, m, d), time(hh, mm))


def test_minutes_inside_one_window() -> None:
    assert OFFICE.add_minutes(cph(2026, 11, 23, 9), 30) == cph(2026, 11, 23, 9, 30)


def test_before_hours_counting_starts_when_work_starts() -> None:
    assert OFFICE.add_minutes(cph(2026, 11, 23, 6), 30) == cph(2026, 11, 23, 8, 30)


def test_friday_afternoon_runs_over_the_weekend() -> None:
    assert OFFICE.add_minutes(cph(2026, 11, 27, 15, 50), 30) == cph(2026, 11, 30, 8, 20)


def test_public_holidays_count_nothing() -> None:
    # Tuesday 23 December 2025 15:45; Christmas Eve is closed by custom, Christmas Day and the day
    # after are holidays, then a weekend.
    assert OFFICE.add_minutes(cph(2025, 12, 23, 15, 45), 30) == cph(2025, 12, 29, 8, 15)
    # Maundy Thursday to Easter Monday 2026: Wednesday afternoon runs on to Tuesday.
    assert OFFICE.add_minutes(cph(2026, 4, 1, 15, 0), 120) == cph(2026, 4, 7, 9, 0)


def test_daylight_saving_keeps_wall_clock_hours() -> None:
    # The night to Sunday 29 March 2026 loses an hour; Monday still starts at 08:00 local.
    due = OFFICE.add_minutes(cph(2026, 3, 27, 15, 30), 60)
    assert due == cph(2026, 3, 30, 8, 30)
    assert due.astimezone(UTC).hour == 6  # UTC+2 now


def test_split_days_and_own_hours() -> None:
    hours = WorkingHours.of(
        [Window(0, time(7, 30), time(11, 0)), Window(0, time(12, 0), time(14, 30)), Window(3, time(9), time(12))], DK
    )
    assert hours.add_minutes(cph(2026, 11, 23, 10, 45), 30) == cph(2026, 11, 23, 12, 15)
    assert hours.add_minutes(cph(2026, 11, 23, 14, 20), 30) == cph(2026, 11, 26, 9, 20)
    assert hours.is_working(cph(2026, 11, 23, 12, 30))
    assert not hours.is_working(cph(2026, 11, 23, 11, 30))
    assert not hours.is_working(cph(2026, 11, 24, 9))


def test_negative_minutes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_minutes(cph(2026, 11, 23, 9), -1)


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    minutes=st.integers(min_value=0, max_value=3000),
)
def test_adding_then_measuring_gives_the_same_minutes(start: datetime, minutes: int) -> None:
    start = start.replace(second=0, microsecond=0)
    due = OFFICE.add_minutes(start, minutes)
    assert due >= start
    assert OFFICE.minutes_between(start, due) == minutes
    if minutes:
        assert OFFICE.is_working(due - timedelta(seconds=1))


# --- closures: customary and declared -----------------------------------------------------------


def test_christmas_eve_and_new_years_eve_count_nothing_in_denmark() -> None:
    # Tuesday 23 December 2025 15:50: ten minutes that day, then nothing until Monday 29 December.
    assert OFFICE.minutes_between(cph(2025, 12, 24, 0), cph(2025, 12, 25, 0)) == 0
    assert OFFICE.add_minutes(cph(2025, 12, 23, 15, 50), 20) == cph(2025, 12, 29, 8, 10)
    # Tuesday 30 December 2025 15:50: 31 December and New Year's Day count nothing.
    assert OFFICE.add_minutes(cph(2025, 12, 30, 15, 50), 20) == cph(2026, 1, 2, 8, 10)


def test_constitution_day_counts_only_the_morning() -> None:
    # Friday 5 June 2026: 08:00-12:00 counts, the afternoon does not.
    assert OFFICE.minutes_between(cph(2026, 6, 5, 0), cph(2026, 6, 6, 0)) == 4 * 60
    assert OFFICE.add_minutes(cph(2026, 6, 5, 11, 45), 30) == cph(2026, 6, 8, 8, 15)
    assert not OFFICE.is_working(cph(2026, 6, 5, 13))
    assert OFFICE.is_working(cph(2026, 6, 5, 11))


def test_a_provider_that_opens_on_a_customary_day_counts_it() -> None:
    open_on_eve = WorkingHours.of([], ProviderCalendar("DK", open_on=frozenset({"christmas_eve"})))
    assert open_on_eve.minutes_between(cph(2025, 12, 24, 0), cph(2025, 12, 25, 0)) == 8 * 60
    # New Year's Eve is still closed: the opt-out is per customary closure.
    assert open_on_eve.minutes_between(cph(2025, 12, 31, 0), cph(2026, 1, 1, 0)) == 0


def test_a_declared_summer_closure_counts_nothing() -> None:
    summer = Closure(date(2026, 7, 13), date(2026, 7, 24), reason="summer_closure")
    hours = WorkingHours.of([], ProviderCalendar("DK", closures=(summer,)))
    # Friday 10 July 15:50 plus 20 minutes: the two closed weeks are skipped.
    assert hours.add_minutes(cph(2026, 7, 10, 15, 50), 20) == cph(2026, 7, 27, 8, 10)
    assert hours.minutes_between(cph(2026, 7, 13, 0), cph(2026, 7, 25, 0)) == 0
    assert OFFICE.minutes_between(cph(2026, 7, 13, 0), cph(2026, 7, 25, 0)) == 10 * 8 * 60


def test_a_declared_part_day_closure_counts_the_rest_of_the_day() -> None:
    staff_afternoon = Closure(date(2026, 3, 11), date(2026, 3, 11), reason="staff_day", start=time(13, 0))
    hours = WorkingHours.of([], ProviderCalendar("DK", closures=(staff_afternoon,)))
    assert hours.minutes_between(cph(2026, 3, 11, 0), cph(2026, 3, 12, 0)) == 5 * 60
    assert hours.add_minutes(cph(2026, 3, 11, 12, 50), 20) == cph(2026, 3, 12, 8, 10)

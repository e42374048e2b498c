"""Breach rules at their edges: the N-th absence inside the window and just outside it."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from forlob_attendance.domain.breach import (
    CONSECUTIVE_RULE,
    WINDOW_RULE,
    CourseDay,
    day_status,
    find_breaches,
    window_start,
)
from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.events import AttendanceRules

DK = ProviderCalendar("DK")
# Window rule only: 3 unexcused within 10 working days (consecutive rule out of reach).
WINDOW_ONLY = AttendanceRules(breach_unexcused_absences=3, breach_window_working_days=10, breach_consecutive_days=99)
CONSECUTIVE_ONLY = AttendanceRules(breach_unexcused_absences=99, breach_consecutive_days=2)


def working_days(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if DK.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


# Monday 2 November 2026 and the next 14 working days (no holidays in between).
WD = working_days(date(2026, 11, 2), 15)


def course(statuses: dict[date, str]) -> list[CourseDay]:
    return [CourseDay(d, statuses.get(d, "present"), (uuid4(),) if statuses.get(d) == "unexcused" else ()) for d in WD]


def test_third_absence_on_the_tenth_working_day_is_a_breach() -> None:
    days = course({WD[0]: "unexcused", WD[4]: "unexcused", WD[9]: "unexcused"})
    [breach] = find_breaches(days, DK, WINDOW_ONLY, {})
    assert breach.rule == WINDOW_RULE
    assert (breach.window_first_day, breach.window_last_day) == (WD[0], WD[9])
    assert breach.unexcused_absences == 3


def test_third_absence_on_the_eleventh_working_day_is_not() -> None:
    days = course({WD[0]: "unexcused", WD[4]: "unexcused", WD[10]: "unexcused"})
    assert find_breaches(days, DK, WINDOW_ONLY, {}) == []


def test_the_window_counts_working_days_so_a_holiday_widens_it() -> None:
    # 10 working days ending on Friday 15 May 2026 begin on Friday 1 May: Ascension Day (14 May) is
    # not counted, Store Bededag (1 May, abolished from 2024) is.
    assert window_start(DK, date(2026, 5, 15), 10) == date(2026, 5, 1)
    assert window_start(DK, date(2026, 11, 13), 10) == date(2026, 11, 2)


def test_a_breach_is_raised_once_and_the_next_needs_new_absences() -> None:
    days = course({WD[0]: "unexcused", WD[1]: "unexcused", WD[2]: "unexcused", WD[3]: "unexcused"})
    [first] = find_breaches(days, DK, WINDOW_ONLY, {})
    assert first.window_last_day == WD[2]
    assert find_breaches(days, DK, WINDOW_ONLY, {WINDOW_RULE: WD[2]}) == []  # WD[3] alone is not three
    more = course(dict.fromkeys(WD[:6], "unexcused"))
    [second] = find_breaches(more, DK, WINDOW_ONLY, {WINDOW_RULE: WD[2]})
    assert second.window_last_day == WD[5]


def test_two_days_in_a_row_is_a_breach_but_an_attended_day_between_is_not() -> None:
    assert find_breaches(course({WD[0]: "unexcused", WD[2]: "unexcused"}), DK, CONSECUTIVE_ONLY, {}) == []
    [breach] = find_breaches(course({WD[3]: "unexcused", WD[4]: "unexcused"}), DK, CONSECUTIVE_ONLY, {})
    assert breach.rule == CONSECUTIVE_RULE
    assert (breach.window_first_day, breach.window_last_day) == (WD[3], WD[4])


def test_an_excused_day_neither_counts_nor_breaks_the_run() -> None:
    days = course({WD[0]: "unexcused", WD[1]: "excused", WD[2]: "unexcused"})
    [breach] = find_breaches(days, DK, CONSECUTIVE_ONLY, {})
    assert (breach.window_first_day, breach.window_last_day) == (WD[0], WD[2])
    assert breach.unexcused_absences == 2
    assert (
        find_breaches(course({WD[0]: "unexcused", WD[1]: "pending", WD[2]: "unexcused"}), DK, CONSECUTIVE_ONLY, {})
        == []
    )


def test_day_status_from_slot_states() -> None:
    assert day_status(["absent", "present"]) == "present"
    assert day_status(["absent", "excused"]) == "unexcused"
    assert day_status(["expected"]) == "pending"
    assert day_status(["internship"]) == "excused"


def test_closed_days_widen_the_window_like_holidays() -> None:
    # Friday 13 November 2026: ten working days back is Monday 2 November; with a staff day on
    # Wednesday 4 November the window reaches one working day further back.
    staff_day = Closure(date(2026, 11, 4), date(2026, 11, 4), reason="staff_day")
    closed = ProviderCalendar("DK", closures=(staff_day,))
    assert window_start(closed, date(2026, 11, 13), 10) == date(2026, 10, 30)
    # 24 December is closed by custom in Denmark: ten working days to Wednesday 30 December 2026.
    assert window_start(DK, date(2026, 12, 30), 10) == date(2026, 12, 15)

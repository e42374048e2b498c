"""Breach of the attendance agreement: the programme's rules over a participant's course days.

Two rules, each raised once per breach:

- ``unexcused_in_window``: N days with an unexcused absence within M working days (the window
  ends on the day of the N-th absence and counts the provider's working days back from it);
- ``consecutive_days``: K course days in a row with an unexcused absence. Days excused in
  advance (illness reported, internship, ...) neither count nor break the run; a day attended
  (even late) or not yet decided breaks it.

After a breach, only absences on later days can make the next breach of the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from forlob_shared.calendar import ProviderCalendar
from forlob_shared.events import AttendanceRules

WINDOW_RULE = "unexcused_in_window"
CONSECUTIVE_RULE = "consecutive_days"


@dataclass(frozen=True)
class CourseDay:
    day: date
    status: str  # present | unexcused | excused | pending
    absence_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class Breach:
    rule: str
    window_first_day: date
    window_last_day: date
    absence_ids: tuple[UUID, ...]

    @property
    def unexcused_absences(self) -> int:
        return len(self.absence_ids)


def day_status(slot_states: Sequence[str]) -> str:
    """One course day from its slots' states (a day may hold several agreed windows)."""
    if "present" in slot_states:
        return "present"
    if "absent" in slot_states:
        return "unexcused"
    if "expected" in slot_states:
        return "pending"
    return "excused"


def window_start(calendar: ProviderCalendar, last_day: date, working_days: int) -> date:
    """The first day of the ``working_days`` working days that end on ``last_day``."""
    day, counted = last_day, 0
    while True:
        if calendar.is_working_day(day) or day == last_day:
            counted += 1
            if counted == working_days:
                return day
        day -= timedelta(days=1)


def find_breaches(
    days: Sequence[CourseDay],
    calendar: ProviderCalendar,
    rules: AttendanceRules,
    marks: Mapping[str, date],
) -> list[Breach]:
    """New breaches, given the last day each rule's previous breach covered (``marks``)."""
    ordered = sorted(days, key=lambda d: d.day)
    return _window_breaches(ordered, calendar, rules, marks.get(WINDOW_RULE)) + _consecutive_breaches(
        ordered, rules, marks.get(CONSECUTIVE_RULE)
    )


def _window_breaches(
    days: Sequence[CourseDay], calendar: ProviderCalendar, rules: AttendanceRules, mark: date | None
) -> list[Breach]:
    breaches: list[Breach] = []
    unexcused = [d for d in days if d.status == "unexcused" and (mark is None or d.day > mark)]
    for candidate in unexcused:
        if mark is not None and candidate.day <= mark:
            continue
        first = window_start(calendar, candidate.day, rules.breach_window_working_days)
        inside = [d for d in unexcused if first <= d.day <= candidate.day and (mark is None or d.day > mark)]
        if len(inside) >= rules.breach_unexcused_absences:
            ids = tuple(i for d in inside for i in d.absence_ids)
            breaches.append(Breach(WINDOW_RULE, first, candidate.day, ids))
            mark = candidate.day
    return breaches


def _consecutive_breaches(days: Sequence[CourseDay], rules: AttendanceRules, mark: date | None) -> list[Breach]:
    breaches: list[Breach] = []
    run: list[CourseDay] = []
    for course_day in days:
        if mark is not None and course_day.day <= mark:
            continue
        if course_day.status == "excused":
            continue
        if course_day.status != "unexcused":
            run = []
            continue
        run.append(course_day)
        if len(run) == rules.breach_consecutive_days:
            ids = tuple(i for d in run for i in d.absence_ids)
            breaches.append(Breach(CONSECUTIVE_RULE, run[0].day, run[-1].day, ids))
            mark, run = course_day.day, []
    return breaches

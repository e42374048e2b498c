"""Agreed weekly schedules and the expected arrivals (slots) they give on course days. Pure rules."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from forlob_shared.calendar import ProviderCalendar
from forlob_shared.errors import InvalidInput
from forlob_shared.events import TimeWindow


def windows_inside_opening_hours(schedule: Sequence[TimeWindow], opening_hours: Sequence[TimeWindow]) -> None:
    """Every agreed window must lie inside one opening-hours window of its weekday."""
    for window in schedule:
        if not any(
            o.weekday == window.weekday and o.start <= window.start and window.end <= o.end for o in opening_hours
        ):
            raise InvalidInput(
                f"the agreed window weekday {window.weekday} {window.start:%H:%M}-{window.end:%H:%M} "
                "lies outside the programme's opening hours",
                field="schedule",
            )
    by_day = sorted(schedule, key=lambda w: (w.weekday, w.start))
    for earlier, later in itertools.pairwise(by_day):
        if earlier.weekday == later.weekday and later.start < earlier.end:
            raise InvalidInput(f"agreed windows overlap on weekday {earlier.weekday}", field="schedule")


def within_opening_hours(opening_hours: Sequence[TimeWindow], weekday: int, clock_time: time) -> bool:
    return any(o.weekday == weekday and o.start <= clock_time <= o.end for o in opening_hours)


@dataclass(frozen=True)
class ScheduleVersion:
    effective_from: date
    windows: tuple[TimeWindow, ...]


def windows_on(versions: Sequence[ScheduleVersion], day: date) -> tuple[TimeWindow, ...]:
    """The agreed windows on ``day``: from the newest version in force that day."""
    current: ScheduleVersion | None = None
    for version in sorted(versions, key=lambda v: v.effective_from):
        if version.effective_from <= day:
            current = version
    if current is None:
        return ()
    return tuple(sorted((w for w in current.windows if w.weekday == day.weekday()), key=lambda w: w.start))


@dataclass(frozen=True)
class PlannedSlot:
    day: date
    window_start: time
    window_end: time
    expected_start: datetime
    expected_end: datetime
    due_at: datetime


def plan_slots(
    calendar: ProviderCalendar,
    versions: Sequence[ScheduleVersion],
    days: Iterable[date],
    grace: timedelta,
) -> list[PlannedSlot]:
    """Expected arrivals on the given days: none on weekends, public holidays or closed days,
    and none in a closure (customary or declared) for part of a day.

    Local wall-clock times become instants through the provider's zone, so "08:00" is 07:00 UTC
    in winter and 06:00 UTC in summer.
    """
    slots = []
    for day in days:
        if not calendar.is_working_day(day):
            continue
        for window in windows_on(versions, day):
            parts = calendar.open_parts(day, window.start, window.end)
            if not parts:
                continue  # the whole window lies in a closure
            # A window a closure cuts is expected for its first open part: 10:00-14:00 on
            # 5 June is expected 10:00-12:00. A participant arrives once a window; a closure in
            # the middle of it (a staff meeting 10-12 in 08-16) keeps the arrival at 08:00.
            window_start, window_end = parts[0]
            start = calendar.at(day, window_start)
            slots.append(
                PlannedSlot(
                    day=day,
                    window_start=window_start,
                    window_end=window_end,
                    expected_start=start,
                    expected_end=calendar.at(day, window_end),
                    due_at=start + grace,
                )
            )
    return slots


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]

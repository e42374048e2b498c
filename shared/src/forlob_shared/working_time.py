"""Arithmetic in working minutes: "30 minutes, counted in working hours".

Working hours are weekly local-time windows (weekday 0 = Monday) on working days of a
:class:`~forlob_shared.calendar.ProviderCalendar`, so weekends, public holidays and closed days
count nothing (nor do customary and declared closures, whole or part
of a day), and a window keeps its wall-clock meaning across a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from forlob_shared.calendar import ProviderCalendar


class WeeklyWindow(Protocol):
    @property
    def weekday(self) -> int: ...
    @property
    def start(self) -> time: ...
    @property
    def end(self) -> time: ...


@dataclass(frozen=True)
class Window:
    weekday: int
    start: time
    end: time


# Used when nobody has said otherwise: an ordinary Danish office week.
OFFICE_HOURS: tuple[Window, ...] = tuple(Window(day, time(8, 0), time(16, 0)) for day in range(5))

_MAX_DAYS = 400


@dataclass(frozen=True)
class WorkingHours:
    windows: tuple[Window, ...]
    calendar: ProviderCalendar

    @classmethod
    def of(cls, windows: Iterable[WeeklyWindow], calendar: ProviderCalendar) -> WorkingHours:
        own = tuple(sorted((Window(w.weekday, w.start, w.end) for w in windows), key=lambda w: (w.weekday, w.start)))
        return cls(own or OFFICE_HOURS, calendar)

    def _intervals_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals (aware instants) of ``day`` and the days after it, in order."""
        for offset in range(_MAX_DAYS):
            current = day + timedelta(days=offset)
            if not self.calendar.is_working_day(current):
                continue
            for window in self.windows:
                if window.weekday == current.weekday():
                    # A part-day closure (5 June from noon, a staff afternoon) counts nothing either.
                    for start, end in self.calendar.open_parts(current, window.start, window.end):
                        yield self.calendar.at(current, start), self.calendar.at(current, end)

    def is_working(self, instant: datetime) -> bool:
        local_day = self.calendar.local_date(instant)
        for start, end in self._intervals_from(local_day):
            if start > instant:
                return False
            if start <= instant < end:
                return True
        return False

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``start`` (which may lie outside hours)."""
        if minutes < 0:
            raise ValueError("working minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        # Begin a day early: a window that started yesterday (local) cannot reach today, but
        # starting at the local date of ``start`` is enough as windows never cross midnight.
        for window_start, window_end in self._intervals_from(self.calendar.local_date(start)):
            if window_end <= start:
                continue
            begin = max(window_start, start)
            available = window_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise ValueError(f"no {minutes} working minutes within {_MAX_DAYS} days")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes in [start, end)."""
        if end <= start:
            return 0
        total = timedelta(0)
        for window_start, window_end in self._intervals_from(self.calendar.local_date(start)):
            if window_start >= end:
                break
            overlap = min(window_end, end) - max(window_start, start)
            if overlap > timedelta(0):
                total += overlap
        return int(total.total_seconds() // 60)

"""Local time and public holidays for the countries Forløb's providers work in.

Attendance is agreed in local wall-clock time ("Monday 07:30 in Aalborg"), which maps to a
different UTC instant across a daylight-saving change; holidays come from the ``holidays``
package (it knows, for example, that Denmark abolished Store Bededag from 2024).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TIMEZONE = {"DK": "Europe/Copenhagen", "SE": "Europe/Stockholm"}
# Public holidays in law only. Sweden's Midsommarafton, Julafton and Nyårsafton (the holidays
# package's "de_facto" category) and Denmark's 24 and 31 December and Constitution Day afternoon
# (its "optional" category) are customary closures below instead: closed unless the provider
# says otherwise, so they are counted once and a provider can open on them.
HOLIDAY_CATEGORIES = {"DK": ("public",), "SE": ("public",)}

NOON = time(12, 0)

# The customary closures per country: code -> (how to find the day in a year, closed from).
# ``None`` closes the whole day; a time closes the rest of the day from then.
CUSTOMARY_CLOSURES: dict[str, dict[str, tuple[Callable[[int], date], time | None]]] = {
    "DK": {
        "christmas_eve": (lambda year: date(year, 12, 24), None),
        "new_years_eve": (lambda year: date(year, 12, 31), None),
        # Grundlovsdag: by custom and most agreements, work stops at noon.
        "constitution_day_afternoon": (lambda year: date(year, 6, 5), NOON),
    },
    "SE": {
        # Midsommarafton: the Friday between 19 and 25 June.
        "midsummer_eve": (lambda year: date(year, 6, 19) + timedelta(days=(4 - date(year, 6, 19).weekday()) % 7), None),
        "christmas_eve": (lambda year: date(year, 12, 24), None),
        "new_years_eve": (lambda year: date(year, 12, 31), None),
    },
}
CUSTOMARY_CODES = frozenset(code for codes in CUSTOMARY_CLOSURES.values() for code in codes)
CLOSURE_REASONS = ("summer_closure", "staff_day", "other")


@dataclass(frozen=True)
class Closure:
    """Days a provider is closed: whole days, or from ``start`` and/or until ``end`` on each day.

    ``reason`` is a code (a customary closure's own code, or one of :data:`CLOSURE_REASONS`).
    """

    first_day: date
    last_day: date
    reason: str = "other"
    start: time | None = None  # closed from this local time; None: from the day's beginning
    end: time | None = None  # closed until this local time; None: to the day's end

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("a closure's last day lies before its first")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("a closure's end lies before its start")
        if self.start == time(0, 0) and self.end is None:
            raise ValueError("a closure from 00:00 is a whole day: leave the start out")

    @property
    def whole_day(self) -> bool:
        return self.start is None and self.end is None

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def customary_closures(country: str, year: int, observed: Iterable[str] | None = None) -> list[Closure]:
    """The customary closures of ``country`` in ``year`` (those in ``observed``, all when None)."""
    wanted = None if observed is None else frozenset(observed)
    closures = []
    for code, (day_of, start) in CUSTOMARY_CLOSURES.get(country, {}).items():
        if wanted is None or code in wanted:
            day = day_of(year)
            closures.append(Closure(day, day, reason=code, start=start))
    return closures


@lru_cache(maxsize=8)
def _holiday_table(country: str) -> holidays.HolidayBase:
    # One table per country for the process (tens of ms to build): a calendar with a provider's
    # own closures is built per course and must not build it again.
    return holidays.country_holidays(country, categories=HOLIDAY_CATEGORIES[country])


@lru_cache(maxsize=256)
def _customary(country: str, year: int, open_on: frozenset[str]) -> tuple[Closure, ...]:
    # Asked for every day a working-time sum or a breach window walks through: built once a year.
    return tuple(customary_closures(country, year, set(CUSTOMARY_CLOSURES[country]) - open_on))


@dataclass(frozen=True)
class ProviderCalendar:
    country: str = "DK"
    timezone: str = ""
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)
    # What the provider declared: its own closures, and the customary closures it works on.
    closures: tuple[Closure, ...] = ()
    open_on: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.country not in DEFAULT_TIMEZONE:
            raise ValueError(f"unsupported country {self.country!r}; supported: {sorted(DEFAULT_TIMEZONE)}")
        if not self.timezone:
            object.__setattr__(self, "timezone", DEFAULT_TIMEZONE[self.country])
        ZoneInfo(self.timezone)  # fails early on an unknown zone

    def declared(self, closures: tuple[Closure, ...], open_on: frozenset[str]) -> ProviderCalendar:
        """This calendar with a provider's own closures and the customary closures it works on."""
        if not closures and not open_on:
            return self
        return replace(self, closures=closures, open_on=open_on)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def _holidays(self) -> holidays.HolidayBase:
        return _holiday_table(self.country)

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name is not None else None

    def closures_on(self, day: date) -> list[Closure]:
        """The closures that touch ``day``: customary ones the provider keeps, then its own."""
        customary = [c for c in _customary(self.country, day.year, self.open_on) if c.covers(day)]
        return customary + [c for c in self.closures if c.covers(day)]

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a public holiday, not a day the provider has closed all day.

        A day closed for part of it (5 June from noon) is a working day: :meth:`open_parts`
        says which part.
        """
        if day.weekday() >= 5 or day in self._holidays or day in self.extra_closed_days:
            return False
        return not any(c.whole_day for c in self.closures_on(day))

    def open_parts(self, day: date, start: time, end: time) -> list[tuple[time, time]]:
        """The parts of the local window ``start``-``end`` on ``day`` outside every closure.

        Empty on a day that is not a working day; the window itself when nothing closes it.
        """
        if not self.is_working_day(day):
            return []
        parts = [(start, end)]
        for closure in self.closures_on(day):
            closed_from = closure.start or time.min
            closed_until = closure.end
            remaining = []
            for part_start, part_end in parts:
                if closed_from > part_start:
                    remaining.append((part_start, min(part_end, closed_from)))
                if closed_until is not None and closed_until < part_end:
                    remaining.append((max(part_start, closed_until), part_end))
            parts = [(a, b) for a, b in remaining if a < b]
        return parts

    def next_working_day(self, day: date, weekdays: frozenset[int] | None = None) -> date:
        """The first working day on or after ``day`` (and on one of ``weekdays`` if given)."""
        for offset in range(0, 400):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate) and (weekdays is None or candidate.weekday() in weekdays):
                return candidate
        raise ValueError("no working day within 400 days")

    def at(self, day: date, clock_time: time) -> datetime:
        """The instant of a local wall-clock time on a local date (aware, in the provider's zone).

        A wall-clock time that does not exist (inside the spring-forward gap) is moved forward
        by the gap, as a person's watch would be; an ambiguous one takes its first occurrence.
        """
        naive = datetime.combine(day, clock_time)
        aware = naive.replace(tzinfo=self.zone, fold=0)
        # zoneinfo accepts non-existent times silently; round-trip through UTC to normalise.
        return aware.astimezone(ZoneInfo("UTC")).astimezone(self.zone)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

"""Local time and public holidays for the countries Forløb's providers work in.

Attendance is agreed in local wall-clock time ("Monday 07:30 in Aalborg"), which maps to a
different UTC instant across a daylight-saving change; holidays come from the ``holidays``
package (it knows, for example, that Denmark abolished Store Bededag from 2024).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TIMEZONE = {"DK": "Europe/Copenhagen", "SE": "Europe/Stockholm"}
# Sweden's Midsommarafton, Julafton and Nyårsafton are not public holidays in law but nobody is
# expected at work: the holidays package files them as "de_facto".
HOLIDAY_CATEGORIES = {"DK": ("public",), "SE": ("public", "de_facto")}


@dataclass(frozen=True)
class ProviderCalendar:
    country: str = "DK"
    timezone: str = ""
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.country not in DEFAULT_TIMEZONE:
            raise ValueError(f"unsupported country {self.country!r}; supported: {sorted(DEFAULT_TIMEZONE)}")
        if not self.timezone:
            object.__setattr__(self, "timezone", DEFAULT_TIMEZONE[self.country])
        ZoneInfo(self.timezone)  # fails early on an unknown zone

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country, categories=HOLIDAY_CATEGORIES[self.country])

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name is not None else None

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a public holiday, not a day the provider has closed."""
        return day.weekday() < 5 and day not in self._holidays and day not in self.extra_closed_days

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

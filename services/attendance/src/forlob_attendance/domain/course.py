"""A participant's course as attendance sees it: dates, calendar, opening hours, schedule, rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from forlob_attendance.domain.schedule import ScheduleVersion
from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.errors import InvalidInput
from forlob_shared.events import AttendanceRules, TimeWindow

# What a provider declared: its own closures and the customary closures it works on.
Declared = tuple[tuple[Closure, ...], frozenset[str]]


@dataclass(frozen=True)
class Course:
    referral_id: UUID
    participant_id: UUID
    programme_code: str
    provider_org: str
    referring_org: str
    start_date: date
    end_date: date
    ended: bool
    calendar: ProviderCalendar
    opening_hours: tuple[TimeWindow, ...]
    rules: AttendanceRules
    grace: timedelta
    versions: tuple[ScheduleVersion, ...] = ()
    shape: str = "timetabled"  # ProgrammeShape

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def event_fields(self) -> dict[str, Any]:
        """The identifying fields every attendance event carries (pseudonymous ids and codes only)."""
        return {
            "referral_id": self.referral_id,
            "participant_id": self.participant_id,
            "programme_code": self.programme_code,
            "provider_org": self.provider_org,
            "referring_org": self.referring_org,
        }


@lru_cache(maxsize=64)
def provider_calendar(country: str, timezone: str) -> ProviderCalendar:
    """One calendar per country and zone for the whole process: its holiday table is built once."""
    try:
        return ProviderCalendar(country=country, timezone=timezone)
    except (ValueError, LookupError) as exc:  # an unknown country or zone
        raise InvalidInput(f"unusable calendar: {exc}", field="timezone") from None


def grace_of(rules: AttendanceRules, default_minutes: int) -> timedelta:
    """The programme's grace as the event carries it, else the service's configured default.

    ``model_fields_set`` tells a field the sender left out from one it sent with the default value.
    """
    if "absence_grace_minutes" in rules.model_fields_set:
        return timedelta(minutes=rules.absence_grace_minutes)
    return timedelta(minutes=default_minutes)


def check_course_dates(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise InvalidInput("the course ends before it starts", field="planned_end_date")

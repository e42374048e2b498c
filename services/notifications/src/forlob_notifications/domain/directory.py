"""The staff directory and who is whose contact person and caseworker. Pure, no I/O."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from datetime import date, time
from uuid import UUID

from forlob_shared.calendar import DEFAULT_TIMEZONE, ProviderCalendar
from forlob_shared.errors import InvalidInput
from forlob_shared.working_time import Window, WorkingHours


@functools.lru_cache(maxsize=64)
def calendar_for(country: str = "DK", timezone: str = "") -> ProviderCalendar:
    """One calendar per country and zone: its holiday table is costly to build (tens of ms)."""
    return ProviderCalendar(country, timezone)


ROLES = frozenset({"contact_person", "team_leader", "coordinator", "caseworker", "admin", "specialist"})
CHANNELS = frozenset({"email", "inbox"})


@dataclass
class StaffMember:
    org: str
    staff_id: str
    role: str
    email: str | None = None
    team_leader_id: str | None = None
    working_hours: list[Window] = field(default_factory=list)
    channels: list[str] = field(default_factory=lambda: ["inbox", "email"])
    country: str = "DK"
    timezone: str = ""
    active: bool = True

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidInput(f"unknown role {self.role!r}", field="role", known=sorted(ROLES))
        unknown = set(self.channels) - CHANNELS
        if unknown:
            raise InvalidInput(f"unknown channel(s): {', '.join(sorted(unknown))}", field="channels")
        if "email" in self.channels and not self.email:
            raise InvalidInput("the e-mail channel needs an e-mail address", field="email")
        if self.team_leader_id == self.staff_id:
            raise InvalidInput("nobody is their own team leader", field="team_leader_id")
        if self.country not in DEFAULT_TIMEZONE:
            raise InvalidInput(f"unsupported country {self.country!r}", field="country")
        _check_windows(self.working_hours)
        try:
            calendar_for(self.country, self.timezone)
        except Exception as exc:
            raise InvalidInput(f"unknown timezone {self.timezone!r}", field="timezone") from exc

    def wants(self, channel: str) -> bool:
        return self.active and channel in self.channels

    def hours(self, calendar: ProviderCalendar | None = None) -> WorkingHours:
        return WorkingHours.of(self.working_hours, calendar or calendar_for(self.country, self.timezone))


def _check_windows(windows: list[Window]) -> None:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for window in windows:
        if not 0 <= window.weekday <= 6 or window.end <= window.start:
            raise InvalidInput("each working-hours window needs a weekday 0-6 and an end after its start")
        by_day.setdefault(window.weekday, []).append((window.start, window.end))
    for spans in by_day.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                raise InvalidInput("working-hours windows of one day must not overlap")


@dataclass
class Assignment:
    """One course: who at the provider looks after the participant and who referred them."""

    referral_id: UUID
    provider_org: str
    referring_org: str
    programme_code: str
    participant_id: UUID | None = None
    contact_person_id: str | None = None
    team_leader_id: str | None = None
    caseworker_id: str | None = None
    legal_basis: str | None = None
    escalation_minutes: int = 30
    country: str = "DK"
    timezone: str = ""
    state: str = "referred"  # referred | started | ended | closed
    end_date: date | None = None  # the course's last day, once it has ended

    def calendar(self) -> ProviderCalendar:
        return calendar_for(self.country, self.timezone)

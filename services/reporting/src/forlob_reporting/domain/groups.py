"""What a figure is computed over: a period of local days and one group's facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from forlob_reporting.domain.merge import LOCAL_ZONE
from forlob_reporting.domain.stats import median, percentile

Fact = Mapping[str, Any]


class Programme(NamedTuple):
    """A programme as its latest definition gives it."""

    capacity: int | None
    timezone: str | None
    shape: str | None = None  # none: a definition from before shapes, i.e. timetabled
    kind: str | None = None  # the catalogue's kind (ips, clarification, development_course, ...)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def weeks(self) -> list[tuple[date, date, date]]:
        """(Monday, first day, last day) of each ISO week the period touches, clipped to it."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append((monday, max(monday, self.start), min(monday + timedelta(days=6), self.end)))
            monday += timedelta(days=7)
        return weeks


@dataclass(frozen=True)
class GroupKey:
    provider_org: str
    programme_code: str
    referring_org: str | None = None  # set when figures are split by referring organisation


@dataclass
class GroupFacts:
    """The facts of one group, as loaded for the caller's organisation."""

    referrals: list[Fact] = field(default_factory=list)
    weeks: list[Fact] = field(default_factory=list)
    breaches: list[Fact] = field(default_factory=list)
    alerts: list[Fact] = field(default_factory=list)
    capacity: int | None = None
    zone: ZoneInfo = LOCAL_ZONE  # the programme's: its courses' instants are dated in it
    shape: str = "timetabled"  # which figures mean something for the programme (figures.BLOCKS)
    kind: str | None = None  # the programme's kind as defined; None: no definition heard
    meetings: list[Fact] = field(default_factory=list)
    meeting_reminders: list[Fact] = field(default_factory=list)
    outreach_cases: list[Fact] = field(default_factory=list)
    outreach_attempts: list[Fact] = field(default_factory=list)
    outreach_phases: list[Fact] = field(default_factory=list)
    outreach_reminders: list[Fact] = field(default_factory=list)
    employer_contacts: list[Fact] = field(default_factory=list)
    job_spells: list[Fact] = field(default_factory=list)
    support_phases: list[Fact] = field(default_factory=list)
    clarifications: list[Fact] = field(default_factory=list)


def distribution(values: Sequence[float]) -> dict[str, Any]:
    return {"count": len(values), "median": median(values), "p90": percentile(values, 0.9)}

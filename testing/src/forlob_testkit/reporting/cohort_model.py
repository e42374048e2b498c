"""The synthetic cohort's parts: its programmes, the ground truth per referral, and the builder
that emits events in time order with each aggregate's sequence (forlob_testkit.reporting.cohort)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from forlob_shared.events import (
    EventData,
    Outcome,
    PendingEvent,
    TimeWindow,
    encode,
)

# Noon UTC is the same local day in Copenhagen and Stockholm all year.
NOON = time(12, 0)
SCHEDULE = [TimeWindow(weekday=d, start=time(8, 0), end=time(13, 0)) for d in range(4)]
REFERRING = ("jobcenter-aalborg", "jobcenter-odense")
Emit = Callable[[datetime, EventData], None]


@dataclass(frozen=True)
class ProgrammeSpec:
    provider_org: str
    code: str
    kind: str
    capacity: int
    weeks: int
    summarised: bool  # has weekly attendance (an IPS course does not)


PROGRAMMES = (
    ProgrammeSpec("rca-aalborg", "RCA-UDV-13", "development_course", 40, 13, True),
    ProgrammeSpec("rca-aalborg", "RCA-FYS-4", "physiotherapy", 15, 5, True),
    ProgrammeSpec("ips-nord", "IPS-1", "ips", 60, 52, False),
)


@dataclass
class Week:
    week_start: date
    agreed_minutes: int
    attended_minutes: int
    internship_minutes: int
    absent_minutes: int
    unexcused_absences: int
    absences_by_reason: dict[str, int]


@dataclass
class Alert:
    alert_id: UUID
    provider_org: str
    referral_id: UUID
    raised_at: datetime
    due_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None
    escalated: bool
    org: str = ""  # whose alert it is: the provider's (absence) or the referring organisation's
    kind: str = "absence"


@dataclass
class Referral:
    """What really happened to one referral: the ground truth the figures must show."""

    referral_id: UUID
    participant_id: UUID
    programme: ProgrammeSpec
    referring_org: str
    received_on: date
    rejected_on: date | None = None
    withdrawn_on: date | None = None
    waitlisted_on: date | None = None
    start_date: date | None = None
    planned_end_date: date | None = None
    end_date: date | None = None
    outcome: str | None = None
    first_job_date: date | None = None
    contact_person_id: str | None = None
    weeks: list[Week] = field(default_factory=list)
    days_attended: int = 0
    breach_days: list[date] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    """One event as it goes on the wire."""

    event: PendingEvent
    sequence: int
    at: datetime

    @property
    def routing_key(self) -> str:
        return self.event.data.routing_key

    def body(self) -> bytes:
        return encode(self.event, source="forlob/synthetic", sequence=self.sequence, time=self.at)


@dataclass
class Cohort:
    referrals: list[Referral]
    capacities: dict[tuple[str, str], int]
    events: list[Published]
    today: date


def utc_at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def weekday_on_or_after(day: date, weekday: int = 0) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


OUTCOMES = (
    (Outcome.ORDINARY_EMPLOYMENT, 30),
    (Outcome.EDUCATION, 15),
    (Outcome.FLEX_JOB, 10),
    (Outcome.ANOTHER_PROGRAMME, 15),
    (Outcome.RESOURCE_COURSE, 10),
    (Outcome.DROPPED_OUT, 15),
    (Outcome.OTHER, 5),
)


class CohortBuilder:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.sequences: dict[tuple[str, str], int] = defaultdict(int)
        self.raw: list[tuple[datetime, int, PendingEvent]] = []
        self.order = 0

    def uuid(self) -> UUID:
        return UUID(int=self.rnd.getrandbits(128), version=4)

    def emit(self, at: datetime, data: EventData, subject: str, referring: str | None, provider: str | None) -> None:
        self.order += 1
        event = PendingEvent(data=data, subject=subject, referring_org=referring, provider_org=provider, id=self.uuid())
        self.raw.append((at, self.order, event))

    def published(self) -> list[Published]:
        # Sequences follow each aggregate's own time order, as the producers' outboxes give them.
        events = []
        for at, _, event in sorted(self.raw, key=lambda r: (r[0], r[1])):
            key = (event.aggregate_type, event.subject)
            self.sequences[key] += 1
            events.append(Published(event, self.sequences[key], at))
        return events

"""The course load's programme, staff and headers, and what it records: the expected outcome per
course and day (forlob_testkit.courses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol

from forlob_testkit.auth import auth
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER

LOAD_PROGRAMME = "RCA-LOAD"
# Intake every weekday and room for any load: the load is about the pipeline, not the waiting list.
LOAD_COURSE: dict[str, Any] = {
    **DEVELOPMENT_COURSE,
    "name": "Development course (load)",
    "capacity": 10_000,
    "intake_weekdays": [0, 1, 2, 3, 4],
}
SCHEDULE = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)]
OUTCOMES = ("ordinary_employment", "education", "flex_job", "another_programme", "dropped_out")

CONTACT_PERSON, TEAM_LEADER, CASEWORKER = "kp-1", "tl-1", "cw-7"
HEADERS = {
    "caseworker": auth(JOBCENTRE, "caseworker", staff=CASEWORKER),
    "coordinator": auth(PROVIDER, "coordinator", staff="co-3"),
    "workshop_lead": auth(PROVIDER, "workshop_lead", staff="wl-1"),
    "provider_admin": auth(PROVIDER, "admin", staff="admin-p"),
    "jobcentre_admin": auth(JOBCENTRE, "admin", staff="admin-j"),
    "contact_person": auth(PROVIDER, "contact_person", staff="kp-1"),
}
STAFF_EMAILS = {CONTACT_PERSON: "kp1@rca.example", TEAM_LEADER: "tl1@rca.example", CASEWORKER: "cw7@jc.example"}


class Arrival(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # misses the grace period, is detected absent, arrives at 08:20
    ABSENT = "absent"  # does not come; the absence is detected and escalates


class Clocked(Protocol):
    """What the driver needs of a running system (forlob_testkit.processes.System)."""

    offset: timedelta

    def url(self, name: str) -> str: ...

    def move_clock(self, delta: timedelta) -> timedelta: ...


@dataclass
class Course:
    referral_id: str
    participant_id: str
    days: list[date]
    arrivals: list[Arrival]
    outcome: str
    ended: bool = False

    def arrival_on(self, day: date) -> Arrival | None:
        return self.arrivals[self.days.index(day)] if day in self.days else None


@dataclass
class Expected:
    """What the services must hold once every event is through."""

    courses: dict[str, Course] = field(default_factory=dict)  # by referral id
    on_time: set[tuple[str, date]] = field(default_factory=set)  # (participant id, day)
    late: set[tuple[str, date]] = field(default_factory=set)
    absent: set[tuple[str, date]] = field(default_factory=set)
    breached: set[str] = field(default_factory=set)  # participant ids

    @property
    def detected(self) -> set[tuple[str, date]]:
        """Every absence the sweep must detect: one absence alert each to the contact person."""
        return self.late | self.absent

    @property
    def escalated(self) -> set[tuple[str, date]]:
        """Absences nobody explained by a late arrival: escalated to the team leader that day."""
        return set(self.absent)

    @property
    def ended(self) -> set[str]:
        return {rid for rid, course in self.courses.items() if course.ended}


@dataclass
class DayReport:
    day: date
    started: int
    ended: int
    on_time: int
    late: int
    absent: int
    requests: int
    seconds: float


class LoadError(RuntimeError):
    """A request of the load was refused: the driver says which and why, and stops."""

"""Test helpers for the attendance service: programme events, tokens, local times, and a harness
around the service running in process with a clock the test moves (used by its tests and bench)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from forlob_attendance.application.breaches import check_breaches
from forlob_attendance.application.courses import CoursePolicy, start_course
from forlob_attendance.application.slots import materialise_ahead
from forlob_attendance.application.summaries import summarise_weeks
from forlob_attendance.application.sweep import sweep_absences
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.clock import ManualClock
from forlob_shared.events import (
    AttendanceRules,
    CadenceKind,
    Envelope,
    MeetingCadence,
    ProgrammeShape,
    ProgrammeStarted,
    TimeWindow,
    decode,
)
from forlob_testkit.auth import auth as bearer

PROVIDER = "rca-aalborg"
JOBCENTRE = "jobcenter-aalborg"
# RCA's attendance hours (seed 002): Mon-Thu 07:30-14:30, Fri 07:30-14:00.
OPENING_HOURS = [TimeWindow(weekday=d, start=time(7, 30), end=time(14, 30)) for d in range(4)] + [
    TimeWindow(weekday=4, start=time(7, 30), end=time(14, 0))
]
# The participant's own agreed times inside them: 08:00-13:00 every weekday.
SCHEDULE = [TimeWindow(weekday=d, start=time(8), end=time(13)) for d in range(5)]
MONDAY = date(2026, 11, 23)


def auth(org: str = PROVIDER, *roles: str, staff: str = "wl-1") -> dict[str, str]:
    """A provider's workshop lead by default: who registers attendance."""
    return bearer(org, *(roles or ("workshop_lead",)), staff=staff)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Copenhagen wall-clock time as a UTC instant."""
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("Europe/Copenhagen")).astimezone(UTC)


def programme_started(
    *,
    start: date = MONDAY,
    end: date = date(2027, 2, 19),
    schedule: list[TimeWindow] | None = None,
    rules: AttendanceRules | None = None,
    provider: str = PROVIDER,
    participant_id: UUID | None = None,
    shape: ProgrammeShape = ProgrammeShape.TIMETABLED,
    cadence: MeetingCadence | None = None,
) -> ProgrammeStarted:
    """A course's start; ``shape=meetings`` gives no schedule and a weekly cadence unless told."""
    meetings = shape is ProgrammeShape.MEETINGS
    if meetings and cadence is None:
        cadence = MeetingCadence(kind=CadenceKind.WEEKLY, max_days_between=7)
    return ProgrammeStarted(
        referral_id=uuid4(),
        participant_id=participant_id or uuid4(),
        programme_code="RCA-UDV-13",
        referring_org=JOBCENTRE,
        provider_org=provider,
        start_date=start,
        planned_end_date=end,
        schedule=schedule if schedule is not None else ([] if shape is not ProgrammeShape.TIMETABLED else SCHEDULE),
        opening_hours=OPENING_HOURS,
        timezone="Europe/Copenhagen",
        country="DK",
        contact_person_id="cp-1",
        caseworker_id="cw-7",
        rules=rules or AttendanceRules(),
        started_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        shape=shape,
        cadence=cadence,
    )


@dataclass
class Attendance:
    service: Any
    clock: ManualClock

    @property
    def client(self) -> Any:
        return self.service.client

    def uow(self) -> AttendanceUnitOfWork:
        uow: AttendanceUnitOfWork = self.service.runtime.uow()
        return uow

    async def start(self, event: ProgrammeStarted | None = None, **kwargs: Any) -> ProgrammeStarted:
        """Start a course (as its programme.started event would); the clock moves on to 05:00 local
        on its first day if it stands before that."""
        event = event or programme_started(**kwargs)
        if self.clock.now() < local(event.start_date, 5):
            self.clock.set(local(event.start_date, 5))
        await self.apply(start_course, event, CoursePolicy(days_ahead=14))
        return event

    async def apply(self, use_case: Any, *args: Any) -> None:
        """Run a programme-event use case the way the consumer does: inside an entered unit of
        work that it commits afterwards (the use case never commits)."""
        async with self.uow() as uow:
            with uow.owned_by("test"):
                await use_case(uow, *args)
            await uow.commit()

    def at(self, instant: datetime) -> None:
        self.clock.set(instant)

    async def materialise(self, days_ahead: int = 14) -> int:
        return (await materialise_ahead(self.uow(), self.clock.now(), days_ahead))[1]

    async def sweep(self, batch: int = 50_000) -> int:
        return await sweep_absences(self.uow(), self.clock.now(), batch)

    async def check_breaches(self) -> int:
        return (await check_breaches(self.uow(), self.clock.now()))[1]

    async def summarise(self) -> int:
        return (await summarise_weeks(self.uow(), self.clock.now()))[1]

    async def scalar(self, query: str, **params: Any) -> Any:
        async with self.service.runtime.engine.connect() as connection:
            return (await connection.execute(sa.text(query), params)).scalar()

    async def rows(self, query: str, **params: Any) -> list[Any]:
        async with self.service.runtime.engine.connect() as connection:
            return list((await connection.execute(sa.text(query), params)).mappings().all())

    async def events(self, routing_key: str | None = None) -> list[Envelope[Any]]:
        """Events in the outbox, in order, decoded the way a consumer reads them."""
        rows = await self.rows("SELECT routing_key, headers, body FROM outbox ORDER BY position")
        found = []
        for row in rows:
            if routing_key is None or row["routing_key"] == routing_key:
                envelope = decode(bytes(row["body"]))
                assert row["headers"]["type"] == envelope.type
                found.append(envelope)
        return found

    async def slot(self, referral_id: UUID, day: date) -> dict[str, Any]:
        [row] = await self.rows("SELECT * FROM slots WHERE referral_id = :r AND day = :d", r=referral_id, d=day)
        return dict(row)

    async def snapshot(self) -> str:
        """Everything the service holds, to show that a refused request changed nothing."""
        tables = [
            "courses",
            "slots",
            "absence_reports",
            "contact_attempts",
            "internships",
            "employers",
            "breaches",
            "week_summaries",
            "outbox",
            "idempotency_keys",
        ]
        parts = {}
        for table in tables:
            rows = await self.rows(f"SELECT * FROM {table} ORDER BY 1")
            parts[table] = [dict(r) for r in rows]
        return json.dumps(parts, default=str, sort_keys=True)

"""Courses (with their schedule versions) and slots: the command side's SQL for the use cases.

Each repository satisfies its Protocol in ``forlob_attendance.application.ports``; the in-memory
twins in ``forlob_testkit.in_memory.attendance`` satisfy the same ones and pass the same contract
tests. Writers that may run on several replicas take their rows with ``SKIP LOCKED``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import (
    BreachCheckRow,
    ClosureRow,
    CourseRow,
    CustomaryOpeningRow,
    ScheduleVersionRow,
    SlotRow,
)
from forlob_attendance.db.sweep import mark_missed_arrivals
from forlob_attendance.domain.course import Course, Declared, provider_calendar
from forlob_attendance.domain.schedule import ScheduleVersion
from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.events import AttendanceRules, TimeWindow


def windows_json(windows: Sequence[TimeWindow]) -> list[dict[str, object]]:
    return [w.model_dump(mode="json") for w in windows]


def _windows(raw: Sequence[dict[str, object]]) -> tuple[TimeWindow, ...]:
    return tuple(TimeWindow.model_validate(w) for w in raw)


# Core statements built once (a course start runs them with new parameters): building them and
# the ORM's bulk path cost more than the rows themselves.
_COURSES = cast(sa.Table, CourseRow.__table__)
_START_COURSES = pg_insert(_COURSES).on_conflict_do_nothing().returning(_COURSES.c.referral_id)
_ADD_SCHEDULES = sa.insert(cast(sa.Table, ScheduleVersionRow.__table__))
# Run with a list of parameters (executemany): a VALUES list built into the statement would be
# compiled anew for every course. For slots of other shapes (a meeting's) than the planned below.
_INSERT_SLOTS = pg_insert(cast(sa.Table, SlotRow.__table__)).on_conflict_do_nothing()

# The planned slots (application.slots.slot_values: a course start's, the sweep's ahead) go in as
# one array per column: one statement and one execution for all of them, where executemany
# processes each row's parameters in Python and runs the statement once per row on the server.
# Rows go in in the list's order, as executemany's, and a row that exists already is kept.
_PLANNED_COLUMNS: dict[str, str] = {
    "id": "uuid",
    "referral_id": "uuid",
    "day": "date",
    "window_start": "time",
    "window_end": "time",
    "expected_start": "timestamptz",
    "expected_end": "timestamptz",
    "due_at": "timestamptz",
    "state": "text",
    "reason": "text",
    "report_id": "uuid",
    "internship_id": "uuid",
}
_PLANNED_KEYS = _PLANNED_COLUMNS.keys()
_INSERT_PLANNED_SLOTS = sa.text(
    f"INSERT INTO slots ({', '.join(_PLANNED_COLUMNS)})"
    " SELECT * FROM unnest("
    + ", ".join(f"CAST(:{column} AS {kind}[])" for column, kind in _PLANNED_COLUMNS.items())
    + ") ON CONFLICT DO NOTHING"
)


class CourseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self, courses: Sequence[dict[str, Any]], schedules: Sequence[dict[str, Any]]) -> set[UUID]:
        """Add courses (column values) with their first schedules; returns the referral ids of the
        courses that are new. The schedules are added only when all of them are."""
        if not courses:
            return set()
        started = {row.referral_id for row in (await self.session.execute(_START_COURSES, list(courses))).all()}
        if len(started) == len(courses) and schedules:
            await self.session.execute(_ADD_SCHEDULES, list(schedules))
        return started

    async def set_schedule(self, referral_id: UUID, effective_from: date, windows: Sequence[TimeWindow]) -> None:
        """The weekly windows from ``effective_from`` on (replacing a change on the same day)."""
        stmt = pg_insert(ScheduleVersionRow).values(
            referral_id=referral_id, effective_from=effective_from, windows=windows_json(windows)
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[ScheduleVersionRow.referral_id, ScheduleVersionRow.effective_from],
                set_={"windows": stmt.excluded.windows},
            )
        )

    async def due_for_slots(self, bound: date, batch: int) -> list[CourseRow]:
        """Running courses whose slots stop before ``bound`` (or their end), locked, skipping those
        another replica holds."""
        query = (
            sa.select(CourseRow)
            .where(
                CourseRow.ended.is_(False),
                sa.func.coalesce(CourseRow.materialised_through, CourseRow.start_date - 1)
                < sa.func.least(CourseRow.end_date, bound),
            )
            .order_by(CourseRow.referral_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())

    async def due_for_summary(self, bound: date, batch: int) -> list[CourseRow]:
        """Courses with a week ended by ``bound`` (or their end) not yet summarised, locked as above."""
        query = (
            sa.select(CourseRow)
            .where(
                sa.func.coalesce(CourseRow.summarised_through, CourseRow.start_date - 1)
                < sa.func.least(CourseRow.end_date, bound)
            )
            .order_by(CourseRow.referral_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())

    async def flagged_for_breach_check(self, batch: int) -> list[CourseRow]:
        """Courses the sweep flagged (new absences), locked as above."""
        query = (
            sa.select(CourseRow)
            .join(BreachCheckRow, BreachCheckRow.referral_id == CourseRow.referral_id)
            .order_by(CourseRow.referral_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())

    async def unflag_breach_check(self, referral_ids: Sequence[UUID]) -> None:
        await self.session.execute(sa.delete(BreachCheckRow).where(BreachCheckRow.referral_id.in_(list(referral_ids))))

    async def running_at(self, org: str, first: date, last: date) -> list[CourseRow]:
        """``org``'s running courses with slots materialised on ``first``..``last``, locked in key order
        (one lock order for every writer)."""
        query = (
            sa.select(CourseRow)
            .where(
                CourseRow.provider_org == org,
                CourseRow.ended.is_(False),
                CourseRow.start_date <= last,
                CourseRow.end_date >= first,
                CourseRow.materialised_through >= first,
            )
            .order_by(CourseRow.referral_id)
            .with_for_update()
        )
        return list((await self.session.scalars(query)).all())

    async def due_for_cadence(self, today: date, batch: int) -> list[CourseRow]:
        """Running meetings courses with a cadence not yet looked at on ``today``, locked as above."""
        query = (
            sa.select(CourseRow)
            .where(
                CourseRow.shape == "meetings",
                CourseRow.ended.is_(False),
                CourseRow.cadence_max_days.is_not(None),
                CourseRow.start_date <= today,
                sa.or_(CourseRow.cadence_checked_on.is_(None), CourseRow.cadence_checked_on < today),
            )
            .order_by(CourseRow.referral_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(query)).all())

    async def row(self, referral_id: UUID, *, lock: bool = False) -> CourseRow | None:
        query = sa.select(CourseRow).where(CourseRow.referral_id == referral_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def rows_of_participant(self, participant_id: UUID, org: str, *, lock: bool = False) -> list[CourseRow]:
        """The participant's courses at ``org`` only: another organisation's participant is unknown here."""
        query = (
            sa.select(CourseRow)
            .where(CourseRow.participant_id == participant_id, CourseRow.provider_org == org)
            .order_by(CourseRow.start_date)
        )
        if lock:
            query = query.with_for_update()
        return list((await self.session.scalars(query)).all())

    async def versions(self, referral_id: UUID) -> tuple[ScheduleVersion, ...]:
        rows = await self.session.scalars(
            sa.select(ScheduleVersionRow)
            .where(ScheduleVersionRow.referral_id == referral_id)
            .order_by(ScheduleVersionRow.effective_from)
        )
        return tuple(ScheduleVersion(r.effective_from, _windows(r.windows)) for r in rows)

    async def declared(self, orgs: Iterable[str]) -> dict[str, Declared]:
        """What each provider declared: its closures and the customary closures it works on."""
        wanted = sorted(set(orgs))
        found: dict[str, Declared] = {org: ((), frozenset()) for org in wanted}
        closures: dict[str, list[Closure]] = {}
        for c in await self.session.scalars(
            sa.select(ClosureRow).where(ClosureRow.provider_org.in_(wanted)).order_by(ClosureRow.first_day)
        ):
            closures.setdefault(c.provider_org, []).append(closure_of(c))
        opened: dict[str, set[str]] = {}
        for o in await self.session.scalars(
            sa.select(CustomaryOpeningRow).where(CustomaryOpeningRow.provider_org.in_(wanted))
        ):
            opened.setdefault(o.provider_org, set()).add(o.code)
        for org in wanted:
            found[org] = (tuple(closures.get(org, ())), frozenset(opened.get(org, ())))
        return found

    async def calendar(self, row: CourseRow) -> ProviderCalendar:
        """The course's calendar with what its provider declared."""
        closures, open_on = (await self.declared([row.provider_org]))[row.provider_org]
        return provider_calendar(row.country, row.timezone).declared(closures, open_on)

    async def course(self, row: CourseRow) -> Course:
        return to_domain(row, await self.versions(row.referral_id), await self.calendar(row))


def closure_of(row: ClosureRow) -> Closure:
    return Closure(row.first_day, row.last_day, reason=row.reason, start=row.start_time, end=row.end_time)


def to_domain(
    row: CourseRow, versions: tuple[ScheduleVersion, ...] = (), calendar: ProviderCalendar | None = None
) -> Course:
    return Course(
        referral_id=row.referral_id,
        participant_id=row.participant_id,
        programme_code=row.programme_code,
        provider_org=row.provider_org,
        referring_org=row.referring_org,
        start_date=row.start_date,
        end_date=row.end_date,
        ended=row.ended,
        calendar=calendar or provider_calendar(row.country, row.timezone),
        opening_hours=_windows(row.opening_hours),
        rules=AttendanceRules.model_validate(row.rules),
        grace=timedelta(minutes=row.grace_minutes),
        versions=versions,
        shape=row.shape or "timetabled",
    )


class SlotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def on_day(self, referral_id: UUID, day: date, *, lock: bool = False) -> list[SlotRow]:
        query = (
            sa.select(SlotRow)
            .where(SlotRow.referral_id == referral_id, SlotRow.day == day)
            .order_by(SlotRow.window_start)
        )
        if lock:
            query = query.with_for_update()
        return list((await self.session.scalars(query)).all())

    async def between(self, referral_id: UUID, first: date, last: date, *, lock: bool = False) -> list[SlotRow]:
        query = (
            sa.select(SlotRow)
            .where(SlotRow.referral_id == referral_id, SlotRow.day >= first, SlotRow.day <= last)
            .order_by(SlotRow.day, SlotRow.window_start)
        )
        if lock:
            query = query.with_for_update()
        return list((await self.session.scalars(query)).all())

    async def add(self, values: Sequence[dict[str, Any]]) -> None:
        """Add slots (column values); one that exists already (same course, day and window) is kept."""
        if not values:
            return
        if all(row.keys() == _PLANNED_KEYS for row in values):
            columns = {column: [row[column] for row in values] for column in _PLANNED_COLUMNS}
            await self.session.execute(_INSERT_PLANNED_SLOTS, columns)
        else:
            await self.session.execute(_INSERT_SLOTS, list(values))

    async def delete(self, slot_ids: Sequence[UUID]) -> None:
        if slot_ids:
            await self.session.execute(sa.delete(SlotRow).where(SlotRow.id.in_(list(slot_ids))))

    async def facts_through(
        self, referral_ids: Sequence[UUID], last: date
    ) -> list[tuple[UUID, date, str, UUID | None]]:
        """(course, day, state, absence) of the courses' slots up to ``last``, by course and day."""
        rows = await self.session.execute(
            sa.select(SlotRow.referral_id, SlotRow.day, SlotRow.state, SlotRow.absence_id)
            .where(SlotRow.referral_id.in_(list(referral_ids)), SlotRow.day <= last)
            .order_by(SlotRow.referral_id, SlotRow.day)
        )
        return [(r, d, s, a) for r, d, s, a in rows.all()]

    async def absence(self, absence_id: UUID, org: str, *, lock: bool = False) -> tuple[SlotRow, CourseRow] | None:
        """The slot swept as the absence ``absence_id`` at ``org``, with its course (the slot
        locked with ``lock``, as a check-in locks it)."""
        query = (
            sa.select(SlotRow, CourseRow)
            .join(CourseRow, CourseRow.referral_id == SlotRow.referral_id)
            .where(SlotRow.id == absence_id, SlotRow.absence_id.is_not(None), CourseRow.provider_org == org)
        )
        if lock:
            query = query.with_for_update(of=SlotRow)
        found = (await self.session.execute(query)).first()
        return (found[0], found[1]) if found is not None else None

    async def meeting(self, meeting_id: UUID, org: str, *, lock: bool = False) -> tuple[SlotRow, CourseRow] | None:
        """The meeting ``meeting_id`` at ``org``, with its course (the course locked first, as every
        writer takes them)."""
        query = (
            sa.select(SlotRow, CourseRow)
            .join(CourseRow, CourseRow.referral_id == SlotRow.referral_id)
            .where(SlotRow.id == meeting_id, SlotRow.meeting_id.is_not(None), CourseRow.provider_org == org)
        )
        if lock:
            query = query.with_for_update()
        found = (await self.session.execute(query)).first()
        return (found[0], found[1]) if found is not None else None

    async def mark_missed(self, now: datetime, batch: int) -> int:
        """Mark the arrivals due by ``now`` and not registered as absent, flag their courses for the
        breach rules and write ``absence.detected.v1`` for each (see :mod:`forlob_attendance.db.sweep`)."""
        return await mark_missed_arrivals(self.session, now, batch)

    async def next_due(self) -> datetime | None:
        """The earliest due instant (start plus grace) of an arrival or planned meeting still
        expected: one step down the partial index ``slots_due``."""
        due: datetime | None = await self.session.scalar(
            sa.select(sa.func.min(SlotRow.due_at)).where(SlotRow.state == "expected")
        )
        return due

    async def drop_undecided_after(self, referral_id: UUID, last_day: date) -> None:
        """Forget slots after ``last_day`` that nothing has happened to yet (a shorter course)."""
        await self.session.execute(
            sa.delete(SlotRow).where(
                SlotRow.referral_id == referral_id,
                SlotRow.day > last_day,
                SlotRow.checked_in_at.is_(None),
                SlotRow.absence_id.is_(None),
            )
        )

    async def drop_undecided_from(self, referral_id: UUID, first_day: date) -> None:
        """Forget slots from ``first_day`` on that nothing has happened to yet (a changed plan)."""
        await self.session.execute(
            sa.delete(SlotRow).where(
                SlotRow.referral_id == referral_id,
                SlotRow.day >= first_day,
                SlotRow.checked_in_at.is_(None),
                SlotRow.absence_id.is_(None),
            )
        )

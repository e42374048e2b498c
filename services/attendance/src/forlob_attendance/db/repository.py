"""Loading courses (with their schedule versions) and slots for the use cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import ClosureRow, CourseRow, CustomaryOpeningRow, ScheduleVersionRow, SlotRow
from forlob_attendance.domain.course import Course, provider_calendar
from forlob_attendance.domain.schedule import ScheduleVersion
from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.events import AttendanceRules, TimeWindow


def windows_json(windows: Sequence[TimeWindow]) -> list[dict[str, object]]:
    return [w.model_dump(mode="json") for w in windows]


def _windows(raw: Sequence[dict[str, object]]) -> tuple[TimeWindow, ...]:
    return tuple(TimeWindow.model_validate(w) for w in raw)


class CourseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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


# A provider's own closures and the customary closures it works on.
Declared = tuple[tuple[Closure, ...], frozenset[str]]


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

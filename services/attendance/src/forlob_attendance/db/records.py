"""What staff and the periodic rules record beside the slots: absences reported in advance,
contact attempts, breaches of agreement and weekly summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import AbsenceReportRow, BreachRow, ContactAttemptRow, WeekSummaryRow


class AbsenceReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, report: AbsenceReportRow) -> None:
        self.session.add(report)
        await self.session.flush()

    async def between(self, referral_id: UUID, first: date, last: date) -> Sequence[AbsenceReportRow]:
        """The course's reports that touch ``first``..``last``, oldest first (a later report over
        the same day wins when the slots are planned)."""
        query = (
            sa.select(AbsenceReportRow)
            .where(
                AbsenceReportRow.referral_id == referral_id,
                AbsenceReportRow.first_day <= last,
                AbsenceReportRow.last_day >= first,
            )
            .order_by(AbsenceReportRow.reported_at)
        )
        return (await self.session.scalars(query)).all()


class ContactAttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, attempt: ContactAttemptRow) -> None:
        self.session.add(attempt)

    async def of_absence(self, absence_id: UUID) -> list[ContactAttemptRow]:
        query = sa.select(ContactAttemptRow).where(ContactAttemptRow.absence_id == absence_id)
        return list((await self.session.scalars(query.order_by(ContactAttemptRow.contacted_at))).all())


class BreachRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, breach: BreachRow) -> None:
        self.session.add(breach)

    async def of_course(self, referral_id: UUID) -> list[BreachRow]:
        query = sa.select(BreachRow).where(BreachRow.referral_id == referral_id)
        return list((await self.session.scalars(query.order_by(BreachRow.window_last_day))).all())


class WeekSummaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_if_new(self, summary: WeekSummaryRow) -> bool:
        """Add the week's summary unless the course's week has one; returns whether it was added."""
        values = {c.key: getattr(summary, c.key) for c in sa.inspect(WeekSummaryRow).column_attrs}
        inserted = await self.session.execute(
            pg_insert(WeekSummaryRow).values(**values).on_conflict_do_nothing().returning(WeekSummaryRow.week_start)
        )
        return inserted.first() is not None

    async def of_course(self, referral_id: UUID) -> list[WeekSummaryRow]:
        query = sa.select(WeekSummaryRow).where(WeekSummaryRow.referral_id == referral_id)
        return list((await self.session.scalars(query.order_by(WeekSummaryRow.week_start))).all())

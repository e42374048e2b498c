"""Combined courses' internship days, and the employer ids an internship may name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import EmployerRow, InternshipRow


class InternshipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, internship: InternshipRow) -> None:
        self.session.add(internship)
        await self.session.flush()

    async def between(self, referral_id: UUID, first: date, last: date) -> Sequence[InternshipRow]:
        """The course's internships touching ``first``..``last``, oldest planned first."""
        query = (
            sa.select(InternshipRow)
            .where(
                InternshipRow.referral_id == referral_id,
                InternshipRow.first_day <= last,
                InternshipRow.last_day >= first,
            )
            .order_by(InternshipRow.planned_at, InternshipRow.id)
        )
        return (await self.session.scalars(query)).all()

    async def of_course(self, referral_id: UUID) -> Sequence[InternshipRow]:
        query = sa.select(InternshipRow).where(InternshipRow.referral_id == referral_id)
        return (await self.session.scalars(query.order_by(InternshipRow.first_day, InternshipRow.planned_at))).all()


class EmployerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, employer_id: UUID, provider_org: str, registered_at: datetime) -> None:
        """Keep an employer's id (a redelivered announcement changes nothing)."""
        await self.session.execute(
            pg_insert(EmployerRow)
            .values(employer_id=employer_id, provider_org=provider_org, registered_at=registered_at)
            .on_conflict_do_nothing(index_elements=["employer_id"])
        )

    async def known(self, employer_id: UUID, provider_org: str) -> bool:
        found = await self.session.scalar(
            sa.select(EmployerRow.employer_id).where(
                EmployerRow.employer_id == employer_id, EmployerRow.provider_org == provider_org
            )
        )
        return found is not None

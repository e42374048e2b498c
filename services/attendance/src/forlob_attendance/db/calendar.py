"""What a provider declared about its calendar: its own closures and the customary closures it
works on. Changes to one provider's calendar take a lock of their own, one at a time."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import ClosureRow, CustomaryOpeningRow


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, org: str) -> None:
        """Hold ``org``'s calendar until the transaction ends (a transaction-level advisory lock)."""
        await self.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"calendar:{org}"))))

    async def add_closure(self, closure: ClosureRow) -> None:
        self.session.add(closure)
        await self.session.flush()

    async def closure(self, closure_id: UUID, org: str) -> ClosureRow | None:
        found: ClosureRow | None = await self.session.scalar(
            sa.select(ClosureRow).where(ClosureRow.id == closure_id, ClosureRow.provider_org == org)
        )
        return found

    async def remove_closure(self, closure: ClosureRow) -> None:
        await self.session.delete(closure)
        await self.session.flush()

    async def closures(self, org: str, *, ending_from: date | None = None) -> list[ClosureRow]:
        """``org``'s closures by first day (then id), those ending before ``ending_from`` left out."""
        query = sa.select(ClosureRow).where(ClosureRow.provider_org == org)
        if ending_from is not None:
            query = query.where(ClosureRow.last_day >= ending_from)
        return list((await self.session.scalars(query.order_by(ClosureRow.first_day, ClosureRow.id))).all())

    async def worked_customary(self, org: str) -> list[str]:
        """The customary closures ``org`` works on, by code."""
        codes = await self.session.scalars(
            sa.select(CustomaryOpeningRow.code)
            .where(CustomaryOpeningRow.provider_org == org)
            .order_by(CustomaryOpeningRow.code)
        )
        return list(codes)

    async def work_on_customary(self, org: str, code: str, at: datetime, by: str) -> None:
        await self.session.execute(
            pg_insert(CustomaryOpeningRow)
            .values(provider_org=org, code=code, declared_at=at, declared_by=by)
            .on_conflict_do_nothing()
        )

    async def observe_customary(self, org: str, code: str) -> None:
        await self.session.execute(
            sa.delete(CustomaryOpeningRow).where(
                CustomaryOpeningRow.provider_org == org, CustomaryOpeningRow.code == code
            )
        )

"""Visits: the open ones of an organisation, and the sweep's overdue ones (locked, skipped by
other replicas, so each overdue visit is found once)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import VisitRow
from forlob_notifications.db.repositories.rows import columns_of
from forlob_notifications.domain.visits import Visit
from forlob_shared.events.visits import VisitKind


class VisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, visit: Visit) -> None:
        await self.session.execute(sa.insert(VisitRow).values(**columns_of(visit)))

    async def get(self, visit_id: UUID, org: str, *, for_update: bool = False) -> Visit | None:
        query = sa.select(VisitRow).where(VisitRow.id == visit_id, VisitRow.org == org)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _visit(row) if row else None

    async def open_of(self, org: str, limit: int) -> list[Visit]:
        """An organisation's visits not ended, the earliest planned end first."""
        rows = await self.session.scalars(
            sa.select(VisitRow)
            .where(VisitRow.org == org, VisitRow.ended_at.is_(None))
            .order_by(VisitRow.planned_end, VisitRow.id)
            .limit(limit)
        )
        return [_visit(row) for row in rows]

    async def overdue(self, now: datetime, limit: int) -> list[Visit]:
        """Visits past their planned end plus grace, not ended and not yet found overdue."""
        rows = await self.session.scalars(
            sa.select(VisitRow)
            .where(VisitRow.overdue_from <= now, VisitRow.ended_at.is_(None), VisitRow.overdue_at.is_(None))
            .order_by(VisitRow.overdue_from)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_visit(row) for row in rows]

    async def save(self, visit: Visit) -> None:
        values = columns_of(visit)
        values.pop("id")
        await self.session.execute(sa.update(VisitRow).where(VisitRow.id == visit.id).values(**values))


def _visit(row: VisitRow) -> Visit:
    values = {f.name: getattr(row, f.name) for f in fields(Visit)}
    values["kind"] = VisitKind(row.kind)
    values["alerted"] = list(row.alerted or [])
    return Visit(**values)

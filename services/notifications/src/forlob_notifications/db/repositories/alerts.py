"""Alerts: one per cause, the inbox's queries and the sweep's (locked, skipped by other replicas)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import AlertRow
from forlob_notifications.db.repositories.rows import columns_of
from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, AlertState

# Run on every course start, built once.
_UNASSIGNED = (
    sa.select(AlertRow)
    .where(
        # An array, not an expanding IN: one statement text for any number of courses.
        AlertRow.referral_id == sa.any_(sa.bindparam("referral_ids", type_=ARRAY(PG_UUID(as_uuid=True)))),
        AlertRow.recipient_staff_id == UNASSIGNED,
        AlertRow.state == AlertState.OPEN.value,
    )
    .order_by(AlertRow.raised_at)
    .with_for_update()
)


class AlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, alert: Alert) -> bool:
        """Insert; False if an alert for the same cause exists (one cause, one alert)."""
        stmt = (
            pg_insert(AlertRow)
            .values(**columns_of(alert))
            .on_conflict_do_nothing(index_elements=["cause_key"])
            .returning(AlertRow.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def get(self, alert_id: UUID, org: str, *, for_update: bool = False) -> Alert | None:
        query = sa.select(AlertRow).where(AlertRow.id == alert_id, AlertRow.org == org)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _alert(row) if row else None

    async def by_cause(self, cause_key: str, *, for_update: bool = False) -> Alert | None:
        query = sa.select(AlertRow).where(AlertRow.cause_key == cause_key)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _alert(row) if row else None

    async def unresolved_absences(self, referral_id: UUID, *, occurred_from: datetime) -> list[Alert]:
        """A course's absence alerts not closed, for arrivals expected from ``occurred_from`` on."""
        rows = await self.session.scalars(
            sa.select(AlertRow)
            .where(
                AlertRow.referral_id == referral_id,
                AlertRow.kind == AlertKind.ABSENCE.value,
                AlertRow.state != AlertState.CLOSED.value,
                AlertRow.occurred_at >= occurred_from,
            )
            .order_by(AlertRow.occurred_at)
            .with_for_update()
        )
        return [_alert(row) for row in rows]

    async def open_by_cause_prefix(self, prefix: str) -> list[Alert]:
        """Alerts not closed whose cause starts with ``prefix`` (a visit's, a course's reminders),
        oldest first, locked."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self.session.scalars(
            sa.select(AlertRow)
            .where(AlertRow.cause_key.like(pattern, escape="\\"), AlertRow.state != AlertState.CLOSED.value)
            .order_by(AlertRow.raised_at, AlertRow.id)
            .with_for_update()
        )
        return [_alert(row) for row in rows]

    async def unassigned(self, referral_id: UUID) -> list[Alert]:
        """Open alerts of a course raised before anyone was known to receive them."""
        return await self.unassigned_of([referral_id])

    async def unassigned_of(self, referral_ids: Collection[UUID]) -> list[Alert]:
        """:meth:`unassigned` for many courses in one statement."""
        if not referral_ids:
            return []
        rows = (await self.session.scalars(_UNASSIGNED, {"referral_ids": list(referral_ids)})).all()
        return [_alert(row) for row in rows]

    async def inbox(
        self,
        org: str,
        staff_id: str | None,
        *,
        states: list[str] | None,
        kinds: list[str] | None,
        since: datetime | None,
        limit: int,
    ) -> list[Alert]:
        query = sa.select(AlertRow).where(AlertRow.org == org)
        if staff_id is not None:
            query = query.where(sa.or_(AlertRow.recipient_staff_id == staff_id, AlertRow.escalated_to == staff_id))
        if states:
            query = query.where(AlertRow.state.in_(states))
        if kinds:
            query = query.where(AlertRow.kind.in_(kinds))
        if since is not None:
            query = query.where(AlertRow.raised_at >= since)
        rows = await self.session.scalars(query.order_by(AlertRow.raised_at.desc(), AlertRow.id).limit(limit))
        return [_alert(row) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[Alert]:
        """Open alerts past their escalation time, locked; other replicas skip them."""
        query = (
            sa.select(AlertRow)
            .where(AlertRow.due_at <= now, AlertRow.state == AlertState.OPEN.value)
            .order_by(AlertRow.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_alert(row) for row in await self.session.scalars(query)]

    async def notice_due(self, now: datetime, limit: int) -> list[Alert]:
        query = (
            sa.select(AlertRow)
            .where(
                AlertRow.notice_due_at <= now,
                AlertRow.notice_sent_at.is_(None),
                AlertRow.state != AlertState.CLOSED.value,
            )
            .order_by(AlertRow.notice_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_alert(row) for row in await self.session.scalars(query)]

    async def save(self, alert: Alert) -> None:
        values = columns_of(alert)
        values.pop("id")
        await self.session.execute(sa.update(AlertRow).where(AlertRow.id == alert.id).values(**values))


def _alert(row: AlertRow) -> Alert:
    values = {f.name: getattr(row, f.name) for f in fields(Alert)}
    values["kind"] = AlertKind(row.kind)
    values["state"] = AlertState(row.state)
    values["facts"] = dict(row.facts)
    return Alert(**values)

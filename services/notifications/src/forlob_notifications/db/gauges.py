"""The read side of the operators' gauges: open and overdue alerts per organisation, deliveries
waiting per channel (application/gauges.py sets the gauges from them)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import AlertRow, DeliveryRow


async def open_alerts_by_org(session: AsyncSession, now: datetime) -> list[tuple[str, int, int]]:
    """``(org, open, overdue)`` for every organisation with an open alert."""
    a = AlertRow
    rows = await session.execute(
        sa.select(a.org, sa.func.count(), sa.func.count().filter(a.due_at < now))
        .where(a.state == "open")
        .group_by(a.org)
    )
    return [(org, int(n), int(late)) for org, n, late in rows.all()]


async def pending_deliveries_by_channel(session: AsyncSession) -> dict[str, int]:
    d = DeliveryRow
    rows = await session.execute(sa.select(d.channel, sa.func.count()).where(d.state == "pending").group_by(d.channel))
    return {channel: int(n) for channel, n in rows.all()}

"""The agreed weekly attendance last told to the referring organisation, per course: a change of
agreement that leaves it as it was (a new contact person) is not the jobcentre's news."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.events.common import TimeWindow

partner_agreed_hours = sa.Table(
    "partner_agreed_hours",
    sa.MetaData(),
    sa.Column("referral_id", sa.Uuid, primary_key=True),
    sa.Column("schedule", JSONB, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)


async def told(session: AsyncSession, referral_id: UUID) -> list[TimeWindow] | None:
    raw = await session.scalar(
        sa.select(partner_agreed_hours.c.schedule).where(partner_agreed_hours.c.referral_id == referral_id)
    )
    return None if raw is None else [TimeWindow.model_validate(w) for w in raw]


_NEW = pg_insert(partner_agreed_hours)
# Built once: building it (and its cache key) cost more than running it, once per course start.
_RECORD = _NEW.on_conflict_do_update(
    index_elements=["referral_id"],
    set_={"schedule": _NEW.excluded.schedule, "changed_at": _NEW.excluded.changed_at},
    where=partner_agreed_hours.c.changed_at <= _NEW.excluded.changed_at,
)


async def record(session: AsyncSession, referral_id: UUID, schedule: list[TimeWindow], changed_at: datetime) -> None:
    """Keep the newest; an older agreement delivered late changes nothing."""
    values = {
        "referral_id": referral_id,
        "schedule": [w.model_dump(mode="json") for w in schedule],
        "changed_at": changed_at,
    }
    await session.execute(_RECORD, values)

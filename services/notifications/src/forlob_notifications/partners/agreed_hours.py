"""The agreed weekly attendance last told to the referring organisation, per course: a change of
agreement that leaves it as it was (a new contact person) is not the jobcentre's news."""

from __future__ import annotations

from collections.abc import Sequence
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
    await record_many(session, [(referral_id, schedule, changed_at)])


async def record_many(session: AsyncSession, agreements: Sequence[tuple[UUID, list[TimeWindow], datetime]]) -> None:
    """:func:`record` for many courses in one round trip (a consumer's batch of starts): the rows
    go in one after another as an executemany, so a course named twice keeps its newest."""
    if not agreements:
        return
    values = [
        {"referral_id": referral_id, "schedule": [w.model_dump(mode="json") for w in schedule], "changed_at": at}
        for referral_id, schedule, at in agreements
    ]
    await session.execute(_RECORD, values)

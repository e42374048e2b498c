"""The agreed weekly attendance last told to the referring organisation, per course: a change of
agreement that leaves it as it was (a new contact person) is not the jobcentre's news."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.dialects.postgresql import JSONB
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


_SCHEDULE = TypeAdapter(list[TimeWindow])

# One statement for a batch of any size (the arrays' text is the same whatever their length, so it
# is prepared once per connection): the newest is kept, an older agreement delivered late changes
# nothing.
_RECORD = sa.text(
    """
    INSERT INTO partner_agreed_hours (referral_id, schedule, changed_at)
    SELECT a.referral_id, CAST(a.schedule AS jsonb), a.changed_at
    FROM unnest(CAST(:referral_ids AS uuid[]), CAST(:schedules AS text[]), CAST(:changed_ats AS timestamptz[]))
        AS a(referral_id, schedule, changed_at)
    ON CONFLICT (referral_id) DO UPDATE SET schedule = excluded.schedule, changed_at = excluded.changed_at
    WHERE partner_agreed_hours.changed_at <= excluded.changed_at
    """
)


async def record(session: AsyncSession, referral_id: UUID, schedule: list[TimeWindow], changed_at: datetime) -> None:
    """Keep the newest; an older agreement delivered late changes nothing."""
    await record_many(session, [(referral_id, schedule, changed_at)])


async def record_many(session: AsyncSession, agreements: Sequence[tuple[UUID, list[TimeWindow], datetime]]) -> None:
    """:func:`record` for many courses in one statement (a consumer's batch of starts). A course
    named twice keeps what recording them one after another would: its newest (of equals, the
    later), so one statement writes each row once."""
    if not agreements:
        return
    newest: dict[UUID, tuple[list[TimeWindow], datetime]] = {}
    for referral_id, schedule, at in agreements:
        known = newest.get(referral_id)
        if known is None or known[1] <= at:
            newest[referral_id] = (schedule, at)
    await session.execute(
        _RECORD,
        {
            "referral_ids": list(newest),
            "schedules": [_SCHEDULE.dump_json(schedule).decode() for schedule, _ in newest.values()],
            "changed_ats": [at for _, at in newest.values()],
        },
    )

"""The idempotent inbox: an event's effect and the record that it happened commit together."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.messaging.tables import inbox

# Built once and given new parameters each time: every delivery passes here, and building the
# statement (its cache key included) costs more than running it.
_RECORD = (
    pg_insert(inbox)
    .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
    .returning(inbox.c.event_id)
)


async def first_delivery(session: AsyncSession, consumer: str, event_id: UUID, event_type: str) -> bool:
    """Record ``event_id`` for ``consumer`` in the session's transaction; False if already there.

    Two deliveries racing on different replicas both insert; the second blocks on the first's
    key until it commits, then sees the conflict, so exactly one of them goes on to the effect.
    """
    result = await session.execute(_RECORD, {"consumer": consumer, "event_id": event_id, "event_type": event_type})
    return result.first() is not None


# A batch goes in as two arrays, so the statement's text is the same whatever the batch's size:
# an executemany with RETURNING renders one VALUES row per delivery, a new text (prepared anew on
# each connection) for every size, and processes each row in Python on the way in and out.
_RECORD_MANY = sa.text(
    "INSERT INTO inbox (consumer, event_id, event_type)"
    " SELECT :consumer, batch.event_id, batch.event_type"
    " FROM unnest(:event_ids, :event_types) AS batch (event_id, event_type)"
    " ORDER BY batch.event_id"
    " ON CONFLICT (consumer, event_id) DO NOTHING"
    " RETURNING event_id"
).bindparams(
    sa.bindparam("consumer", type_=sa.Text()),
    sa.bindparam("event_ids", type_=ARRAY(PG_UUID(as_uuid=True))),
    sa.bindparam("event_types", type_=ARRAY(sa.Text())),
)


async def first_deliveries(session: AsyncSession, consumer: str, events: Iterable[tuple[UUID, str]]) -> set[UUID]:
    """Record a batch of ``(event_id, event_type)`` in one statement; returns the ids new here.

    Keys go in in sorted order, so two replicas recording overlapping batches take the key locks
    in the same order and cannot deadlock.
    """
    rows = dict(events)
    if not rows:
        return set()
    result = await session.execute(
        _RECORD_MANY, {"consumer": consumer, "event_ids": list(rows), "event_types": list(rows.values())}
    )
    return set(result.scalars().all())

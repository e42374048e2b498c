"""The idempotent inbox: an event's effect and the record that it happened commit together."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

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


async def first_deliveries(session: AsyncSession, consumer: str, events: Iterable[tuple[UUID, str]]) -> set[UUID]:
    """Record a batch of ``(event_id, event_type)`` in one statement; returns the ids new here.

    Keys go in sorted order, so two replicas recording overlapping batches take the key locks in
    the same order and cannot deadlock.
    """
    rows = dict(events)
    if not rows:
        return set()
    params = [{"consumer": consumer, "event_id": i, "event_type": rows[i]} for i in sorted(rows)]
    return set((await session.scalars(_RECORD, params)).all())

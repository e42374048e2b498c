"""The idempotent inbox: an event's effect and the record that it happened commit together."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.messaging.tables import inbox


async def first_delivery(session: AsyncSession, consumer: str, event_id: UUID, event_type: str) -> bool:
    """Record ``event_id`` for ``consumer`` in the session's transaction; False if already there.

    Two deliveries racing on different replicas both insert; the second blocks on the first's
    key until it commits, then sees the conflict, so exactly one of them goes on to the effect.
    """
    stmt = (
        pg_insert(inbox)
        .values(consumer=consumer, event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
        .returning(inbox.c.event_id)
    )
    result = await session.execute(stmt)
    return result.first() is not None


async def first_deliveries(session: AsyncSession, consumer: str, events: Iterable[tuple[UUID, str]]) -> set[UUID]:
    """Record a batch of ``(event_id, event_type)`` in one statement; returns the ids new here.

    Keys go in sorted order, so two replicas recording overlapping batches take the key locks in
    the same order and cannot deadlock.
    """
    rows = dict(events)
    if not rows:
        return set()
    stmt = (
        pg_insert(inbox)
        .values([{"consumer": consumer, "event_id": i, "event_type": rows[i]} for i in sorted(rows)])
        .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
        .returning(inbox.c.event_id)
    )
    return set((await session.scalars(stmt)).all())

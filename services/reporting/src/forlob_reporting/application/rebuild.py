"""Drop the read model and build it again from the event history.

1. Take the rebuild lock exclusively (once the events in hand are committed): meanwhile the
   live consumer rolls each event back and retries it with back-off (RebuildInProgress).
2. Read the history stream from its first offset to its tail, decoding and deduplicating by
   event id, and apply every event through :func:`apply_event` into memory.
3. In one transaction: empty the fact tables and the read-model consumer's inbox rows, copy in
   the new rows and an inbox row per applied event; commit. Readers see the old figures until
   this commit and the new ones after it, never a half-built model.
4. Release the lock. Live consumption resumes; events it now receives that the replay already
   applied are skipped by the inbox, the rest apply as usual, in any order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from forlob_reporting.application.events import REBUILD_LOCK, apply_event
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain.projection import TABLES
from forlob_reporting.history import HistoryReader
from forlob_shared.events import InvalidEnvelope, decode
from forlob_shared.logging import get_logger

log = get_logger("forlob.reporting.rebuild")


@dataclass(frozen=True)
class RebuildResult:
    read: int  # messages in the history before its tail
    applied: int  # distinct events the read model uses
    duplicates: int  # the same event id again
    ignored: int  # types the read model does not use
    unreadable: int  # not a Forløb CloudEvent
    rows: int  # fact rows written
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


async def rebuild(engine: AsyncEngine, reader: HistoryReader, consumer: str) -> RebuildResult:
    """Replace the read model with one built from the whole history (see the module's steps)."""
    started = time.perf_counter()
    store = MemoryFactStore()
    applied: dict[UUID, str] = {}
    seen: set[UUID] = set()
    counts = {"duplicates": 0, "ignored": 0, "unreadable": 0}

    async def on_body(body: bytes) -> None:
        try:
            envelope = decode(body)
        except InvalidEnvelope:
            counts["unreadable"] += 1
            return
        if envelope.id in seen:
            counts["duplicates"] += 1
            return
        seen.add(envelope.id)
        if await apply_event(store, envelope):
            applied[envelope.id] = envelope.type
        else:
            counts["ignored"] += 1

    async with engine.connect() as lock:
        await lock.execute(sa.select(sa.func.pg_advisory_lock(REBUILD_LOCK)))
        await lock.commit()
        try:
            read = await reader.replay(on_body)
            async with engine.connect() as connection:
                await _swap(connection, store, applied, consumer)
        finally:
            await lock.execute(sa.select(sa.func.pg_advisory_unlock(REBUILD_LOCK)))
            await lock.commit()
    result = RebuildResult(
        read=read,
        applied=len(applied),
        rows=len(store),
        seconds=time.perf_counter() - started,
        **counts,
    )
    log.info("rebuild.done", **result.__dict__)
    return result


async def _swap(connection: AsyncConnection, store: MemoryFactStore, applied: dict[UUID, str], consumer: str) -> None:
    raw: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg, for COPY
    async with raw.transaction():
        await raw.execute("TRUNCATE " + ", ".join(t.name for t in TABLES))
        await raw.execute("DELETE FROM inbox WHERE consumer = $1", consumer)
        for table in TABLES:
            records = store.records(table)
            if records:
                await raw.copy_records_to_table(table.name, records=records, columns=list(table.columns))
        await raw.copy_records_to_table(
            "inbox",
            records=[(consumer, event_id, event_type) for event_id, event_type in applied.items()],
            columns=["consumer", "event_id", "event_type"],
        )

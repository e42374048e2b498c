"""Write events into the outbox in the caller's transaction.

The state change and the events it causes commit together or not at all; the relay publishes
what committed. ``NOTIFY`` is sent in the same transaction, so PostgreSQL delivers it only on
commit and a rolled-back change never wakes the relay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.clock import Clock
from forlob_shared.events.base import supersession
from forlob_shared.events.envelope import CONTENT_TYPE, PendingEvent, encode
from forlob_shared.events.majors import EmittedMajors, check_emits, emitted
from forlob_shared.logging import current_traceparent
from forlob_shared.messaging.tables import NOTIFY_CHANNEL, aggregate_sequence, outbox

# Built once, run with new parameters (a list: executemany, RETURNING included): every
# transaction that emits events passes here, and building an upsert (its ``excluded`` columns,
# its cache key) cost more than running it.
_SEQUENCES = pg_insert(aggregate_sequence)
_RESERVE = _SEQUENCES.on_conflict_do_update(
    index_elements=[aggregate_sequence.c.aggregate_type, aggregate_sequence.c.aggregate_id],
    set_={"last": aggregate_sequence.c.last + _SEQUENCES.excluded.last},
).returning(aggregate_sequence.c.aggregate_type, aggregate_sequence.c.aggregate_id, aggregate_sequence.c.last)
_INSERT = outbox.insert()
_NOTIFY = sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, ""))


@dataclass(frozen=True)
class OutboxWriter:
    source: str  # "forlob/<service>"
    clock: Clock
    source_version: str | None = None  # the service's release: each event's ``sourceversion``
    # During a breaking change to an event type, the majors of it this service emits (by
    # ``<aggregate>.<event>``; unnamed: every major): one row each, from one fact.
    emits: EmittedMajors = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.emits:
            check_emits(self.emits)

    async def write(self, session: AsyncSession, events: Sequence[PendingEvent]) -> None:
        if not events:
            return
        now = self.clock.now()
        sequences = await self._reserve_sequences(session, events)
        traceparent = current_traceparent()
        rows = []
        for event in events:
            key = (event.aggregate_type, event.subject)
            sequences[key] += 1
            if supersession(type(event.data)) is None:
                rows.append(self._row(event, sequences[key], now, event.traceparent or traceparent))
                continue
            # One fact, one sequence number, a row per emitted major (forlob_shared.events.majors).
            for row in emitted(event, self.emits):
                rows.append(self._row(row, sequences[key], now, event.traceparent or traceparent))
        await session.execute(_INSERT, rows)
        await session.execute(_NOTIFY)

    async def _reserve_sequences(
        self, session: AsyncSession, events: Sequence[PendingEvent]
    ) -> dict[tuple[str, str], int]:
        """Take a gapless block of sequence numbers per aggregate; returns the last one before it.

        Sorted keys keep two transactions that touch the same aggregates from deadlocking.
        """
        counts: dict[tuple[str, str], int] = {}
        for event in events:
            key = (event.aggregate_type, event.subject)
            counts[key] = counts.get(key, 0) + 1
        values = [{"aggregate_type": t, "aggregate_id": i, "last": n} for (t, i), n in sorted(counts.items())]
        result = await session.execute(_RESERVE, values)
        return {(t, i): last - counts[(t, i)] for t, i, last in result.all()}

    def _row(self, event: PendingEvent, sequence: int, now: datetime, traceparent: str | None) -> dict[str, object]:
        headers: dict[str, str] = {
            "type": event.data.cloudevent_type(),
            "subject": event.subject,
            "partitionkey": event.partition_key,  # what consumers' lanes key on
            "content-type": CONTENT_TYPE,
        }
        if event.referring_org:
            headers["referringorg"] = event.referring_org
        if event.provider_org:
            headers["providerorg"] = event.provider_org
        if event.fact_id is not None:
            headers["factid"] = str(event.fact_id)
        if traceparent:
            headers["traceparent"] = traceparent  # the relay publishes under it (forlob_shared.tracing)
        return {
            "event_id": event.id,
            "aggregate_type": event.aggregate_type,
            "aggregate_id": event.subject,
            "aggregate_sequence": sequence,
            "routing_key": event.data.routing_key,
            "headers": headers,
            "body": encode(
                event,
                source=self.source,
                sequence=sequence,
                time=now,
                traceparent=traceparent,
                source_version=self.source_version,
            ),
        }

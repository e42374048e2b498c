"""Write events into the outbox in the caller's transaction.

The state change and the events it causes commit together or not at all; the relay publishes
what committed. ``NOTIFY`` is sent in the same transaction, so PostgreSQL delivers it only on
commit and a rolled-back change never wakes the relay.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_shared.clock import Clock
from forlob_shared.events.base import supersession
from forlob_shared.events.envelope import CONTENT_TYPE, PendingEvent, encode
from forlob_shared.events.majors import EmittedMajors, check_emits, emitted
from forlob_shared.logging import current_traceparent
from forlob_shared.messaging.tables import NOTIFY_CHANNEL

# One round trip for the sequence numbers and the relay's wake-up: every transaction that emits
# events passes here (a consumer's batch once per step). The keys go in as arrays, so the text is
# the same whatever their number (one prepared statement per connection), in sorted order, so two
# transactions touching the same aggregates take their row locks in the same order. The NOTIFY is
# delivered only when the transaction commits, wherever in it it was sent.
_RESERVE = sa.text(
    f"""
    WITH reserved AS (
        INSERT INTO aggregate_sequence (aggregate_type, aggregate_id, last)
        SELECT batch.aggregate_type, batch.aggregate_id, batch.last
        FROM unnest(:aggregate_types, :aggregate_ids, :lasts) AS batch (aggregate_type, aggregate_id, last)
        ORDER BY batch.aggregate_type, batch.aggregate_id
        ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET last = aggregate_sequence.last + excluded.last
        RETURNING aggregate_type, aggregate_id, last
    ), woken AS (
        SELECT pg_notify('{NOTIFY_CHANNEL}', '')
    )
    SELECT reserved.aggregate_type, reserved.aggregate_id, reserved.last FROM reserved CROSS JOIN woken
    """
).bindparams(
    sa.bindparam("aggregate_types", type_=ARRAY(sa.Text())),
    sa.bindparam("aggregate_ids", type_=ARRAY(sa.Text())),
    sa.bindparam("lasts", type_=ARRAY(sa.BigInteger())),
)
# The rows as one statement whatever their number (each column one array: the text, and the
# statement each connection prepares, is the same for one row or a hundred), positions given in
# the arrays' order, so one aggregate's rows stay in sequence order.
_INSERT = sa.text(
    """
    INSERT INTO outbox (event_id, aggregate_type, aggregate_id, aggregate_sequence, routing_key, headers, body)
    SELECT r.event_id, r.aggregate_type, r.aggregate_id, r.aggregate_sequence, r.routing_key,
           CAST(r.headers AS jsonb), r.body
    FROM unnest(
        CAST(:event_ids AS uuid[]), CAST(:aggregate_types AS text[]), CAST(:aggregate_ids AS text[]),
        CAST(:sequences AS bigint[]), CAST(:routing_keys AS text[]), CAST(:headers AS text[]),
        CAST(:bodies AS bytea[])
    ) WITH ORDINALITY AS r(event_id, aggregate_type, aggregate_id, aggregate_sequence, routing_key, headers, body, nth)
    ORDER BY r.nth
    """
)
_COLUMNS = ("event_ids", "aggregate_types", "aggregate_ids", "sequences", "routing_keys", "headers", "bodies")


@dataclass(frozen=True, slots=True)
class Written:
    """What :meth:`OutboxWriter.write` gave the events it wrote: each one's number in its
    aggregate's series (its CloudEvent's ``sequence``), in the events' order, and the ``time``
    they all carry."""

    sequences: list[int]
    time: datetime


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

    async def write(self, session: AsyncSession, events: Sequence[PendingEvent]) -> Written:
        now = self.clock.now()
        if not events:
            return Written([], now)
        sequences = await self._reserve_sequences(session, events)
        traceparent = current_traceparent()
        rows: list[tuple[object, ...]] = []
        given = []
        for event in events:
            key = (event.aggregate_type, event.subject)
            sequences[key] += 1
            given.append(sequences[key])
            if supersession(type(event.data)) is None:
                rows.append(self._row(event, sequences[key], now, event.traceparent or traceparent))
                continue
            # One fact, one sequence number, a row per emitted major (forlob_shared.events.majors).
            for row in emitted(event, self.emits):
                rows.append(self._row(row, sequences[key], now, event.traceparent or traceparent))
        # The relay was woken by the reservation (on commit).
        await session.execute(_INSERT, dict(zip(_COLUMNS, map(list, zip(*rows, strict=True)), strict=True)))
        return Written(given, now)

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
        keys = sorted(counts)
        values = {
            "aggregate_types": [t for t, _ in keys],
            "aggregate_ids": [i for _, i in keys],
            "lasts": [counts[key] for key in keys],
        }
        result = await session.execute(_RESERVE, values)
        return {(t, i): last - counts[(t, i)] for t, i, last in result.all()}

    def _row(self, event: PendingEvent, sequence: int, now: datetime, traceparent: str | None) -> tuple[object, ...]:
        """The row's columns, in the order of ``_COLUMNS``."""
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
        return (
            event.id,
            event.aggregate_type,
            event.subject,
            sequence,
            event.data.routing_key,
            json.dumps(headers, separators=(",", ":"), ensure_ascii=False),
            encode(
                event,
                source=self.source,
                sequence=sequence,
                time=now,
                traceparent=traceparent,
                source_version=self.source_version,
            ),
        )

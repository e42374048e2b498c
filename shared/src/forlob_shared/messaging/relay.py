"""The outbox relay: publishes committed outbox rows to RabbitMQ, in order, exactly as written.

- One relay per database is active: it holds a session-level advisory lock on the connection it
  reads with, so if that connection dies the lock goes with it and a standby takes over.
- It wakes on ``LISTEN forlob_outbox`` (sent by writers at commit) and polls as a fallback; a
  broker connection closed under it wakes it too, to reconnect before there is anything to send.
- A batch is published pipelined on one confirming channel (frames leave in order, confirms are
  awaited together) with ``mandatory`` set, so an unroutable event is returned, not dropped.
- Batches follow each other with the database work overlapped: while a batch's confirms are
  awaited, the batch before it is marked sent and the next one read (leaving out the rows in
  flight). The next batch is published only once this one is confirmed in full.
- Only the prefix of a batch that the broker confirmed is marked sent. On the first failure the
  rest is retried from that row, so an aggregate's events are never published out of order;
  a confirmed-but-unmarked row (crash between confirm and update) is published again and the
  consumers' inbox drops the duplicate.
- On a cluster it connects to the first of ``broker_nodes`` that answers, and after losing that
  node (its connection closed, or a publish failing on it) tries the next one first.
- A row the broker keeps refusing is moved to ``outbox_archive`` after ``max_attempts`` so one
  bad row cannot stop a service's events forever; that is logged as an error and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractExchange
from aio_pika.exceptions import DeliveryError, PublishError

from forlob_shared import metrics
from forlob_shared.background import pause, pause_unless_woken
from forlob_shared.events.envelope import CONTENT_TYPE
from forlob_shared.logging import get_logger
from forlob_shared.messaging.nodes import BrokerNodes
from forlob_shared.messaging.tables import NOTIFY_CHANNEL
from forlob_shared.messaging.topology import Topology
from forlob_shared.redaction import describe_error
from forlob_shared.tracing import attached, tracing_enabled

log = get_logger("forlob.relay")

# One lock per database; the services have a database each, so a constant key is enough.
RELAY_LOCK_KEY = zlib.crc32(b"forlob.outbox.relay")

# $2: the positions of the batch in flight (published, not yet marked sent), left out.
_FETCH = """
SELECT position, event_id, routing_key, headers, body, attempts
FROM outbox WHERE sent_at IS NULL AND position <> ALL($2::bigint[]) ORDER BY position LIMIT $1
"""
_MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE position = ANY($1::bigint[])"
_RECORD_FAILURE = "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE position = $1 RETURNING attempts"
_ARCHIVE = """
WITH moved AS (DELETE FROM outbox WHERE position = $1 RETURNING *)
INSERT INTO outbox_archive (position, event_id, aggregate_type, aggregate_id, aggregate_sequence,
                            routing_key, headers, body, created_at, attempts, last_error)
SELECT position, event_id, aggregate_type, aggregate_id, aggregate_sequence,
       routing_key, headers, body, created_at, attempts, last_error FROM moved
"""
_BACKLOG = "SELECT count(*), EXTRACT(EPOCH FROM now() - min(created_at)) FROM outbox WHERE sent_at IS NULL"
_PURGE_SENT = "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)"
_PURGE_INBOX = "DELETE FROM inbox WHERE processed_at < now() - make_interval(secs => $1)"


@dataclass(frozen=True)
class RelayConfig:
    dsn: str
    broker_url: str
    topology: Topology
    broker_nodes: tuple[str, ...] = ()  # every node's URL, on a cluster (default: broker_url alone)
    source: str = "forlob"
    batch_size: int = 500
    poll_interval: float = 1.0
    confirm_timeout: float = 30.0
    max_attempts: int = 10
    standby_interval: float = 2.0
    backoff_max: float = 30.0
    sent_retention_seconds: float = 7 * 24 * 3600
    inbox_retention_seconds: float = 30 * 24 * 3600
    housekeeping_interval: float = 3600.0
    backlog_interval: float = 5.0


class _BatchFailed(Exception):
    """The broker refused a row; the relay backs off before the next attempt."""


class OutboxRelay:
    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self.active = asyncio.Event()  # set while this relay holds the lock (tests and health use it)
        self.published = 0
        self.nodes = BrokerNodes(config.broker_nodes or (config.broker_url,))

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set, surviving database and broker outages."""
        failures = 0
        while not stop.is_set():
            try:
                await self._session(stop)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001  (any failure: reconnect after a back-off)
                failures += 1
                delay = min(self.config.backoff_max, 0.2 * 2 ** min(failures, 10))
                log.warning("relay.reconnecting", error=describe_error(exc), retry_in=round(delay, 2))
                await pause(stop, delay)
            finally:
                self._set_active(False)

    async def _session(self, stop: asyncio.Event) -> None:
        db = await asyncpg.connect(self.config.dsn)
        try:
            await db.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
            if not await self._acquire_lock(db, stop):
                return
            wake = asyncio.Event()
            await db.add_listener(NOTIFY_CHANNEL, lambda *_: wake.set())
            connection = await self.nodes.connect(
                # forlob/referral -> "forlob-referral relay" in RabbitMQ's connection list
                client_properties={"connection_name": f"{self.config.source.replace('/', '-')} relay"},
            )
            async with connection:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                # A connection the broker closes while the relay waits would otherwise be found
                # only by the next publish, which then fails and waits out a back-off: the first
                # events after a broker fault would be late. Reconnect as soon as it is gone.
                lost = asyncio.Event()

                def on_close(*_: object) -> None:
                    lost.set()
                    wake.set()

                connection.close_callbacks.add(on_close)
                channel.close_callbacks.add(on_close)
                await self.config.topology.declare_core(channel)
                exchange = await channel.get_exchange(self.config.topology.events_exchange, ensure=False)
                log.info("relay.active", exchange=exchange.name, node=self.nodes.where)
                await self._relay_loop(db, exchange, wake, stop, lost)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(db.close(), timeout=5)
            if not db.is_closed():
                db.terminate()

    async def _acquire_lock(self, db: asyncpg.Connection, stop: asyncio.Event) -> bool:
        standby_logged = False
        while not stop.is_set():
            if await db.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK_KEY):
                self._set_active(True)
                return True
            if not standby_logged:
                log.info("relay.standby", reason="another relay holds the lock")
                standby_logged = True
            await db.fetchval("SELECT 1")  # a dead database ends standby with an error, not silence
            await pause(stop, self.config.standby_interval)
        return False

    async def _relay_loop(
        self,
        db: asyncpg.Connection,
        exchange: AbstractExchange,
        wake: asyncio.Event,
        stop: asyncio.Event,
        lost: asyncio.Event,
    ) -> None:
        loop = asyncio.get_running_loop()
        next_backlog = next_housekeeping = loop.time()
        failures = 0
        while not stop.is_set():
            if lost.is_set():
                self.nodes.lost()
                raise ConnectionError("the broker closed the relay's connection or channel")
            wake.clear()
            now = loop.time()
            if now >= next_backlog:
                await self._update_backlog(db)
                next_backlog = now + self.config.backlog_interval
            if now >= next_housekeeping:
                await self._housekeeping(db)
                next_housekeeping = now + self.config.housekeeping_interval
            try:
                # Back to back until a short batch, a stop, a lost broker or the next chore is due.
                def enough(due: float = min(next_backlog, next_housekeeping)) -> bool:
                    return stop.is_set() or lost.is_set() or loop.time() >= due

                more = await self.relay_batches(db, exchange, enough)
                failures = 0
            except _BatchFailed:
                failures += 1
                await pause(stop, min(self.config.backoff_max, 0.1 * 2 ** min(failures, 10)))
                continue
            if more:
                continue  # more may be waiting: no pause between full batches
            await pause_unless_woken(stop, wake, self.config.poll_interval)

    async def relay_batches(
        self, db: asyncpg.Connection, exchange: AbstractExchange, enough: Callable[[], bool] = lambda: True
    ) -> bool:
        """Publish batches until one is short or ``enough()`` (asked after each); returns whether
        the last one was full (more may be waiting)."""
        size = self.config.batch_size
        rows = await db.fetch(_FETCH, size, [])
        confirmed: Sequence[Any] = ()  # the batch before, confirmed by the broker, not yet marked sent
        while rows:
            publishing = self._publish_batch(exchange, rows)
            full = len(rows) == size
            try:
                # The connection is idle while the broker confirms: mark the batch before and read
                # the next one meanwhile (the rows in flight left out: they are not marked yet).
                await self._mark_sent(db, confirmed)
                following = await db.fetch(_FETCH, size, [row["position"] for row in rows]) if full else []
            except BaseException:
                publishing.cancel()  # published or not, they are unmarked: sent again after a reconnect
                raise
            results = await publishing
            for index, result in enumerate(results):
                if isinstance(result, BaseException):
                    # Only the confirmed prefix is marked; the rest is retried from this row.
                    await self._mark_sent(db, rows[:index])
                    await self._handle_failure(db, rows[index], result)  # raises
            confirmed = rows
            if not full or enough():
                break
            rows = following
        await self._mark_sent(db, confirmed)
        return len(confirmed) == size

    def _publish_batch(self, exchange: AbstractExchange, rows: Sequence[Any]) -> asyncio.Future[list[Any]]:
        """Every row published at once on the confirming channel (frames leave in row order)."""
        if tracing_enabled():
            publishes = [self._publish(exchange, row) for row in rows]
        else:
            # No trace context to attach: the publish itself, without a wrapper per row.
            timeout = self.config.confirm_timeout
            publishes = [
                exchange.publish(self._message(row), row["routing_key"], mandatory=True, timeout=timeout)
                for row in rows
            ]
        return asyncio.gather(*publishes, return_exceptions=True)

    async def _mark_sent(self, db: asyncpg.Connection, rows: Sequence[Any]) -> None:
        if not rows:
            return
        await db.execute(_MARK_SENT, [row["position"] for row in rows])
        self.published += len(rows)
        for routing_key, count in Counter(row["routing_key"] for row in rows).items():
            metrics.EVENTS_PUBLISHED.labels(routing_key).inc(count)

    async def _publish(self, exchange: AbstractExchange, row: Any) -> Any:
        # Under the context of the transaction that wrote the row: with traces on, aio-pika's
        # PRODUCER span is its child (each publish runs in a task of its own, with its own context).
        with attached(row["headers"].get("traceparent")):
            return await exchange.publish(
                self._message(row), row["routing_key"], mandatory=True, timeout=self.config.confirm_timeout
            )

    async def _handle_failure(self, db: asyncpg.Connection, row: Any, error: BaseException) -> None:
        if isinstance(error, PublishError):
            reason = "unroutable"
        elif isinstance(error, DeliveryError):
            reason = "nacked"
        else:
            # Connection trouble or a confirm that never came: the outcome is unknown, so start
            # over on a fresh connection and publish again (consumers drop duplicates).
            metrics.PUBLISH_FAILURES.labels("connection").inc()
            self.nodes.lost()
            raise error
        metrics.PUBLISH_FAILURES.labels(reason).inc()
        attempts = await db.fetchval(_RECORD_FAILURE, row["position"], f"{reason}: {error!r}"[:2000])
        log.warning(
            "relay.publish_refused",
            event_id=str(row["event_id"]),
            routing_key=row["routing_key"],
            reason=reason,
            attempts=attempts,
        )
        if attempts >= self.config.max_attempts:
            await db.execute(_ARCHIVE, row["position"])
            metrics.OUTBOX_ARCHIVED.inc()
            log.error(
                "relay.archived",
                event_id=str(row["event_id"]),
                routing_key=row["routing_key"],
                reason=reason,
                attempts=attempts,
            )
        raise _BatchFailed(reason)

    def _message(self, row: Any) -> aio_pika.Message:
        headers: dict[str, Any] = row["headers"]
        return aio_pika.Message(
            body=row["body"],
            headers=headers,  # type, subject, referringorg, providerorg: for headers exchanges
            content_type=CONTENT_TYPE,
            message_id=str(row["event_id"]),
            type=headers.get("type"),
            app_id=self.config.source,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )

    async def _update_backlog(self, db: asyncpg.Connection) -> None:
        row = await db.fetchrow(_BACKLOG)
        count, age = (row[0], row[1]) if row is not None else (0, 0)
        metrics.OUTBOX_BACKLOG.set(count)
        metrics.OUTBOX_OLDEST_AGE.set(float(age or 0))

    async def _housekeeping(self, db: asyncpg.Connection) -> None:
        sent = await db.execute(_PURGE_SENT, self.config.sent_retention_seconds)
        seen = await db.execute(_PURGE_INBOX, self.config.inbox_retention_seconds)
        log.debug("relay.housekeeping", purged_sent=sent, purged_inbox=seen)

    def _set_active(self, active: bool) -> None:
        metrics.RELAY_ACTIVE.set(1 if active else 0)
        if active:
            self.active.set()
        else:
            self.active.clear()

"""Outbox relay throughput against the best plain aio-pika publishing on the same broker.

    uv run --no-sync python bench/relay.py [--events 20000] [--batch-size 500] [--aggregates 1000] [--rounds 5]

Servers: ``FORLOB_BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``) and
``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, any
database on the server: the bench creates its own beside it).

What is measured, per round (ceiling and relay alternate, because the machine is shared; the
figures are medians over the rounds, so compare them within one run only):

- CEILING: the N outbox messages (same bodies, headers and properties as the relay sends)
  published with plain aio-pika on one confirming channel, ``mandatory=True``, persistent,
  pipelined in windows of ``--batch-size`` (``asyncio.gather`` per window, as the relay does).
  Timed from the first publish to the last confirm; the connection is opened before.
- RELAY: an :class:`OutboxRelay` started on the full outbox, timed from ``run()`` until every
  row is marked sent (``relay.published == N``). Nothing is subtracted: connecting, the advisory
  lock, declaring the topology and the relay's first backlog/housekeeping queries are included.

Both publish to the events exchange, which routes every message to the history stream and to a
quorum queue bound to ``#`` (as production does). After every relay round the queue is read
back and each aggregate's ``sequence`` must arrive as exactly 1, 2, ..., k.

Setup (creating the database, filling the outbox, resetting it between rounds) is not timed.
The database and every exchange/queue under the bench's random prefix are removed at the end,
also when the bench fails or is interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

import aio_pika
import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from forlob_shared.clock import SystemClock
from forlob_shared.dbadmin import drop_database
from forlob_shared.events.envelope import CONTENT_TYPE
from forlob_shared.logging import configure_logging
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.messaging.relay import OutboxRelay, RelayConfig
from forlob_shared.messaging.tables import messaging_metadata
from forlob_shared.messaging.topology import Topology
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.fixtures import delete_prefixed
from forlob_testkit.messaging import referral_event

DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SOURCE = "forlob/bench"
CONFIRM_TIMEOUT = 30.0  # the relay's default, used for the ceiling's publishes too
FILL_TRANSACTION = 5_000  # events per OutboxWriter transaction while filling
RUN_TIMEOUT = 600.0  # a relay round that takes longer than this is a failure, not a result
SETTLE = 0.3  # after reading N messages back, wait this long for any (duplicate) extra
QUIET = 1.0  # pause before each timed part, so the broker finishes the purge (quorum log, stream) first


@dataclass(frozen=True)
class Options:
    events: int
    batch_size: int
    aggregates: int
    rounds: int
    broker_url: str
    database_url: str


@dataclass(frozen=True)
class OutboxRow:
    """What the relay reads from an outbox row to build its message."""

    event_id: UUID
    routing_key: str
    headers: dict[str, Any]
    body: bytes


@dataclass(frozen=True)
class Bench:
    """Names and data of one bench run (its own database and broker prefix)."""

    options: Options
    dsn: str  # the bench database, plain postgresql:// form for asyncpg
    topology: Topology
    queue: str  # the quorum queue bound to '#'
    rows: Sequence[OutboxRow]  # the outbox in position order, for the ceiling
    expected: dict[str, int]  # events per aggregate (CloudEvent subject)


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000, help="events in the outbox (default 20000)")
    parser.add_argument(
        "--batch-size", type=int, default=500, help="relay batch size = ceiling window (default 500, as RelayConfig)"
    )
    parser.add_argument("--aggregates", type=int, default=1_000, help="aggregates the events spread over")
    parser.add_argument("--rounds", type=int, default=5, help="ceiling/relay rounds (default 5; medians are used)")
    args = parser.parse_args(argv)
    if min(args.events, args.batch_size, args.aggregates, args.rounds) < 1:
        parser.error("--events, --batch-size, --aggregates and --rounds must be positive")
    return Options(
        events=args.events,
        batch_size=args.batch_size,
        aggregates=min(args.aggregates, args.events),
        rounds=args.rounds,
        broker_url=os.environ.get("FORLOB_BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        database_url=os.environ.get("FORLOB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    )


def with_database(url: str, name: str) -> str:
    """``url`` (any database on the server) pointing at database ``name`` instead."""
    parts = urlsplit(plain_postgres_url(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- setup (not timed) ---------------------------------------------------------------------------


async def create_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(plain_postgres_url(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def fill_outbox(dsn: str, events: int, aggregates: int) -> dict[str, int]:
    """Create the messaging tables and write ``events`` events round-robin over ``aggregates``.

    Round-robin interleaving makes every batch hold many aggregates, each several times, so an
    out-of-order publish inside a batch or across batches would show in the order check.
    Returns the number of events per aggregate (subject).
    """
    engine = create_async_engine("postgresql+asyncpg://" + dsn.split("://", 1)[1])
    try:
        async with engine.begin() as connection:
            await connection.run_sync(messaging_metadata.create_all)
        writer = OutboxWriter(source=SOURCE, clock=SystemClock())
        referral_ids = [uuid4() for _ in range(aggregates)]
        expected: Counter[str] = Counter()
        for start in range(0, events, FILL_TRANSACTION):
            pending = [
                referral_event(referral_ids[i % aggregates])
                for i in range(start, min(events, start + FILL_TRANSACTION))
            ]
            expected.update(event.subject for event in pending)
            async with AsyncSession(engine) as session, session.begin():
                await writer.write(session, pending)
        return dict(expected)
    finally:
        await engine.dispose()


async def load_rows(dsn: str) -> list[OutboxRow]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        records = await conn.fetch("SELECT event_id, routing_key, headers, body FROM outbox ORDER BY position")
        return [OutboxRow(r["event_id"], r["routing_key"], r["headers"], r["body"]) for r in records]
    finally:
        await conn.close()


async def reset_outbox(dsn: str) -> None:
    """Mark every row unsent again and compact the table, so each relay round starts alike."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE outbox SET sent_at = NULL, attempts = 0, last_error = NULL")
        await conn.execute("VACUUM (FULL, ANALYZE) outbox")
        # So a checkpoint is less likely to land inside the round (needs superuser or pg_checkpoint).
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def declare_topology(broker_url: str, topology: Topology, queue: str) -> None:
    """Exchanges and history stream (``declare_core``) plus a production-style quorum queue on '#'."""
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await topology.declare_core(channel)
        await topology.declare_consumer_queue(channel, queue, ["#"])


async def purge_queue(broker_url: str, queue: str) -> None:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.get_queue(queue, ensure=False)
        await declared.purge()


# --- the two measurements ------------------------------------------------------------------------


def build_message(row: OutboxRow) -> aio_pika.Message:
    """The message exactly as ``OutboxRelay._message`` builds it."""
    return aio_pika.Message(
        body=row.body,
        headers=row.headers,
        content_type=CONTENT_TYPE,
        message_id=str(row.event_id),
        type=row.headers.get("type"),
        app_id=SOURCE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def run_ceiling(bench: Bench) -> float:
    """Plain aio-pika: publish every row, a window at a time, awaiting each window's confirms."""
    window = bench.options.batch_size
    connection = await aio_pika.connect(bench.options.broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(bench.topology.events_exchange, ensure=False)
        started = time.perf_counter()
        for start in range(0, len(bench.rows), window):
            # Messages are built inside the timed loop, as any publisher (and the relay) must.
            await asyncio.gather(
                *(
                    exchange.publish(build_message(row), row.routing_key, mandatory=True, timeout=CONFIRM_TIMEOUT)
                    for row in bench.rows[start : start + window]
                )
            )
        return time.perf_counter() - started


@dataclass(frozen=True)
class RelayRound:
    seconds: float  # run() until the last row was marked sent
    active_after: float | None  # run() until the relay held the lock (connect + lock)
    first_after: float | None  # run() until the first batch was marked sent


async def run_relay(bench: Bench) -> RelayRound:
    """Run an OutboxRelay on the full outbox until every row is marked sent."""
    n = len(bench.rows)
    relay = OutboxRelay(
        RelayConfig(
            dsn=bench.dsn,
            broker_url=bench.options.broker_url,
            topology=bench.topology,
            source=SOURCE,
            batch_size=bench.options.batch_size,
        )
    )
    stop = asyncio.Event()
    active_after: float | None = None
    first_after: float | None = None
    started = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    try:
        # relay.published grows right after each batch's UPDATE ... SET sent_at returns, so
        # published == n means the last row is marked sent. A 1 ms poll is cheap and precise enough.
        while relay.published < n:
            if task.done():
                error = None if task.cancelled() else task.exception()
                raise RuntimeError(f"the relay stopped after {relay.published} of {n} events") from error
            now = time.perf_counter()
            if now - started > RUN_TIMEOUT:
                raise TimeoutError(f"the relay published {relay.published} of {n} events in {RUN_TIMEOUT:.0f} s")
            if active_after is None and relay.active.is_set():
                active_after = now - started
            if first_after is None and relay.published:
                first_after = now - started
            await asyncio.sleep(0.001)
        seconds = time.perf_counter() - started
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    conn = await asyncpg.connect(bench.dsn)
    try:
        unsent = await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    finally:
        await conn.close()
    if unsent:
        raise RuntimeError(f"relay.published reached {n} but {unsent} rows are unsent")
    return RelayRound(seconds, active_after, first_after)


# --- order check ---------------------------------------------------------------------------------


async def read_queue(broker_url: str, queue: str, expected: int) -> list[bytes]:
    """Consume (auto-ack) the queue until ``expected`` messages came, plus any extra that follow."""
    bodies: list[bytes] = []
    enough = asyncio.Event()

    async def on_message(message: AbstractIncomingMessage) -> None:
        bodies.append(message.body)
        if len(bodies) >= expected:
            enough.set()

    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.get_queue(queue, ensure=False)
        tag = await declared.consume(on_message, no_ack=True)
        try:
            await asyncio.wait_for(enough.wait(), timeout=120)
        except TimeoutError:
            raise RuntimeError(f"only {len(bodies)} of {expected} messages reached {queue}") from None
        await asyncio.sleep(SETTLE)  # duplicates, if any, would follow right behind
        await declared.cancel(tag)
    return bodies


def check_order(bodies: Sequence[bytes], expected: dict[str, int]) -> str | None:
    """None if each aggregate's sequence arrived as exactly 1..k; otherwise what went wrong."""
    last: dict[str, int] = {}
    for index, body in enumerate(bodies):
        event = json.loads(body)
        subject, sequence = event["subject"], event["sequence"]
        previous = last.get(subject, 0)
        if sequence != previous + 1:  # strictly increasing and gapless in one test
            return f"message {index}: aggregate {subject} sent sequence {sequence} after {previous}"
        last[subject] = sequence
    if last != expected:
        missing = sum(1 for subject, k in expected.items() if last.get(subject) != k)
        return f"{missing} aggregates incomplete (or unknown subjects arrived)"
    return None


# --- driver --------------------------------------------------------------------------------------


def rate(events: int, seconds: float) -> float:
    return events / seconds if seconds > 0 else float("inf")


def milliseconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


async def run_rounds(bench: Bench) -> None:
    n, options = len(bench.rows), bench.options
    raw_rates: list[float] = []
    relay_rates: list[float] = []
    for number in range(1, options.rounds + 1):
        await purge_queue(options.broker_url, bench.queue)
        await asyncio.sleep(QUIET)
        seconds = await run_ceiling(bench)
        raw_rates.append(rate(n, seconds))
        print(
            f"round {number}  raw aio-pika: {n} events in {seconds:6.3f} s = {raw_rates[-1]:8.0f} events/s", flush=True
        )

        await purge_queue(options.broker_url, bench.queue)
        await reset_outbox(bench.dsn)
        await asyncio.sleep(QUIET)
        result = await run_relay(bench)
        relay_rates.append(rate(n, result.seconds))
        print(
            f"round {number}  relay      : {n} events in {result.seconds:6.3f} s = {relay_rates[-1]:8.0f} events/s"
            f"  (lock held after {milliseconds(result.active_after)}, first batch sent after"
            f" {milliseconds(result.first_after)}; ratio this round {relay_rates[-1] / raw_rates[-1]:.2f})",
            flush=True,
        )
        bodies = await read_queue(options.broker_url, bench.queue, n)
        if len(bodies) != n:
            raise RuntimeError(f"round {number}: {len(bodies)} messages routed for {n} events")
        problem = check_order(bodies, bench.expected)
        if problem is not None:
            raise RuntimeError(f"round {number}: per-aggregate order broken: {problem}")

    raw, relayed = statistics.median(raw_rates), statistics.median(relay_rates)
    print()
    print(f"raw aio-pika (median of {options.rounds}): {raw:8.0f} events/s")
    print(f"relay        (median of {options.rounds}): {relayed:8.0f} events/s")
    print(f"ratio relay/raw: {relayed / raw:.2f}  (goal >= 0.85, issue 17's floor)")
    # Each round's relay ran right after its ceiling, so the paired ratio is less exposed to the
    # machine getting busier or quieter between rounds; shown as a cross-check.
    paired = statistics.median(r / c for r, c in zip(relay_rates, raw_rates, strict=True))
    print(f"ratio relay/raw, median of per-round ratios: {paired:.2f}")
    print(f"order: ok ({len(bench.expected)} aggregates)")


async def main(options: Options) -> int:
    configure_logging("bench", level="WARNING", json=False)  # the relay's warnings and errors still show
    # Ctrl-C cancels this task (asyncio.run does that); make SIGTERM do the same, so both clean up.
    this = asyncio.current_task()
    if this is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, this.cancel)
    suffix = secrets.token_hex(4)
    name = f"forlob_bench_{suffix}"
    prefix = f"bench{suffix}."
    topology = Topology(prefix=prefix)
    queue = topology.queue("bench", "all")
    dsn = with_database(options.database_url, name)
    print(
        f"bench: {options.events} events over {options.aggregates} aggregates, batch/window {options.batch_size},"
        f" {options.rounds} rounds; database {name}, prefix {prefix}",
        flush=True,
    )
    created = False
    try:
        await create_database(options.database_url, name)
        created = True
        started = time.perf_counter()
        expected = await fill_outbox(dsn, options.events, options.aggregates)
        rows = await load_rows(dsn)
        await declare_topology(options.broker_url, topology, queue)
        print(f"setup: outbox filled in {time.perf_counter() - started:.1f} s (not timed)", flush=True)
        bench = Bench(options, dsn, topology, queue, rows, expected)
        await run_rounds(bench)
        return 0
    finally:
        # Shielded, so an interrupt during the rounds still removes what the bench created.
        await asyncio.shield(cleanup(options, dsn if created else None, prefix, queue, topology))


async def cleanup(options: Options, dsn: str | None, prefix: str, queue: str, topology: Topology) -> None:
    try:
        await delete_prefixed(options.broker_url, prefix, {queue, topology.dead_letter_queue(queue)})
    except Exception as exc:  # noqa: BLE001  (report, and still drop the database)
        print(f"cleanup: could not delete the broker names under {prefix!r}: {exc!r}", file=sys.stderr)
    if dsn is not None:
        try:
            await drop_database(dsn)
        except Exception as exc:  # noqa: BLE001
            print(f"cleanup: could not drop the bench database: {exc!r}", file=sys.stderr)


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(parse_options())))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted", file=sys.stderr)
        sys.exit(130)

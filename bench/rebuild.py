"""Reporting rebuild throughput against a bare read of the same history stream.

    uv run --no-sync python bench/rebuild.py [--events 1000000] [--rounds 1] [--prefetch 2000]

Servers: ``FORLOB_BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``) and
``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, any
database on the server: the bench creates its own beside it).

Setup (not timed): a synthetic cohort (forlob_testkit.reporting.cohort, in chunks with their own
seeds) is encoded as CloudEvents and published to the events exchange under a random prefix,
so the history stream holds exactly ``--events`` events; a fresh reporting database is migrated.

Per round (each measured part runs once per round; medians over rounds):

- BARE: :class:`HistoryReader` reads the stream from the first offset to its tail (a marker it
  publishes first) and does nothing with each body: the ceiling, the same client, credit and
  acknowledgement pattern as the rebuild.
- REBUILD: :func:`rebuild` as ``forlob-reporting rebuild`` runs it: the same read, plus decoding
  and validating every CloudEvent, deduplication, the projection into memory, and the swap
  (truncate, COPY of every fact row and of an inbox row per event, commit), all timed.

Prints events per second of both and REBUILD / BARE (goal >= 0.55, issue 17's floor). Compare within one run only.
The database and everything under the bench's prefix are removed at the end, also on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg

from forlob_reporting.application.rebuild import rebuild
from forlob_reporting.history import HistoryReader
from forlob_reporting.main import MIGRATIONS
from forlob_reporting.settings import ReportingSettings
from forlob_shared.db import create_engine
from forlob_shared.dbadmin import drop_database
from forlob_shared.events import CONTENT_TYPE
from forlob_shared.logging import configure_logging
from forlob_shared.messaging.topology import Topology
from forlob_shared.migrations import upgrade
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.fixtures import delete_prefixed
from forlob_testkit.reporting.cohort import build_cohort

DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CHUNK_REFERRALS = 2_000  # referrals per generated cohort chunk (about 24,000 events)
WINDOW = 2_000  # publishes in flight while filling the stream


def with_database(url: str, name: str) -> str:
    parts = urlsplit(plain_postgres_url(url))
    return urlunsplit(parts._replace(path=f"/{name}"))


async def fill_stream(broker_url: str, topology: Topology, events: int) -> int:
    connection = await aio_pika.connect(broker_url)
    published = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await topology.declare_core(channel)
        exchange = await channel.get_exchange(topology.events_exchange)
        seed = 0
        while published < events:
            seed += 1
            cohort = build_cohort(CHUNK_REFERRALS, seed=seed, days_share=0.3)
            chunk = cohort.events[: events - published]
            for start in range(0, len(chunk), WINDOW):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                p.body(),
                                message_id=str(p.event.id),
                                content_type=CONTENT_TYPE,
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            ),
                            routing_key=p.routing_key,
                        )
                        for p in chunk[start : start + WINDOW]
                    )
                )
            published += len(chunk)
            print(f"  published {published:,} events", file=sys.stderr)
    return published


async def bare_read(reader: HistoryReader) -> tuple[int, float]:
    async def nothing(body: bytes) -> None:
        return None

    started = time.perf_counter()
    read = await reader.replay(nothing)
    return read, time.perf_counter() - started


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the history (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=1, help="bare/rebuild rounds, medians reported (default 1)")
    parser.add_argument("--prefetch", type=int, default=2_000, help="stream credit for both reads (default 2000)")
    args = parser.parse_args()
    if min(args.events, args.rounds, args.prefetch) < 1:
        parser.error("--events, --rounds and --prefetch must be positive")
    configure_logging("bench", "WARNING", False)
    broker_url = os.environ.get("FORLOB_BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    server_url = os.environ.get("FORLOB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    run = secrets.token_hex(4)
    prefix = f"bench{run}."
    name = f"forlob_bench_rebuild_{run}"
    database_url = with_database(server_url, name)
    topology = Topology(prefix=prefix)
    conn = await asyncpg.connect(plain_postgres_url(server_url))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        await asyncio.to_thread(upgrade, MIGRATIONS, "postgresql+asyncpg://" + database_url.split("://", 1)[1])
        print(f"filling the history stream with {args.events:,} events ...", file=sys.stderr)
        fill_started = time.perf_counter()
        events = await fill_stream(broker_url, topology, args.events)
        print(f"  filled in {time.perf_counter() - fill_started:.0f} s", file=sys.stderr)
        settings = ReportingSettings(database_url=database_url, broker_url=broker_url, name_prefix=prefix)
        reader = HistoryReader(broker_url, topology, prefetch=args.prefetch)
        engine = create_engine(settings, pool_size=2)
        bare_rates, rebuild_rates = [], []
        try:
            for n in range(args.rounds):
                read, seconds = await bare_read(reader)
                assert read == events, f"bare read saw {read} of {events} events"
                bare_rates.append(read / seconds)
                result = await rebuild(engine, reader, consumer="reporting.read-model")
                assert result.read == events, f"rebuild read {result.read} of {events} events"
                assert result.applied == events, f"rebuild applied {result.applied} of {events} events"
                rebuild_rates.append(result.events_per_second)
                print(
                    f"  round {n + 1}: bare {bare_rates[-1]:,.0f} ev/s, rebuild {rebuild_rates[-1]:,.0f} ev/s "
                    f"({result.seconds:.1f} s, {result.rows:,} fact rows)",
                    file=sys.stderr,
                )
        finally:
            await engine.dispose()
        bare, rebuilt = statistics.median(bare_rates), statistics.median(rebuild_rates)
        print(f"events                 {events:,}")
        print(f"BARE stream read       {bare:,.0f} events/s")
        print(f"REBUILD (read+apply+swap) {rebuilt:,.0f} events/s")
        print(f"ratio REBUILD/BARE     {rebuilt / bare:.2f}   (goal >= 0.55)")
        return 0
    finally:
        await delete_prefixed(broker_url, prefix)
        await drop_database(database_url)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

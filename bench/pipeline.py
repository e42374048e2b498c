"""Whole courses through the four services at rising rates: end-to-end throughput against raw
aio-pika publish+consume on the same broker, and each service's resident memory.

    uv run --no-sync python bench/pipeline.py [--rates 5,10,20,40,80] [--days 3] [--burst 600] [--burst-rounds 3]
                                              [--quick] [--json]

Servers: ``FORLOB_BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``) and
``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, any
database on the server: the bench creates one database per service beside it, migrates them,
and drops them at the end with every exchange and queue under its random prefixes).

What runs: the four services as real processes (``forlob-<service> serve``, relay in process,
``forlob_testkit.processes.running_system``) on a moved clock, an SMTP sink in this
process, and the shared course-load driver (``forlob_testkit.courses.CourseLoad``): each
simulated working day it refers, accepts and starts ``rate`` new courses with an agreed schedule,
checks most participants in, lets some miss the arrival (absence detected → alert, e-mail,
escalation) and some come late, checks everyone out, and ends the courses that ran their days
with an outcome. A STEP is ``--days`` such days at one rate; the rates rise step by step. These
steps are LOAD-BOUND: the HTTP driver sets their pace and the pipeline keeps up with it (lag
~0.1 s), so their rate is the driver's, not the pipeline's capacity.

The SATURATED STEP (``--burst`` courses, after the rising steps) measures the capacity, outbox to
effect: every service that consumes events (attendance, notifications, reporting: the processes
the bench started, by pid) and the referral service's outbox relay (run as a process of its own
here, ``serve --no-relay`` + ``relay``, as a deployment may) are held with SIGSTOP while the driver
refers, accepts and starts courses through the referral service alone
(``CourseLoad.start_courses``); their events pile up in its outbox. Then all are resumed at once
with SIGCONT and the drain is timed from that moment (read on the database server's clock) to
the last consumer's commit: the relay publishing the backlog, the broker routing it, the
consumers applying it, and the effects' own follow-on events relayed and consumed. Its ceiling,
in the same run: the same events published with confirms to the ceiling's topology and consumed
from every queue with manual acks (prefetch as the services'), timed from the first publish to the
last ack: raw aio-pika publish+consume, as the issue sets it. Printed beside it, not as the
headline: the same backlog already in the queues, consumed alone (acks and nothing else). Held
processes miss the broker's heartbeats (60 s, aiormq's default, which the services keep: the
client allows three missed, the broker two), so the hold stops starting courses before
``HOLD_LIMIT`` (20 s), however many ``--burst`` asked for. The saturated step runs
``--burst-rounds`` times (default 3), each round paired with its own ceiling; the MEDIAN of the
rounds' ratios is the benchmark's headline ratio, so one round that a neighbour on a shared machine
slowed (or the ceiling's alone) does not decide it.

What is measured, per step, straight from the services' databases once every event of the step
is through (every outbox row sent, and every consumer bound to its routing key has its inbox row):

- EVENTS: outbox rows written during the step (all four services), and DELIVERIES: inbox rows,
  one per (consumer, event): the event was relayed to the broker, consumed, and its effect
  committed in the consumer's transaction. Deliveries are counted against what the bindings
  require, so a lost or dead-lettered event shows as an incomplete step, not as a lower rate.
- PIPELINE BUSY TIME: the union over the step's events of [the producer's transaction committed
  the outbox row, the last bound consumer committed its inbox row with the effect] (both read with
  ``clock_timestamp()`` by a deferred trigger the bench adds to its own databases, see
  ``COMMIT_TIMES``; one server, one clock). Time in
  which no event was anywhere between an outbox and an inbox is the driver's own (HTTP,
  waiting for a simulated morning's sweep) and is left out; everything from the outbox write
  to the last consumer is in. END-TO-END RATE = deliveries / busy time. The wall rate
  (deliveries / the step's wall time, driver and all) is shown beside it.
- CEILING, in the same run right after the step: the step's own events (the same bodies,
  headers and routing keys, in outbox order) published with plain aio-pika, persistent, with
  publisher confirms and ``mandatory``, pipelined in windows of the relay's batch size, to an
  exchange with the same topology (quorum queues with the same bindings and arguments, and the
  history stream), and consumed from every queue with manual acks (prefetch as the services').
  Timed from the first publish to the last ack; the median of ``--ceiling-rounds``.
  RATIO = end-to-end rate / ceiling rate (same deliveries, so also ceiling time / busy time).
- LAG: per delivery, effect committed minus outbox row committed, p50 and p99; and where it goes:
  outbox row committed -> marked sent by the relay, marked sent -> each consumer's commit.
- CPU: each service's and the bench's own CPU seconds over the step (/proc/<pid>/stat), and per
  consumer the mean time from pick-up to ack and the deliveries in hand (``/metrics``).
- SATURATION: the first step where the load grew but the end-to-end rate did not follow
  (grew by less than a quarter of the load's growth); the highest rate is the pipeline's.
- MEMORY: VmRSS and VmHWM from /proc/<pid>/status of each service process, at idle after start
  (all ready, a few seconds settled) and under load (VmRSS sampled every 0.2 s, and VmHWM at the
  end, the kernel's own peak). Goals: <= 150 MB idle, <= 250 MB peak (MB = 10^6 bytes).

The benchmark exits 0 whether or not the goals are met (it says which clearly), and 1 if the
pipeline lost, dead-lettered or did not finish delivering events.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Any
from uuid import UUID

import aio_pika
import asyncpg
import httpx
from aio_pika.abc import AbstractIncomingMessage
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families

from forlob_shared.events.envelope import CONTENT_TYPE
from forlob_shared.messaging.topology import Topology
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.benchmarks import cpu_seconds, create_databases, drop_databases, percentile
from forlob_testkit.courses import CourseLoad
from forlob_testkit.fixtures import delete_prefixed
from forlob_testkit.processes import SERVICES, System, running_system
from forlob_testkit.servers import free_port

DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_RATES = (5, 10, 20, 40, 80)
QUICK_RATES = (4, 16)
GOAL_RATIO = 0.5  # issue 17's floor
GOAL_IDLE_MB, GOAL_LOAD_MB = 150.0, 250.0
PUBLISH_WINDOW = 500  # the relay's default batch: it gathers a batch's publishes, then awaits the confirms
PREFETCH = 64  # the services' default consumer prefetch
# The saturated step: courses started while every consuming service is held (SIGSTOP), in chunks,
# for at most HOLD_LIMIT seconds (held processes miss broker heartbeats; see Pipeline.burst).
DEFAULT_BURST, QUICK_BURST = 600, 200
DEFAULT_BURST_ROUNDS = 3
BURST_CHUNK = 16
HOLD_LIMIT = 20.0
DRAIN_TIMEOUT = 180.0  # after a step's last day, how long every event may take to be through
SETTLE_SECONDS = 3.0  # after start, before the idle memory is read
SAMPLE_INTERVAL = 0.2
# The driver's concurrent requests: enough to keep two cores busy, and few enough that the four
# services' connection pools (up to 20 each) stay inside a shared server's max_connections.
CONCURRENCY = 8
POLL_INTERVAL = 0.1  # the driver's waits ask again this often (each probe is a request)
DRAIN_POLL = 0.1  # between a drain's looks at the databases
QUIET = 1.0  # no new event for this long (> every periodic tick below) ends a drain
# The same short ticks as the end-to-end tests: the driver waits for each simulated morning's
# absence sweep and escalation rules, and should not wait out production's 30 s and 15 s.
FAST_TICKS = {
    "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
    "FORLOB_NOTIFICATIONS_RULES_INTERVAL": "0.3",
    "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
    "FORLOB_LOG_LEVEL": "WARNING",
}


@dataclass(frozen=True)
class Options:
    rates: tuple[int, ...]
    days: int
    days_per_course: int
    concurrency: int
    ceiling_rounds: int
    burst: int
    burst_rounds: int
    settle: float
    json: bool
    broker_url: str
    database_url: str


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rates", help=f"new courses per simulated day, per step (default {DEFAULT_RATES})")
    parser.add_argument("--days", type=int, help="simulated working days per step (default 3; --quick 2)")
    parser.add_argument("--days-per-course", type=int, default=3, help="working days each course runs (default 3)")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="the driver's concurrent requests (default 8)"
    )
    parser.add_argument(
        "--ceiling-rounds", type=int, help="ceiling rounds per step, median used (default 3; --quick 1)"
    )
    parser.add_argument(
        "--burst",
        type=int,
        help=f"courses started while the consumers are held, for the saturated step (default {DEFAULT_BURST};"
        f" --quick {QUICK_BURST}; 0: none)",
    )
    parser.add_argument(
        "--burst-rounds",
        type=int,
        default=DEFAULT_BURST_ROUNDS,
        help=f"saturated steps run, the median ratio is the headline (default {DEFAULT_BURST_ROUNDS})",
    )
    parser.add_argument("--quick", action="store_true", help=f"rates {QUICK_RATES}, 2 days each: about 1.5 minutes")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the tables")
    args = parser.parse_args(argv)
    rates = tuple(int(r) for r in args.rates.split(",")) if args.rates else QUICK_RATES if args.quick else DEFAULT_RATES
    days = args.days if args.days is not None else 2 if args.quick else 3
    rounds = args.ceiling_rounds if args.ceiling_rounds is not None else 1 if args.quick else 3
    burst = args.burst if args.burst is not None else QUICK_BURST if args.quick else DEFAULT_BURST
    if not rates or min(rates) < 1 or days < 1 or args.days_per_course < 1 or args.concurrency < 1 or rounds < 1:
        parser.error("rates, --days, --days-per-course, --concurrency and --ceiling-rounds must be positive")
    if burst < 0:
        parser.error("--burst must not be negative")
    if args.burst_rounds < 1:
        parser.error("--burst-rounds must be positive")
    return Options(
        rates=rates,
        days=days,
        days_per_course=args.days_per_course,
        concurrency=args.concurrency,
        ceiling_rounds=rounds,
        burst=burst,
        burst_rounds=args.burst_rounds,
        settle=SETTLE_SECONDS,
        json=args.json,
        broker_url=os.environ.get("FORLOB_BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        database_url=os.environ.get("FORLOB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    )


# --- who consumes what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Consumer:
    service: str
    purpose: str
    routing_keys: tuple[str, ...]

    @property
    def name(self) -> str:
        """The inbox's consumer key (EventConsumer.name) and, prefixed, the queue."""
        return f"{self.service}.{self.purpose}"


def consumers(services: Iterable[str] = SERVICES) -> list[Consumer]:
    found = []
    for service in services:
        spec = import_module(f"forlob_{service}.main").spec()
        for subscription in spec.subscriptions_for(spec.settings_cls()):
            found.append(Consumer(spec.name, subscription.purpose, tuple(subscription.routing_keys)))
    return found


def routes(bound: Sequence[Consumer]) -> dict[str, list[Consumer]]:
    """Routing key → the consumers its event must reach (every binding is an exact key)."""
    table: dict[str, list[Consumer]] = {}
    for consumer in bound:
        for key in consumer.routing_keys:
            table.setdefault(key, []).append(consumer)
    return table


# --- memory ---------------------------------------------------------------------------------------


def read_status(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of ``pid`` in bytes, from /proc/<pid>/status (which reports kB = KiB)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values["VmRSS"], values["VmHWM"]


SERVER_COMMANDS = {"postgres": "postgres", "beam.smp": "rabbitmq"}


@dataclass(frozen=True)
class ServerProcess:
    server: str
    ppid: int
    own: float  # user + system seconds
    reaped: float  # the children's it has waited for (a PostgreSQL backend's, once it exited)


def server_processes() -> dict[int, ServerProcess]:
    """Every PostgreSQL and RabbitMQ process on the machine, from /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:
            continue
        server = SERVER_COMMANDS.get(head.partition("(")[2])
        if server is not None:
            f = rest.split()
            own, reaped = (int(f[11]) + int(f[12])) / tick, (int(f[13]) + int(f[14])) / tick
            found[int(stat.parent.name)] = ServerProcess(server, int(f[1]), own, reaped)
    return found


def servers_cpu(before: Mapping[int, ServerProcess], after: Mapping[int, ServerProcess]) -> dict[str, float]:
    """CPU seconds each server used between two readings, backends that came and went included
    (a parent's reaped time holds an exited child's whole life, so what it had before is taken
    off). Any user's load on the servers counts."""
    used = dict.fromkeys(SERVER_COMMANDS.values(), 0.0)
    for pid, now in after.items():
        then = before.get(pid)
        used[now.server] += now.own + now.reaped - ((then.own + then.reaped) if then else 0.0)
    for pid, then in before.items():
        if pid not in after and then.ppid in after:
            used[then.server] -= then.own + then.reaped
    return used


def process_state(pid: int) -> str:
    """The state letter of ``pid`` from /proc/<pid>/stat (``T``: stopped, as the burst holds it)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


async def handler_seconds(http: httpx.AsyncClient, system: System) -> dict[str, tuple[float, float]]:
    """Per consumer: (events handled, seconds spent handling them, transaction included), from
    each service's ``forlob_event_handler_seconds`` histogram on /metrics."""
    totals: dict[str, list[float]] = {}
    for name in system.services:
        text = (await http.get(f"{system.url(name)}/metrics")).text
        for family in text_string_to_metric_families(text):
            if family.name != "forlob_event_handler_seconds":
                continue
            for sample in family.samples:
                entry = totals.setdefault(sample.labels.get("consumer", "?"), [0.0, 0.0])
                if sample.name.endswith("_count"):
                    entry[0] += sample.value
                elif sample.name.endswith("_sum"):
                    entry[1] += sample.value
    return {consumer: (count, seconds) for consumer, (count, seconds) in totals.items()}


def megabytes(value: int) -> float:
    return value / 1_000_000


@dataclass
class Memory:
    service: str
    pid: int
    idle_rss: int = 0
    idle_hwm: int = 0
    load_rss_peak: int = 0  # highest sampled VmRSS while the load ran
    load_hwm: int = 0  # VmHWM after the load: the kernel's peak over the process's life

    @property
    def idle_ok(self) -> bool:
        return megabytes(self.idle_rss) <= GOAL_IDLE_MB

    @property
    def load_ok(self) -> bool:
        return megabytes(max(self.load_hwm, self.load_rss_peak)) <= GOAL_LOAD_MB

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "pid": self.pid,
            "idle_vmrss_mb": round(megabytes(self.idle_rss), 1),
            "idle_vmhwm_mb": round(megabytes(self.idle_hwm), 1),
            "load_vmrss_peak_mb": round(megabytes(self.load_rss_peak), 1),
            "load_vmhwm_mb": round(megabytes(self.load_hwm), 1),
            "idle_pass": self.idle_ok,
            "load_pass": self.load_ok,
        }


class MemorySampler:
    """Reads each service's VmRSS every ``SAMPLE_INTERVAL`` while the load runs."""

    def __init__(self, memory: Mapping[str, Memory]) -> None:
        self.memory = memory
        self._task: asyncio.Task[None] | None = None

    def idle(self) -> None:
        for entry in self.memory.values():
            entry.idle_rss, entry.idle_hwm = read_status(entry.pid)

    def sample(self) -> None:
        for entry in self.memory.values():
            with contextlib.suppress(OSError, KeyError):
                rss, hwm = read_status(entry.pid)
                entry.load_rss_peak = max(entry.load_rss_peak, rss)
                entry.load_hwm = max(entry.load_hwm, hwm)

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_INTERVAL)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._task = asyncio.create_task(self._run())
        try:
            yield
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self.sample()  # VmHWM after the last of the load


# --- what went through: read from the services' databases ----------------------------------------


@dataclass(frozen=True)
class OutboxEvent:
    service: str
    event_id: UUID
    aggregate_id: str
    routing_key: str
    headers: dict[str, Any]
    body: bytes
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class Mark:
    """Where a step starts: each database's last outbox position, and the server's clock."""

    positions: dict[str, int]
    at: datetime


@dataclass(frozen=True)
class Delivery:
    consumer: str
    event_id: UUID
    processed_at: datetime


# The outbox's created_at and the inbox's processed_at default to now(), the start of their
# transaction: a use case that waits on a lock, or a handler's own work, would count as time in
# the pipeline (or out of it). In the bench's databases a deferred trigger sets both to the moment
# the transaction commits (it runs last, just before COMMIT), so an event is counted from when the
# relay can see it to when the consumer's effect is committed. Nothing else reads these columns
# but the relay's backlog-age gauge and the retention purges.
COMMIT_TIMES = """
CREATE OR REPLACE FUNCTION forlob_bench_outbox_committed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outbox SET created_at = clock_timestamp() WHERE position = NEW.position;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION forlob_bench_inbox_committed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox SET processed_at = clock_timestamp() WHERE consumer = NEW.consumer AND event_id = NEW.event_id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS forlob_bench_committed ON outbox;
CREATE CONSTRAINT TRIGGER forlob_bench_committed AFTER INSERT ON outbox
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION forlob_bench_outbox_committed();
DROP TRIGGER IF EXISTS forlob_bench_committed ON inbox;
CREATE CONSTRAINT TRIGGER forlob_bench_committed AFTER INSERT ON inbox
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION forlob_bench_inbox_committed();
"""


class Databases:
    """One asyncpg pool per service database, for reading outboxes and inboxes."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self.urls = dict(urls)
        self.pools: dict[str, asyncpg.Pool] = {}

    async def __aenter__(self) -> Databases:
        for service, url in self.urls.items():
            pool = await asyncpg.create_pool(plain_postgres_url(url), min_size=1, max_size=1)
            await pool.execute(COMMIT_TIMES)
            self.pools[service] = pool
        return self

    async def __aexit__(self, *exc: object) -> None:
        for pool in self.pools.values():
            await pool.close()

    async def watermarks(self) -> dict[str, int]:
        """The last outbox position in each database: the step's events come after it."""
        return {
            s: int(await p.fetchval("SELECT coalesce(max(position), 0) FROM outbox")) for s, p in self.pools.items()
        }

    async def step_outbox(self, since: Mapping[str, int]) -> tuple[Counter[str], int, int]:
        """(the step's events counted by routing key, unsent rows, sum of last positions): a few
        rows per database, however long the step, so the poll stays light beside what it watches."""
        by_key: Counter[str] = Counter()
        unsent = positions = 0
        for service, pool in self.pools.items():
            rows = await pool.fetch(
                "SELECT routing_key, count(*) AS n, count(*) FILTER (WHERE sent_at IS NULL) AS unsent,"
                " max(position) AS last FROM outbox WHERE position > $1 GROUP BY routing_key",
                since[service],
            )
            by_key.update({r["routing_key"]: int(r["n"]) for r in rows})
            unsent += sum(int(r["unsent"]) for r in rows)
            positions += max((int(r["last"]) for r in rows), default=since[service])
        return by_key, unsent, positions

    async def step_event_ids(self, since: Mapping[str, int]) -> list[UUID]:
        ids: list[UUID] = []
        for service, pool in self.pools.items():
            ids += [r[0] for r in await pool.fetch("SELECT event_id FROM outbox WHERE position > $1", since[service])]
        return ids

    async def now(self) -> datetime:
        """The database server's clock, the one the commit times are read with."""
        pool = next(iter(self.pools.values()))
        value: datetime = await pool.fetchval("SELECT clock_timestamp()")
        return value

    async def committed_since(self, at: datetime) -> int:
        """Inbox rows committed at or after ``at`` (the step's mark), by the commit-time index: once
        the drain before the mark was through, these are the step's deliveries and nothing else."""
        total = 0
        for pool in self.pools.values():
            total += int(await pool.fetchval("SELECT count(*) FROM inbox WHERE processed_at >= $1", at))
        return total

    async def delivered(self, ids: Sequence[UUID]) -> int:
        total = 0
        for pool in self.pools.values():
            total += int(await pool.fetchval("SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", ids))
        return total

    async def step_events(self, since: Mapping[str, int]) -> list[OutboxEvent]:
        events = []
        for service, pool in self.pools.items():
            async with pool.acquire() as conn:
                await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
                rows = await conn.fetch(
                    "SELECT event_id, aggregate_id, routing_key, headers, body, created_at, sent_at "
                    "FROM outbox WHERE position > $1 ORDER BY position",
                    since[service],
                )
            events += [OutboxEvent(service, **dict(r)) for r in rows]
        events.sort(key=lambda e: e.created_at)
        return events

    async def deliveries(self, ids: Sequence[UUID]) -> list[Delivery]:
        found = []
        for pool in self.pools.values():
            rows = await pool.fetch(
                "SELECT consumer, event_id, processed_at FROM inbox WHERE event_id = ANY($1::uuid[])", ids
            )
            found += [Delivery(**dict(r)) for r in rows]
        return found


def expected_deliveries(by_key: Mapping[str, int], table: Mapping[str, Sequence[Consumer]]) -> int:
    return sum(count * len(table.get(key, ())) for key, count in by_key.items())


class PipelineStalled(RuntimeError):
    """Events did not get through: some were not sent, lost, or dead-lettered."""


async def drain(dbs: Databases, mark: Mark, table: Mapping[str, Sequence[Consumer]]) -> None:
    """Until every event written since the mark is sent and in every bound consumer's inbox, and no
    new event appeared for ``QUIET`` seconds (an effect may emit more events, and a periodic job
    may run on the clock the driver just moved).

    The poll runs on the same cores as the pipeline it times, so it is kept light: counts by
    routing key and by the inbox's commit time (a few index reads) every ``DRAIN_POLL`` seconds;
    the exact check (each of the step's event ids in every bound inbox) runs only once those say
    done. The drain's end is read from the commit times afterwards, not from when the poll saw it."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    previous, quiet_since = -1, time.monotonic()
    while True:
        # Inbox first: a delivery counted here is of an event already in the outbox read next.
        delivered = await dbs.committed_since(mark.at)
        by_key, unsent, positions = await dbs.step_outbox(mark.positions)
        expected = expected_deliveries(by_key, table)
        if delivered > expected:
            raise PipelineStalled(f"{delivered} inbox rows for {expected} deliveries the bindings ask for")
        now = time.monotonic()
        if positions != previous:
            previous, quiet_since = positions, now
        if unsent == 0 and delivered == expected and now - quiet_since >= QUIET:
            exact = await dbs.delivered(await dbs.step_event_ids(mark.positions))
            if exact == expected:
                return
            delivered = exact
        if now > deadline:
            raise PipelineStalled(
                f"after {DRAIN_TIMEOUT:.0f} s: {unsent} events unsent, {delivered} of {expected} deliveries committed"
            )
        await asyncio.sleep(DRAIN_POLL)


# --- the ceiling: plain aio-pika on the same topology ----------------------------------------------


def build_message(event: OutboxEvent) -> aio_pika.Message:
    """The message as ``OutboxRelay._message`` builds it."""
    return aio_pika.Message(
        body=event.body,
        headers=event.headers,
        content_type=CONTENT_TYPE,
        message_id=str(event.event_id),
        type=event.headers.get("type"),
        app_id=f"forlob/{event.service}",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


class Ceiling:
    """The services' topology under a prefix of its own, a confirming publisher and an acking
    consumer per queue; ``run`` sends a step's events through it."""

    def __init__(self, broker_url: str, prefix: str, bound: Sequence[Consumer]) -> None:
        self.broker_url = broker_url
        self.topology = Topology(prefix=prefix)
        self.bound = bound
        self.table = routes(bound)
        self.queues = [self.topology.queue(c.service, c.purpose) for c in bound]

    async def declare(self) -> None:
        connection = await aio_pika.connect(self.broker_url)
        async with connection:
            channel = await connection.channel()
            await self.topology.declare_core(channel)
            for consumer, queue in zip(self.bound, self.queues, strict=True):
                await self.topology.declare_consumer_queue(channel, queue, consumer.routing_keys)

    async def run(self, events: Sequence[OutboxEvent]) -> tuple[float, int]:
        """Publish ``events`` and consume every copy; (seconds from first publish to last ack, acks)."""
        return await self._through(backlog=(), events=events)

    async def burst(self, backlog: Sequence[OutboxEvent], follow_on: Sequence[OutboxEvent]) -> tuple[float, int]:
        """``backlog`` published first and left in the queues (untimed, as the pipeline's backlog
        waited in its queues), then every queue consumed while ``follow_on`` is published; (seconds
        from the consumers' start to the last ack, acks)."""
        return await self._through(backlog=backlog, events=follow_on)

    async def _through(self, *, backlog: Sequence[OutboxEvent], events: Sequence[OutboxEvent]) -> tuple[float, int]:
        expected = expected_deliveries(Counter(e.routing_key for e in [*backlog, *events]), self.table)
        acked = 0
        all_acked = asyncio.Event()
        if expected == 0:
            all_acked.set()

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal acked
            await message.ack()
            acked += 1
            if acked >= expected:
                all_acked.set()

        publisher = await aio_pika.connect(self.broker_url)
        subscriber = await aio_pika.connect(self.broker_url)
        async with publisher, subscriber:
            channel = await publisher.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.get_exchange(self.topology.events_exchange, ensure=False)
            consumers = []
            for queue in self.queues:
                consuming = await subscriber.channel()
                await consuming.set_qos(prefetch_count=PREFETCH)
                declared = await consuming.get_queue(queue, ensure=False)
                # An ack still on its way when the last round closed its connection returns that
                # message to the queue; it must not count in this round.
                await declared.purge()
                consumers.append(declared)
            await self._publish(exchange, backlog)
            # Without a backlog the consumers wait before the clock starts, as the services' do;
            # with one, starting them is the resumption, and timed.
            if not backlog:
                for declared in consumers:
                    await declared.consume(on_message)
            started = time.perf_counter()
            if backlog:
                for declared in consumers:
                    await declared.consume(on_message)
            await self._publish(exchange, events)
            await asyncio.wait_for(all_acked.wait(), timeout=120)
            seconds = time.perf_counter() - started
        return seconds, acked

    @staticmethod
    async def _publish(exchange: aio_pika.abc.AbstractExchange, events: Sequence[OutboxEvent]) -> None:
        for first in range(0, len(events), PUBLISH_WINDOW):
            # Built inside the loop, as the relay builds its messages.
            await asyncio.gather(
                *(
                    exchange.publish(build_message(e), e.routing_key, mandatory=True, timeout=30)
                    for e in events[first : first + PUBLISH_WINDOW]
                )
            )


# --- one step ------------------------------------------------------------------------------------


@dataclass
class Step:
    rate: int  # new courses per simulated day
    days: int
    courses_started: int
    courses_ended: int
    absences: int
    requests: int
    server_errors: int  # 5xx answers among the requests (retried by the driver)
    events: int
    deliveries: int
    expected_deliveries: int
    wall_seconds: float
    busy_seconds: float
    ceiling_seconds: float
    ceiling_deliveries: int
    lag_p50: float
    lag_p99: float
    # where the time goes, p50/p99 seconds: "outbox" row committed -> marked sent, and per consumer
    # marked sent -> its effect committed (broker, the consumer's queueing, ordering, transaction)
    segments: dict[str, tuple[float, float]]
    # per service: CPU seconds used during the step / wall seconds (1.0 = one core all the time)
    cpu: dict[str, float]
    # per consumer: mean ms from a delivery's pick-up to its ack (the transaction, and any wait
    # for the same aggregate's earlier events), and how many were in hand on average over the step
    handlers: dict[str, tuple[float, float]]
    body_bytes_mean: float

    @property
    def e2e_rate(self) -> float:
        return self.deliveries / self.busy_seconds if self.busy_seconds > 0 else 0.0

    @property
    def events_rate(self) -> float:
        return self.events / self.busy_seconds if self.busy_seconds > 0 else 0.0

    @property
    def wall_rate(self) -> float:
        return self.deliveries / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def ceiling_rate(self) -> float:
        return self.ceiling_deliveries / self.ceiling_seconds if self.ceiling_seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.e2e_rate / self.ceiling_rate if self.ceiling_rate > 0 else 0.0

    @property
    def complete(self) -> bool:
        return self.deliveries == self.expected_deliveries == self.ceiling_deliveries

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "e2e_deliveries_per_s": round(self.e2e_rate, 1),
            "e2e_events_per_s": round(self.events_rate, 1),
            "wall_deliveries_per_s": round(self.wall_rate, 1),
            "ceiling_deliveries_per_s": round(self.ceiling_rate, 1),
            "ratio": round(self.ratio, 3),
            "wall_ratio": round(self.wall_rate / self.ceiling_rate, 3) if self.ceiling_rate else 0.0,
            "complete": self.complete,
        }


@dataclass
class Burst:
    """The saturated step: a backlog built while the consumers were held, drained at full speed."""

    courses: int  # referred, accepted and started while the consuming services were stopped
    requests: int
    held: tuple[str, ...]  # the services stopped (SIGSTOP) while the backlog was built
    held_seconds: float
    backlog_events: int  # written before the resumption (the referral service's)
    follow_on_events: int  # written by the consumers' effects after it (none so far: planning slots emits none)
    deliveries: int
    expected_deliveries: int
    drain_seconds: float  # resumption -> the last consumer's commit (or the last follow-on's relay)
    ceiling_seconds: float  # the same events published (confirms) and consumed (acks): first publish -> last ack
    ceiling_deliveries: int
    consume_seconds: float  # the same backlog already in the queues, consumed alone: first -> last ack
    cpu: dict[str, float]  # per process: CPU seconds over the drain / its seconds
    # per consumer: (deliveries, seconds from the resumption to its last commit, mean ms from
    # pick-up to ack, deliveries in hand on average over the drain)
    consumers: dict[str, tuple[int, float, float, float]]
    body_bytes_mean: float

    @property
    def rate(self) -> float:
        return self.deliveries / self.drain_seconds if self.drain_seconds > 0 else 0.0

    @property
    def ceiling_rate(self) -> float:
        return self.ceiling_deliveries / self.ceiling_seconds if self.ceiling_seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / self.ceiling_rate if self.ceiling_rate > 0 else 0.0

    @property
    def consume_rate(self) -> float:
        return self.ceiling_deliveries / self.consume_seconds if self.consume_seconds > 0 else 0.0

    @property
    def complete(self) -> bool:
        return self.deliveries == self.expected_deliveries == self.ceiling_deliveries

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "deliveries_per_s": round(self.rate, 1),
            "ceiling_deliveries_per_s": round(self.ceiling_rate, 1),
            "ratio": round(self.ratio, 3),
            "consume_only_deliveries_per_s": round(self.consume_rate, 1),
            "complete": self.complete,
        }


def busy_seconds(events: Sequence[OutboxEvent], deliveries: Sequence[Delivery]) -> tuple[float, list[float]]:
    """(length of the union of each event's [outbox commit, last inbox commit], every delivery's lag)."""
    created = {e.event_id: e.created_at for e in events}
    ends = {e.event_id: e.sent_at or e.created_at for e in events}
    lags = []
    for delivery in deliveries:
        start = created.get(delivery.event_id)
        if start is None:
            continue
        ends[delivery.event_id] = max(ends[delivery.event_id], delivery.processed_at)
        lags.append((delivery.processed_at - start).total_seconds())
    spans = sorted((created[i], ends[i]) for i in created)
    total, current_start, current_end = 0.0, None, None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += (current_end - current_start).total_seconds()
    return total, lags


def segments(events: Sequence[OutboxEvent], deliveries: Sequence[Delivery]) -> dict[str, tuple[float, float]]:
    sent = {e.event_id: e.sent_at for e in events if e.sent_at is not None}
    parts: dict[str, list[float]] = {
        "outbox": [(e.sent_at - e.created_at).total_seconds() for e in events if e.sent_at]
    }
    for delivery in deliveries:
        if delivery.event_id in sent:
            seconds = (delivery.processed_at - sent[delivery.event_id]).total_seconds()
            parts.setdefault(delivery.consumer, []).append(seconds)
    return {name: (percentile(values, 50), percentile(values, 99)) for name, values in parts.items()}


@dataclass
class Pipeline:
    """What a run needs: the running system, its databases, the driver and the ceiling."""

    system: System
    dbs: Databases
    load: CourseLoad
    ceiling: Ceiling
    table: dict[str, list[Consumer]]
    ceiling_rounds: int
    errors: ServerErrors
    start: Mark | None = None

    @property
    def marked(self) -> Mark:
        if self.start is None:
            raise RuntimeError("no step has started")
        return self.start

    @property
    def since(self) -> dict[str, int]:
        return self.marked.positions

    async def mark(self) -> None:
        """Wait until everything so far is through, then count from here."""
        if self.start is not None:
            await drain(self.dbs, self.start, self.table)
        positions = await self.dbs.watermarks()
        self.start = Mark(positions, await self.dbs.now())

    async def step(self, rate: int, days: int) -> Step:
        await self.mark()
        started, errors_before = time.perf_counter(), self.errors.count
        pids = {name: p.process.pid for name, p in self.system.services.items() if p.process is not None}
        pids |= {f"{n} relay": p.process.pid for n, p in self.system.relays.items() if p.process is not None}
        pids["bench"] = os.getpid()  # the driver, the drain and the ceiling's client: on the same cores
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        servers_before = server_processes()
        handled_before = await handler_seconds(self.load.http, self.system)
        reports = [await self.load.day(rate) for _ in range(days)]
        await drain(self.dbs, self.marked, self.table)
        wall = time.perf_counter() - started - QUIET  # the drain's quiet second is the bench's, not the load's
        cpu_now = {name: cpu_seconds(pid) for name, pid in pids.items()}
        cpu_now |= servers_cpu(servers_before, server_processes())
        cpu = {name: (cpu_now[name] - cpu_before.get(name, 0.0)) / wall for name in cpu_now}
        handled = await handler_seconds(self.load.http, self.system)
        handlers = {}
        for consumer, (count, seconds) in handled.items():
            count_before, seconds_before = handled_before.get(consumer, (0.0, 0.0))
            n, spent = count - count_before, seconds - seconds_before
            handlers[consumer] = (spent / n * 1000 if n else 0.0, spent / wall)
        events = await self.dbs.step_events(self.since)
        deliveries = await self.dbs.deliveries([e.event_id for e in events])
        busy, lags = busy_seconds(events, deliveries)
        rounds = [await self.ceiling.run(events) for _ in range(self.ceiling_rounds)]
        ceiling_seconds = statistics.median(s for s, _ in rounds)
        return Step(
            rate=rate,
            days=days,
            courses_started=sum(r.started for r in reports),
            courses_ended=sum(r.ended for r in reports),
            absences=sum(r.late + r.absent for r in reports),
            requests=sum(r.requests for r in reports),
            server_errors=self.errors.count - errors_before,
            events=len(events),
            deliveries=len(deliveries),
            expected_deliveries=expected_deliveries(Counter(e.routing_key for e in events), self.table),
            wall_seconds=wall,
            busy_seconds=busy,
            ceiling_seconds=ceiling_seconds,
            ceiling_deliveries=min(a for _, a in rounds),
            lag_p50=percentile(lags, 50),
            lag_p99=percentile(lags, 99),
            segments=segments(events, deliveries),
            cpu=cpu,
            handlers=handlers,
            body_bytes_mean=statistics.fmean(len(e.body) for e in events) if events else 0.0,
        )

    async def burst(self, courses: int) -> Burst:
        """Hold every consuming service and the referral service's relay (SIGSTOP), start
        ``courses`` courses through the referral service alone (their events pile up in its
        outbox), resume them all at once (SIGCONT) and time the drain: relay, broker, consumers,
        follow-on events included."""
        await self.mark()
        bound = {c.service for c in self.ceiling.bound}
        # The referral service takes the requests, so it runs; what it consumes (the staff
        # directory's changes) the burst does not send. Its relay runs apart and is held.
        held = {
            n: p.process.pid
            for n, p in self.system.services.items()
            if n in bound and n != "referral" and p.process is not None
        }
        if "referral" not in self.system.relays:
            raise RuntimeError("the burst drives the referral service, whose relay must run apart to be held")
        relays = {f"{n} relay": p.process.pid for n, p in self.system.relays.items() if p.process is not None}
        held |= relays
        pids = {name: p.process.pid for name, p in self.system.services.items() if p.process is not None}
        pids |= relays
        pids["bench"] = os.getpid()
        handled_before = await handler_seconds(self.load.http, self.system)  # not while they are held
        started = requests = 0
        stopped = time.monotonic()
        for pid in held.values():
            os.kill(pid, signal.SIGSTOP)
        try:
            # The held processes miss the broker's heartbeats (60 s, aiormq's default, with a
            # grace of three): the hold is kept well under that, whatever the courses asked for.
            chunk_seconds = 0.0
            while started < courses and time.monotonic() - stopped + chunk_seconds < HOLD_LIMIT:
                count, chunk_started = min(BURST_CHUNK, courses - started), time.monotonic()
                requests += await self.load.start_courses(count)
                started += count
                chunk_seconds = time.monotonic() - chunk_started
            resumed_at = await self.dbs.now()
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            servers_before = server_processes()
        finally:
            for pid in held.values():
                os.kill(pid, signal.SIGCONT)
        held_seconds = time.monotonic() - stopped
        await drain(self.dbs, self.marked, self.table)
        cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        cpu_after |= servers_cpu(servers_before, server_processes())
        events = await self.dbs.step_events(self.since)
        deliveries = await self.dbs.deliveries([e.event_id for e in events])
        backlog = [e for e in events if e.created_at < resumed_at]
        follow_on = [e for e in events if e.created_at >= resumed_at]
        ends = [d.processed_at for d in deliveries] + [e.sent_at for e in follow_on if e.sent_at is not None]
        drain_seconds = (max(ends) - resumed_at).total_seconds() if ends else 0.0
        handled = await handler_seconds(self.load.http, self.system)
        per_consumer: dict[str, tuple[int, float, float, float]] = {}
        for consumer in self.ceiling.bound:
            mine = [d.processed_at for d in deliveries if d.consumer == consumer.name]
            handled_count, seconds = handled.get(consumer.name, (0.0, 0.0))
            count_before, seconds_before = handled_before.get(consumer.name, (0.0, 0.0))
            n, spent = handled_count - count_before, seconds - seconds_before
            last = (max(mine) - resumed_at).total_seconds() if mine else 0.0
            in_hand = spent / drain_seconds if drain_seconds > 0 else 0.0
            per_consumer[consumer.name] = (len(mine), last, spent / n * 1000 if n else 0.0, in_hand)
        rounds = [await self.ceiling.run(events) for _ in range(self.ceiling_rounds)]
        consume_seconds, _ = await self.ceiling.burst(backlog, follow_on)
        return Burst(
            courses=started,
            requests=requests,
            held=tuple(held),
            held_seconds=held_seconds,
            backlog_events=len(backlog),
            follow_on_events=len(follow_on),
            # every delivery is after the resumption: the referral service consumes nothing
            deliveries=sum(1 for d in deliveries if d.processed_at >= resumed_at),
            expected_deliveries=expected_deliveries(Counter(e.routing_key for e in events), self.table),
            drain_seconds=drain_seconds,
            ceiling_seconds=statistics.median(s for s, _ in rounds),
            ceiling_deliveries=min(a for _, a in rounds),
            consume_seconds=consume_seconds,
            cpu={
                name: (cpu_after[name] - cpu_before.get(name, 0.0)) / drain_seconds if drain_seconds > 0 else 0.0
                for name in cpu_after
            },
            consumers=per_consumer,
            body_bytes_mean=statistics.fmean(len(e.body) for e in events) if events else 0.0,
        )

    async def dead_letters(self, broker_url: str, prefix: str) -> dict[str, int]:
        """Messages in each consumer's dead-letter queue (all must be empty)."""
        topology = Topology(prefix=prefix)
        counts = {}
        connection = await aio_pika.connect(broker_url)
        async with connection:
            for consumer in self.ceiling.bound:
                channel = await connection.channel()
                dlq = topology.dead_letter_queue(topology.queue(consumer.service, consumer.purpose))
                declared = await channel.declare_queue(dlq, passive=True)
                counts[dlq] = declared.declaration_result.message_count or 0
                await channel.close()
        return counts


def saturation(steps: Sequence[Step]) -> dict[str, Any]:
    """The first step where the load grew and the end-to-end rate grew by less than a quarter as
    much; the highest end-to-end rate of the run is the pipeline's."""
    best = max(steps, key=lambda s: s.e2e_rate)
    found = None
    for before, after in itertools.pairwise(steps):
        load_growth = after.rate / before.rate
        if load_growth > 1 and after.e2e_rate < before.e2e_rate * (1 + 0.25 * (load_growth - 1)):
            found = before
            break
    return {
        "reached": found is not None,
        "at_rate": found.rate if found else None,
        "peak_rate": best.rate,
        "peak_deliveries_per_s": round(best.e2e_rate, 1),
        "peak_ratio": round(best.ratio, 3),
        "best_ratio": round(max(s.ratio for s in steps), 3),
        "best_ratio_rate": max(steps, key=lambda s: s.ratio).rate,
    }


# --- the run -------------------------------------------------------------------------------------


class ServerErrors:
    """5xx answers the driver got (and retried): a service, or the database server, was short of
    something (``too many clients`` from a shared PostgreSQL, say), which slows the step down."""

    def __init__(self) -> None:
        self.count = 0

    async def note(self, response: httpx.Response) -> None:
        if response.status_code >= 500:
            self.count += 1


class MailCounter:
    """The SMTP relay the notifications service sends to: counts what it accepted."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 OK"


@dataclass
class Result:
    steps: list[Step]
    burst: Burst | None  # the round whose ratio is the median of ``bursts``
    bursts: list[Burst]
    memory: list[Memory]
    mails: int
    dead_letters: dict[str, int]
    courses: int
    courses_complete: int
    setup_seconds: float

    @property
    def complete(self) -> bool:
        return (
            all(s.complete for s in self.steps)
            and all(b.complete for b in self.bursts)
            and not any(self.dead_letters.values())
            and self.courses_complete == self.courses
        )

    def as_dict(self, options: Options | None = None) -> dict[str, Any]:
        sat = saturation(self.steps) if self.steps else {}
        return {
            "benchmark": "pipeline",
            "options": {k: v for k, v in asdict(options).items() if not k.endswith("_url")} if options else None,
            "steps": [s.as_dict() for s in self.steps],
            "saturation": sat,
            "burst": self.burst.as_dict() if self.burst else None,
            "burst_rounds": [round(b.ratio, 3) for b in self.bursts],
            "memory": [m.as_dict() for m in self.memory],
            "mails_accepted": self.mails,
            "dead_letters": self.dead_letters,
            "courses": self.courses,
            "courses_complete": self.courses_complete,
            "complete": self.complete,
            "goals": {
                "ratio": {
                    "goal": GOAL_RATIO,
                    "measured_by": "burst" if self.bursts else "best load-bound step",
                    "value": round(headline_ratio(self), 3),
                    "pass": headline_ratio(self) >= GOAL_RATIO,
                },
                "idle_memory": {"goal_mb": GOAL_IDLE_MB, "pass": all(m.idle_ok for m in self.memory)},
                "load_memory": {"goal_mb": GOAL_LOAD_MB, "pass": all(m.load_ok for m in self.memory)},
            },
        }


def headline_ratio(result: Result) -> float:
    """The saturated steps' median ratio: the pipeline's capacity. The load-bound steps' best only
    without one (their rate is the driver's, whatever the pipeline could do)."""
    if result.bursts:
        return statistics.median(b.ratio for b in result.bursts)
    return max((s.ratio for s in result.steps), default=0.0)


async def courses_complete(dbs: Databases, load: CourseLoad, table: Mapping[str, Sequence[Consumer]]) -> int:
    """Courses all of whose referral events (subject = the referral) reached every bound consumer."""
    referral = dbs.pools["referral"]
    rows = await referral.fetch("SELECT aggregate_id, event_id, routing_key FROM outbox")
    delivered: set[tuple[str, UUID]] = set()
    for pool in dbs.pools.values():
        delivered |= {(r["consumer"], r["event_id"]) for r in await pool.fetch("SELECT consumer, event_id FROM inbox")}
    by_course: dict[str, list[tuple[UUID, str]]] = {}
    for row in rows:
        by_course.setdefault(row["aggregate_id"], []).append((row["event_id"], row["routing_key"]))
    complete = 0
    for referral_id in load.expected.courses:
        events = by_course.get(referral_id, [])
        # referred, accepted, started at least; each in every inbox its routing key is bound to
        if len(events) >= 3 and all(
            (c.name, event_id) in delivered for event_id, key in events for c in table.get(key, ())
        ):
            complete += 1
    return complete


async def measure(
    system: System,
    *,
    broker_url: str,
    prefix: str,
    rates: Sequence[int],
    days: int,
    days_per_course: int = 3,
    concurrency: int = CONCURRENCY,
    ceiling_rounds: int = 1,
    burst: int = 0,
    burst_rounds: int = 1,
    settle: float = SETTLE_SECONDS,
    mails: MailCounter | None = None,
    progress: bool = False,
) -> Result:
    """The benchmark's core on a running system: idle memory, then the steps, then the checks."""
    bound = consumers(system.services)
    table = routes(bound)
    memory = {name: Memory(name, process.process.pid) for name, process in system.services.items() if process.process}
    memory |= {f"{n} relay": Memory(f"{n} relay", p.process.pid) for n, p in system.relays.items() if p.process}
    sampler = MemorySampler(memory)
    ceiling = Ceiling(broker_url, f"{prefix}ceiling.", bound)
    started = time.perf_counter()
    try:
        await ceiling.declare()
        await asyncio.sleep(settle)  # the services' start-up work (consumers, relay, first ticks) settles
        sampler.idle()
        errors = ServerErrors()
        async with (
            Databases(system.databases) as dbs,
            httpx.AsyncClient(timeout=60, event_hooks={"response": [errors.note]}) as http,
        ):
            load = CourseLoad(
                http,
                system,
                seed=1,
                concurrency=concurrency,
                days_per_course=days_per_course,
                poll_interval=POLL_INTERVAL,
            )
            pipeline = Pipeline(system, dbs, load, ceiling, table, ceiling_rounds, errors)
            steps = []
            async with sampler.running():
                await pipeline.mark()
                await load.prepare()
                await pipeline.mark()
                setup = time.perf_counter() - started
                for rate in rates:
                    steps.append(await pipeline.step(rate, days))
                    if progress:
                        print(step_line(steps[-1]), file=sys.stderr, flush=True)
                bursts = []
                for _ in range(burst_rounds if burst else 0):
                    bursts.append(await pipeline.burst(burst))
                    if progress:
                        print(burst_line(bursts[-1]), file=sys.stderr, flush=True)
            complete = await courses_complete(dbs, load, table)
            dead = await pipeline.dead_letters(broker_url, prefix)
        return Result(
            steps=steps,
            burst=median_round(bursts),
            bursts=bursts,
            memory=list(memory.values()),
            mails=mails.accepted if mails else 0,
            dead_letters=dead,
            courses=len(load.expected.courses),
            courses_complete=complete,
            setup_seconds=setup,
        )
    finally:
        with contextlib.suppress(Exception):
            await delete_prefixed(broker_url, ceiling.topology.prefix)


def median_round(bursts: Sequence[Burst]) -> Burst | None:
    """The round whose ratio is the median (the lower middle of an even count): the one shown."""
    if not bursts:
        return None
    return sorted(bursts, key=lambda b: b.ratio)[(len(bursts) - 1) // 2]


def step_line(step: Step) -> str:
    return (
        f"step {step.rate:>4} courses/day x {step.days}: {step.deliveries} deliveries in {step.busy_seconds:.1f} s busy"
        f" ({step.wall_seconds:.1f} s wall) = {step.e2e_rate:.0f}/s; ceiling {step.ceiling_rate:.0f}/s;"
        f" ratio {step.ratio:.2f}"
    )


def burst_line(burst: Burst) -> str:
    return (
        f"burst {burst.courses} courses: {burst.deliveries} deliveries drained in {burst.drain_seconds:.2f} s"
        f" = {burst.rate:.0f}/s; ceiling {burst.ceiling_rate:.0f}/s; ratio {burst.ratio:.2f}"
    )


def render(result: Result, options: Options) -> str:
    lines = [
        f"pipeline: four services as processes, {result.courses} courses"
        f" ({options.days} simulated days per step, courses run {options.days_per_course} days,"
        f" driver concurrency {options.concurrency}); set-up {result.setup_seconds:.1f} s",
        "",
        "end to end = outbox row -> relay -> broker -> consumer -> inbox row with its effect, per consumer"
        " (a 'delivery');",
        "rate = deliveries / pipeline-busy seconds; ceiling = the same events through plain aio-pika"
        " (confirms, persistent, same quorum queues and bindings, manual acks)",
        "",
        "LOAD-BOUND steps: the HTTP driver sets the pace (the pipeline keeps up; see the lag), so their ratio"
        " measures the driver, not the pipeline's capacity",
        "",
        f"{'courses/day':>11} {'started':>7} {'ended':>5} {'absent':>6} {'requests':>8} {'5xx':>5} {'wall s':>7}"
        f" {'events':>7} {'deliv.':>7} {'busy s':>7}",
    ]
    for s in result.steps:
        lines.append(
            f"{s.rate:>11} {s.courses_started:>7} {s.courses_ended:>5} {s.absences:>6} {s.requests:>8}"
            f" {s.server_errors:>5} {s.wall_seconds:>7.1f} {s.events:>7} {s.deliveries:>7} {s.busy_seconds:>7.1f}"
        )
    lines += [
        "",
        f"{'courses/day':>11} {'e2e deliv/s':>11} {'events/s':>8} {'ceiling/s':>9} {'ratio':>6}"
        f" {'wall deliv/s':>12} {'wall ratio':>10} {'lag p50':>8} {'lag p99':>8}  all through",
    ]
    for s in result.steps:
        wall_ratio = s.wall_rate / s.ceiling_rate if s.ceiling_rate else 0.0
        lines.append(
            f"{s.rate:>11} {s.e2e_rate:>11.0f} {s.events_rate:>8.0f} {s.ceiling_rate:>9.0f} {s.ratio:>6.2f}"
            f" {s.wall_rate:>12.0f} {wall_ratio:>10.2f} {s.lag_p50 * 1000:>6.0f}ms {s.lag_p99 * 1000:>6.0f}ms"
            f"  {'yes' if s.complete else 'NO'}"
        )
    if result.steps:
        lines += [
            "",
            "where the time goes (p50/p99): outbox = row committed -> marked sent by the relay;",
            "  <consumer> = marked sent -> the consumer's effect committed (negative: before the relay's mark)",
        ]
        for s in result.steps:
            parts = "  ".join(f"{k} {v[0] * 1000:.0f}/{v[1] * 1000:.0f}ms" for k, v in s.segments.items())
            lines.append(f"{s.rate:>11}  {parts}")
        lines += [
            "",
            "CPU per process (cores used over the step's wall time); per consumer: mean ms from pick-up to ack"
            " / deliveries in hand on average:",
        ]
        for s in result.steps:
            cpu = "  ".join(f"{k} {v:.2f}" for k, v in s.cpu.items())
            handlers = "  ".join(f"{k} {v[0]:.0f}ms/{v[1]:.2f}" for k, v in s.handlers.items())
            lines.append(f"{s.rate:>11}  cpu: {cpu}  (sum {sum(s.cpu.values()):.2f} of {os.cpu_count()} cores)")
            lines.append(f"{'':>11}  handlers: {handlers}")
        sat = saturation(result.steps)
        lines.append("")
        if sat["reached"]:
            lines.append(
                f"saturation: the end-to-end rate stopped following the load after {sat['at_rate']} courses/day;"
                f" peak {sat['peak_deliveries_per_s']:.0f} deliveries/s at {sat['peak_rate']} courses/day"
            )
        else:
            lines.append(
                f"saturation: not reached up to {result.steps[-1].rate} courses/day (the rate still followed the load);"
                f" peak {sat['peak_deliveries_per_s']:.0f} deliveries/s at {sat['peak_rate']} courses/day"
            )
        lines.append(f"load-bound steps: best ratio {sat['best_ratio']:.2f} (at {sat['best_ratio_rate']} courses/day)")
    if result.burst is not None:
        b = result.burst
        cpu = "  ".join(f"{k} {v:.2f}" for k, v in b.cpu.items())
        lines += [
            "",
            f"SATURATED step (burst): {', '.join(b.held)} held (SIGSTOP) {b.held_seconds:.1f} s while {b.courses}"
            f" courses were referred, accepted and started ({b.requests} requests to the referral service);",
            f"  {b.backlog_events} events waited in its outbox (its relay held too); all resumed (SIGCONT) at"
            f" once, then {b.follow_on_events} follow-on events from their effects",
            f"  pipeline: {b.deliveries}/{b.expected_deliveries} deliveries in {b.drain_seconds:.2f} s"
            f" (resumption -> last consumer commit: relay, broker, consumers) = {b.rate:.0f} deliveries/s",
            f"  ceiling:  {b.ceiling_deliveries} acks in {b.ceiling_seconds:.2f} s = {b.ceiling_rate:.0f}/s"
            " (the same events published with confirms to quorum queues with the same bindings and consumed"
            " with manual acks, first publish -> last ack)",
            f"  ratio {b.ratio:.2f}; mean body {b.body_bytes_mean:.0f} B; all through: {'yes' if b.complete else 'NO'}",
            f"  beside it, consuming alone (the backlog already in the queues, acked and nothing else):"
            f" {b.consume_rate:.0f}/s, {b.rate / b.consume_rate if b.consume_rate else 0:.2f} of that",
            f"  cpu over the drain: {cpu}  (sum {sum(b.cpu.values()):.2f} of {os.cpu_count()} cores)",
            "  per consumer: deliveries, s to its last commit, mean ms from pick-up to ack / in hand on average:",
            "    " + "  ".join(f"{k} {v[0]}, {v[1]:.2f}s, {v[2]:.0f}ms/{v[3]:.1f}" for k, v in b.consumers.items()),
        ]
    if result.steps or result.burst is not None:
        ratio = headline_ratio(result)
        source = f"saturated steps' median of {len(result.bursts)}" if result.bursts else "best load-bound step"
        if len(result.bursts) > 1:
            ratios = ", ".join(f"{b.ratio:.2f}" for b in result.bursts)
            lines += ["", f"saturated step rounds: ratios {ratios} (the round shown above is the median's)"]
        lines += [
            "",
            f"ratio goal >= {GOAL_RATIO}: {source} {ratio:.2f} -> {'PASS' if ratio >= GOAL_RATIO else 'FAIL'}",
        ]
    lines += [
        "",
        f"{'service':<14} {'idle VmRSS':>10} {'idle VmHWM':>10} {'load VmRSS max':>14} {'VmHWM end':>10}"
        f"  idle<={GOAL_IDLE_MB:.0f}MB  load<={GOAL_LOAD_MB:.0f}MB",
    ]
    for m in result.memory:
        lines.append(
            f"{m.service:<14} {megabytes(m.idle_rss):>8.1f}MB {megabytes(m.idle_hwm):>8.1f}MB"
            f" {megabytes(m.load_rss_peak):>12.1f}MB {megabytes(m.load_hwm):>8.1f}MB"
            f"  {'PASS' if m.idle_ok else 'FAIL':>10}  {'PASS' if m.load_ok else 'FAIL':>10}"
        )
    lines += [
        "",
        f"courses with every event delivered: {result.courses_complete}/{result.courses};"
        f" e-mails accepted by the SMTP sink: {result.mails}; dead letters: {sum(result.dead_letters.values())}",
        "all events through: " + ("yes" if result.complete else "NO"),
    ]
    return "\n".join(lines)


@contextlib.asynccontextmanager
async def system_running(
    workdir: Path, *, broker_url: str, prefix: str, databases: Mapping[str, str], env: Mapping[str, str]
) -> AsyncIterator[System]:
    # The referral service's relay runs as a process of its own, so the saturated step can hold it.
    manager = running_system(
        workdir,
        broker_url=broker_url,
        prefix=prefix,
        databases=databases,
        env=dict(env),
        separate_relays=("referral",),
    )
    system = await asyncio.to_thread(manager.__enter__)
    try:
        yield system
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


async def main(options: Options) -> int:
    this = asyncio.current_task()
    if this is not None:  # SIGTERM cleans up as Ctrl-C does
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, this.cancel)
    run = secrets.token_hex(4)
    prefix = f"bench{run}."
    workdir = Path(tempfile.mkdtemp(prefix=f"forlob-pipeline-{run}-"))
    mails = MailCounter()
    smtp_port = free_port()
    smtp = Controller(mails, hostname="127.0.0.1", port=smtp_port)
    databases: dict[str, str] = {}
    ok = False
    if not options.json:
        print(f"pipeline: rates {','.join(map(str, options.rates))} courses/day, prefix {prefix}, logs in {workdir}")
    try:
        smtp.start()
        databases = await create_databases(options.database_url, run, SERVICES)
        env = {**FAST_TICKS, "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp_port)}
        async with system_running(
            workdir / "system", broker_url=options.broker_url, prefix=prefix, databases=databases, env=env
        ) as system:
            result = await measure(
                system,
                broker_url=options.broker_url,
                prefix=prefix,
                rates=options.rates,
                days=options.days,
                days_per_course=options.days_per_course,
                concurrency=options.concurrency,
                ceiling_rounds=options.ceiling_rounds,
                burst=options.burst,
                burst_rounds=options.burst_rounds,
                settle=options.settle,
                mails=mails,
                progress=not options.json,
            )
        print(json.dumps(result.as_dict(options), indent=2, default=str) if options.json else render(result, options))
        ok = result.complete
        return 0 if ok else 1
    finally:
        await asyncio.shield(cleanup(options, databases, prefix))
        smtp.stop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"service logs kept in {workdir}", file=sys.stderr)


async def cleanup(options: Options, databases: Mapping[str, str], prefix: str) -> None:
    try:
        await delete_prefixed(options.broker_url, prefix)
    except Exception as exc:  # noqa: BLE001  (report, and still drop the databases)
        print(f"cleanup: could not delete the broker names under {prefix!r}: {exc!r}", file=sys.stderr)
    for problem in await drop_databases(databases):
        print(f"cleanup: {problem}", file=sys.stderr)


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(parse_options())))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted", file=sys.stderr)
        sys.exit(130)

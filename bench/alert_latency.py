"""Alert latency: from publishing absence.detected to the e-mail accepted by SMTP and to the alert
on an open inbox stream.

    uv run --no-sync python bench/alert_latency.py [--rate 50] [--duration 60] [--staff 20] [--replicas 2]

Servers: ``FORLOB_BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``) and
``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``; the
bench creates its own database beside it and drops it at the end, with every queue under its
random prefix).

What runs: the notifications service as ``--replicas`` processes (``forlob-notifications serve``,
system clock) sharing a fresh migrated database and queue, as it is deployed: they compete for
the events, one relay is active, the dispatchers share the deliveries, and each stream is served
by one replica in turn (an alert raised on another replica reaches it through NOTIFY); a local
aiosmtpd sink in this process that notes when it accepted each message; ``--staff`` contact
persons, each with a course and an open ``/inbox/stream``. The load is ``--rate`` absence events
per second for ``--duration`` seconds, published (persistent, confirmed) to the events exchange
on a fixed schedule.

What is measured, per absence: publish → the SMTP sink accepted the e-mail, and publish → the
alert arrived on the contact person's stream. Publishing starts the clock (``time.time()`` in
this process, which also runs the sink and the streams). Printed: p50, p99 and max of each, and
their ratio to the goals (p50 0.5 s, p99 2 s), and the FLOOR measured in the same run: the same
broker round trip and SMTP send with no service in between (a plain consumer that sends the
e-mail straight away), so the ratio shows what the service itself adds on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from uuid import UUID, uuid4

import aio_pika
import asyncpg
import httpx
from aiosmtpd.controller import Controller

from forlob_notifications.main import spec as notifications_spec
from forlob_shared.dbadmin import drop_database, ensure_database
from forlob_shared.events import AbsenceDetected, AttendanceRules, PendingEvent, ProgrammeStarted, TimeWindow
from forlob_shared.events.envelope import CONTENT_TYPE, encode
from forlob_shared.messaging.topology import Topology
from forlob_shared.migrations import upgrade
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.benchmarks import TimedSink, bearer, measure_floor, percentile, read_stream, with_database
from forlob_testkit.fixtures import delete_prefixed
from forlob_testkit.servers import free_port

DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROVIDER, JOBCENTRE = "rca-bench", "jobcenter-bench"
GOAL_P50, GOAL_P99 = 0.5, 2.0
DRAIN_TIMEOUT = 60.0  # after the last publish, how long to wait for the last e-mails and alerts
FLOOR_SAMPLES = 200


@dataclass(frozen=True)
class Options:
    rate: float
    duration: float
    staff: int
    replicas: int
    broker_url: str
    database_url: str

    @property
    def events(self) -> int:
        return max(1, round(self.rate * self.duration))


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="absence events per second (default 50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--staff", type=int, default=20, help="contact persons, each with an open stream")
    parser.add_argument("--replicas", type=int, default=2, help="service processes (default 2)")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0 or args.staff < 1 or args.replicas < 1:
        parser.error("--rate and --duration must be positive, --staff and --replicas at least 1")
    return Options(
        rate=args.rate,
        duration=args.duration,
        staff=args.staff,
        replicas=args.replicas,
        broker_url=os.environ.get("FORLOB_BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        database_url=os.environ.get("FORLOB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    )


# --- the service as its own process ---------------------------------------------------------------


@contextlib.asynccontextmanager
async def notifications_replicas(env: dict[str, str], count: int) -> AsyncIterator[list[str]]:
    async with contextlib.AsyncExitStack() as stack:
        bases = []
        for _ in range(count):
            port = free_port()
            bases.append(
                await stack.enter_async_context(
                    notifications_process({**env, "FORLOB_NOTIFICATIONS_PORT": str(port)}, port)
                )
            )
        yield bases


@contextlib.asynccontextmanager
async def notifications_process(env: dict[str, str], port: int) -> AsyncIterator[str]:
    process = subprocess.Popen(  # noqa: ASYNC220  (started once; the bench then talks HTTP to it)
        [sys.executable, "-c", "from forlob_notifications.cli import main; main()", "serve"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{base}/health/ready")).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the notifications service did not become ready")
                await asyncio.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()


async def publish(channel: aio_pika.abc.AbstractChannel, exchange: str, event: PendingEvent) -> None:
    body = encode(event, source="forlob/bench", sequence=1, time=datetime.now(UTC))
    target = await channel.get_exchange(exchange, ensure=False)
    await target.publish(
        aio_pika.Message(
            body,
            message_id=str(event.id),
            content_type=CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={"type": event.data.cloudevent_type(), "subject": event.subject},  # as the relay sends them
        ),
        routing_key=event.data.routing_key,
    )


@dataclass
class Course:
    staff_id: str
    referral_id: UUID
    participant_id: UUID


def started(course: Course) -> PendingEvent:
    window = [TimeWindow(weekday=d, start=clock_time(0, 0), end=clock_time(23, 59)) for d in range(7)]
    return PendingEvent(
        data=ProgrammeStarted(
            referral_id=course.referral_id,
            participant_id=course.participant_id,
            programme_code="BENCH",
            referring_org=JOBCENTRE,
            provider_org=PROVIDER,
            start_date=date.today(),
            planned_end_date=date.today() + timedelta(weeks=13),
            schedule=window,
            opening_hours=window,
            timezone="Europe/Copenhagen",
            country="DK",
            contact_person_id=course.staff_id,
            team_leader_id="tl-bench",
            caseworker_id="cw-bench",
            rules=AttendanceRules(),
            started_at=datetime.now(UTC),
        ),
        subject=str(course.referral_id),
    )


def absence(course: Course, absence_id: UUID) -> PendingEvent:
    now = datetime.now(UTC)
    return PendingEvent(
        data=AbsenceDetected(
            referral_id=course.referral_id,
            participant_id=course.participant_id,
            programme_code="BENCH",
            provider_org=PROVIDER,
            referring_org=JOBCENTRE,
            absence_id=absence_id,
            day=now.date(),
            expected_at=now - timedelta(minutes=15),
            detected_at=now,
        ),
        subject=str(absence_id),
    )


# --- the run ---------------------------------------------------------------------------------------


def report(name: str, values: list[float], expected: int, floor_p50: float) -> None:
    if not values:
        print(f"{name:<16} nothing arrived (0 of {expected})")
        return
    p50, p99 = statistics.median(values), percentile(values, 99)
    print(
        f"{name:<16} n={len(values)}/{expected}  p50={p50:.3f}s  p99={p99:.3f}s  max={max(values):.3f}s  "
        f"p50/goal={p50 / GOAL_P50:.2f}  p99/goal={p99 / GOAL_P99:.2f}  p50/floor={p50 / floor_p50:.1f}"
    )


async def main(options: Options) -> int:
    run = secrets.token_hex(4)
    prefix = f"bench{run}."
    database_url = with_database(options.database_url, f"forlob_bench_notifications_{run}")
    spec = notifications_spec()
    sink = TimedSink()
    sink_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    controller.start()
    env = {
        "FORLOB_NOTIFICATIONS_DATABASE_URL": database_url,
        "FORLOB_NOTIFICATIONS_BROKER_URL": options.broker_url,
        "FORLOB_NOTIFICATIONS_NAME_PREFIX": prefix,
        "FORLOB_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "FORLOB_NOTIFICATIONS_SMTP_PORT": str(sink_port),
        "FORLOB_NOTIFICATIONS_LOG_LEVEL": "WARNING",
    }
    try:
        await ensure_database(database_url)
        await asyncio.to_thread(upgrade, spec.migrations_dir, "postgresql+asyncpg://" + database_url.split("://", 1)[1])
        floor = await measure_floor(options.broker_url, sink_port, min(FLOOR_SAMPLES, options.events), 1 / options.rate)
        async with notifications_replicas(env, options.replicas) as bases, httpx.AsyncClient(timeout=30) as client:
            base = bases[0]
            courses = [Course(f"kp-{i}", uuid4(), uuid4()) for i in range(options.staff)]
            admin = bearer(PROVIDER, "admin-bench", "admin")
            for course in courses:
                body = {"role": "contact_person", "email": f"{course.staff_id}@bench.example"}
                (await client.put(f"{base}/staff/{course.staff_id}", json=body, headers=admin)).raise_for_status()
            exchange = Topology(prefix=prefix).events_exchange
            connection = await aio_pika.connect(options.broker_url)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                for course in courses:
                    await publish(channel, exchange, started(course))
                db = await asyncpg.connect(plain_postgres_url(database_url))
                try:
                    while await db.fetchval("SELECT count(*) FROM assignments") < options.staff:
                        await asyncio.sleep(0.1)
                finally:
                    await db.close()

                seen: dict[str, float] = {}
                readies = [asyncio.Event() for _ in courses]
                streams = [
                    asyncio.create_task(read_stream(client, bases[i % len(bases)], PROVIDER, c.staff_id, seen, r))
                    for i, (c, r) in enumerate(zip(courses, readies, strict=True))
                ]
                await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=30)

                published: dict[str, float] = {}
                start = time.monotonic()
                for i in range(options.events):
                    delay = start + i / options.rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    absence_id = uuid4()
                    published[str(absence_id)] = time.time()
                    await publish(channel, exchange, absence(courses[i % len(courses)], absence_id))
                load_seconds = time.monotonic() - start

                deadline = time.monotonic() + DRAIN_TIMEOUT
                while (len(sink.accepted) < options.events or len(seen) < options.events) and (
                    time.monotonic() < deadline
                ):
                    await asyncio.sleep(0.2)
                for task in streams:
                    task.cancel()
                await asyncio.gather(*streams, return_exceptions=True)

            db = await asyncpg.connect(plain_postgres_url(database_url))
            try:
                rows = await db.fetch(
                    "SELECT d.id AS delivery_id, a.id AS alert_id, a.facts->>'absence_id' AS absence_id "
                    "FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id AND d.channel = 'email'"
                )
            finally:
                await db.close()
        email_latency, stream_latency = [], []
        for row in rows:
            sent = published.get(row["absence_id"])
            if sent is None:
                continue
            accepted = sink.accepted.get(f"<{row['delivery_id']}@forlob>")
            if accepted is not None:
                email_latency.append(accepted - sent)
            arrived = seen.get(str(row["alert_id"]))
            if arrived is not None:
                stream_latency.append(arrived - sent)
        print(
            f"alert latency: {options.events} absence events at {options.rate:g}/s over {load_seconds:.1f}s "
            f"(asked {options.duration:g}s), {options.staff} contact persons with open streams, "
            f"{options.replicas} service replica(s)"
        )
        floor_p50 = statistics.median(floor)
        print(
            f"{'FLOOR':<16} n={len(floor)}  p50={floor_p50:.3f}s  p99={percentile(floor, 99):.3f}s  "
            "(broker round trip + SMTP send, no service)"
        )
        report("e-mail (SMTP)", email_latency, options.events, floor_p50)
        report("inbox stream", stream_latency, options.events, floor_p50)
        ok = (
            len(email_latency) == len(stream_latency) == options.events
            and statistics.median(email_latency) <= GOAL_P50
            and percentile(email_latency, 99) <= GOAL_P99
            and statistics.median(stream_latency) <= GOAL_P50
            and percentile(stream_latency, 99) <= GOAL_P99
        )
        print("goal p50 <= 0.5 s and p99 <= 2 s on both paths, every event delivered:", "met" if ok else "NOT met")
        return 0 if ok else 1
    finally:
        controller.stop()
        with contextlib.suppress(Exception):
            await drop_database(database_url)
        queue = f"{prefix}notifications.alerts"
        await delete_prefixed(options.broker_url, prefix, {queue, f"{queue}.dlq"})


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_options())))

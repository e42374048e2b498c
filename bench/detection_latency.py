"""Detection latency: from a meeting's due instant to its absence.detected.v1 in the outbox.

    uv run --no-sync python bench/detection_latency.py [--meetings 5] [--interval 10]

Servers: ``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``;
the bench creates its own database beside it and drops it at the end) and
``FORLOB_BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``; its queues live
under a random prefix, deleted at the end).

What runs: the attendance service in this process (its app's lifespan: consumers, the periodic
work with ``--interval`` as ``sweep_interval``, the system clock), and a meetings course. Each
round waits until the detection job sleeps on its wake (its last run done), then plans a meeting
through the API starting one second later with no grace, so it falls due one second after it was
planned: after the job's last run and long before its next tick. Measured: the time from the due
instant to the slot marked absent (the sweep's commit, polled every 5 ms). Printed: each round's,
and their median. Without the wake-up a use case rings after its commit, each would be the rest
of the interval since the job's last run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from forlob_attendance.application.courses import CoursePolicy, start_course
from forlob_attendance.application.sweep import DETECTION
from forlob_attendance.main import spec
from forlob_attendance.settings import AttendanceSettings
from forlob_shared.clock import SystemClock
from forlob_shared.events import AttendanceRules, ProgrammeShape
from forlob_shared.runtime import Runtime
from forlob_shared.service import create_app
from forlob_testkit.attendance import PROVIDER, auth, programme_started
from forlob_testkit.benchmarks import create_databases, drop_databases
from forlob_testkit.fixtures import delete_prefixed
from forlob_testkit.wait import eventually

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
CP = auth(PROVIDER, "contact_person", staff="cp-1")


async def rounds(runtime: Runtime[Any, Any, Any], client: httpx.AsyncClient, meetings: int) -> list[float]:
    clock, wake = runtime.clock, runtime.wakes.wake(DETECTION)
    today = clock.now().date()
    course = programme_started(
        start=today - timedelta(days=1),
        end=today + timedelta(days=90),
        shape=ProgrammeShape.MEETINGS,
        rules=AttendanceRules(absence_grace_minutes=0),
    )
    async with runtime.uow() as uow:
        await start_course(uow, course, CoursePolicy(days_ahead=14))
        await uow.commit()
    latencies = []
    for done in range(meetings):

        async def asleep() -> bool:
            return wake.waiters == 1

        await eventually(asleep, what="the detection job asleep after its last run")
        due = clock.now() + timedelta(seconds=1)
        planned = await client.post(
            f"/referrals/{course.referral_id}/meetings",
            headers=CP,
            json={"starts_at": due.isoformat(), "ends_at": (due + timedelta(hours=1)).isoformat(), "place": "home"},
        )
        planned.raise_for_status()

        async def detected(seen: int = done) -> bool:
            return await absent(runtime) > seen

        await eventually(detected, interval=0.005, timeout=120, what="the meeting detected")
        latencies.append((clock.now() - due).total_seconds())
    return latencies


async def absent(runtime: Runtime[Any, Any, Any]) -> int:
    """Slots the sweep has marked absent (its commit: the absence's event is in the same one)."""
    async with runtime.engine.connect() as connection:
        found = await connection.execute(sa.text("SELECT count(*) FROM slots WHERE state = 'absent'"))
        return int(found.scalar() or 0)


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=5)
    parser.add_argument("--interval", type=float, default=10.0, help="sweep_interval, seconds")
    options = parser.parse_args(argv)
    run = secrets.token_hex(4)
    broker_url = os.environ.get("FORLOB_BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    databases = await create_databases(
        os.environ.get("FORLOB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL), run, ["attendance"]
    )
    prefix = f"bench{run}."
    queues: set[str] = set()
    try:
        settings = AttendanceSettings(
            database_url=databases["attendance"],
            broker_url=broker_url,
            name_prefix=prefix,
            environment="test",
            periodic_enabled=True,
            sweep_interval=options.interval,
        )
        app = create_app(spec(), settings, SystemClock(), with_relay=False)
        async with app.router.lifespan_context(app):
            runtime = app.state.runtime
            queues |= {q for c in runtime.consumers for q in (c.queue, runtime.topology.dead_letter_queue(c.queue))}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                latencies = await rounds(runtime, client, options.meetings)
    finally:
        await delete_prefixed(broker_url, prefix, queues)
        for problem in await drop_databases(databases):
            print(problem, file=sys.stderr)
    print(
        f"sweep_interval {options.interval:g} s; detected after the due instant (s): {[round(x, 3) for x in latencies]}"
    )
    median = statistics.median(latencies)
    print(f"median {median:.3f} s, max {max(latencies):.3f} s")
    # The ceiling is the interval itself: without the wake a slot added after the job's last run
    # waits for the next tick, up to the whole interval.
    print(f"median / sweep_interval: {median / options.interval:.4f} (without the wake-up: up to 1)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

"""Intake decisions under contention against the bare cost of serialising on the programme.

    uv run --no-sync python bench/referral.py [--referrals 400] [--capacity 100] [--concurrency 20] [--rounds 3]
        [--cpu N]

Server: ``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``,
any database on the server: the bench creates its own beside it and drops it at the end).

What is measured, per round (ceiling and decisions alternate; figures are medians over the
rounds, so compare them within one run only):

- CEILING: per referral, one plain asyncpg transaction doing the least any correct decision
  must do: lock the programme row (``SELECT ... FOR UPDATE``), update the referral's row and
  insert one outbox-sized row, then commit. ``--concurrency`` of them at a time, so they queue on
  the programme's lock exactly as the decisions do.
- DECISIONS: ``accept_referral`` (the application function behind ``POST /referrals/{id}/accept``)
  for every referral, ``--concurrency`` at a time: lock, read the programme's seats and waiting
  list, search the first intake day with a seat, write state and event through the outbox.
  ``--capacity`` seats, so the later ones in each round are waitlisted with an estimate.

- CPU (with ``--cpu N``, after the rounds): the service's own CPU for one accept on the full
  programme (``--capacity`` holders, ``--referrals - --capacity`` waiting): ``time.process_time``
  around ``accept_referral`` of one more referral, which is waitlisted, then put back to
  ``received`` untimed, N times; the median and the range. The process's CPU only, not
  PostgreSQL's; one accept at a time, so nothing else runs in the process meanwhile.

Printed: both times, decisions per second and the ratio DECISIONS / CEILING (lower is better).
Setup (migrating, defining the programme, receiving the referrals, resetting between rounds)
is not timed. Each round checks that exactly ``--capacity`` referrals were accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from forlob_referral.application.catalogue import DefineProgramme, define_programme
from forlob_referral.application.intake import accept_referral
from forlob_referral.application.referrals import ReceiveReferral, receive_referral
from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.programme import ProgrammeKind
from forlob_referral.main import spec
from forlob_referral.settings import ReferralSettings
from forlob_shared.clock import ManualClock
from forlob_shared.db import create_engine, create_session_factory
from forlob_shared.dbadmin import drop_database, ensure_database
from forlob_shared.events.common import TimeWindow
from forlob_shared.http.auth import Principal
from forlob_shared.logging import configure_logging
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.migrations import upgrade

NOW = datetime(2026, 5, 20, 8, tzinfo=UTC)
PROVIDER = Principal(staff_id="co-1", org="rca-aalborg", roles=frozenset({"coordinator"}))
CASEWORKER = Principal(staff_id="cw-1", org="jobcenter-aalborg", roles=frozenset({"caseworker"}))
CPR = "2110625629"


@dataclass(frozen=True)
class Options:
    referrals: int
    capacity: int
    concurrency: int
    rounds: int
    database_url: str
    cpu: int = 0


def parse_options() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--referrals", type=int, default=400)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--cpu", type=int, default=0, metavar="N", help="then time the CPU of N accepts on the full programme"
    )
    args = parser.parse_args()
    import os

    base = os.environ.get("FORLOB_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"/forlob_bench_referral_{secrets.token_hex(4)}"))
    return Options(args.referrals, args.capacity, args.concurrency, args.rounds, url, args.cpu)


async def gather_limited(concurrency: int, jobs: list[Callable[[], Awaitable[Any]]]) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def run(job: Callable[[], Awaitable[Any]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(run(job) for job in jobs))


async def main(options: Options) -> int:
    configure_logging("bench", "WARNING", json=False)
    await ensure_database(options.database_url)
    try:
        return await bench(options)
    finally:
        await drop_database(options.database_url)


async def bench(options: Options) -> int:
    settings = ReferralSettings(database_url=options.database_url)
    await asyncio.to_thread(upgrade, spec().migrations_dir, settings.sqlalchemy_url)
    engine = create_engine(settings, pool_size=options.concurrency)
    sessions = create_session_factory(engine)
    clock = ManualClock(NOW)
    outbox = OutboxWriter(source="forlob/referral", clock=clock)

    def uow() -> ReferralUnitOfWork:
        return ReferralUnitOfWork(sessions, outbox)

    horizon = timedelta(weeks=4)
    hours = tuple(TimeWindow(weekday=d, start=clock_time(7, 30), end=clock_time(14, 30)) for d in range(5))
    await define_programme(
        uow(),
        PROVIDER,
        DefineProgramme(
            code="UDV",
            name="Development course",
            kind=ProgrammeKind.DEVELOPMENT_COURSE,
            capacity=options.capacity,
            intake_weekdays=(0,),
            default_weeks=13,
            min_weeks=4,
            max_weeks=26,
            opening_hours=hours,
            country="DK",
        ),
        horizon,
    )
    ids = []
    for _ in range(options.referrals):
        view = await receive_referral(
            uow(),
            CASEWORKER,
            ReceiveReferral("UDV", "rca-aalborg", "Bench Person", CPR, IdentityScheme.DK_CPR),
        )
        ids.append(view.referral.id)
        clock.advance(timedelta(seconds=1))

    dsn = settings.asyncpg_dsn
    pool = await asyncpg.create_pool(dsn, min_size=options.concurrency, max_size=options.concurrency)
    await pool.execute("CREATE TABLE bench_outbox (id bigserial PRIMARY KEY, body bytea NOT NULL)")
    body = b"x" * 900  # about one referral event's CloudEvent

    async def reset() -> None:
        await pool.execute(
            "UPDATE referrals SET state = 'received', intake_date = NULL, planned_end_date = NULL, "
            "decided_at = NULL, waitlist_rank = NULL, from_waiting_list = false"
        )
        await pool.execute(
            "DELETE FROM outbox WHERE routing_key LIKE 'referral.%' AND routing_key <> 'referral.received.v1'"
        )
        await pool.execute("TRUNCATE bench_outbox")

    async def ceiling_one(referral_id: Any) -> None:
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "SELECT 1 FROM programmes WHERE provider_org = 'rca-aalborg' AND code = 'UDV' FOR UPDATE"
            )
            await connection.execute("UPDATE referrals SET decided_at = now() WHERE id = $1", referral_id)
            await connection.execute("INSERT INTO bench_outbox (body) VALUES ($1)", body)

    ceilings: list[float] = []
    decisions: list[float] = []
    for round_ in range(options.rounds):
        await reset()
        started = time.perf_counter()
        await gather_limited(options.concurrency, [lambda r=r: ceiling_one(r) for r in ids])
        ceilings.append(time.perf_counter() - started)

        await reset()
        started = time.perf_counter()
        await gather_limited(
            options.concurrency, [lambda r=r: accept_referral(uow(), PROVIDER, r, horizon) for r in ids]
        )
        decisions.append(time.perf_counter() - started)
        accepted = await pool.fetchval("SELECT count(*) FROM referrals WHERE state = 'accepted'")
        expected = min(options.capacity, options.referrals)
        if accepted != expected:
            print(f"round {round_ + 1}: {accepted} accepted, expected {expected}", file=sys.stderr)
            return 1

    cpu: list[float] = []
    if options.cpu:
        waiting = await pool.fetchval("SELECT count(*) FROM referrals WHERE state = 'waitlisted'")
        extra = await receive_referral(
            uow(), CASEWORKER, ReceiveReferral("UDV", "rca-aalborg", "Bench Person", CPR, IdentityScheme.DK_CPR)
        )
        for _ in range(options.cpu):
            started = time.process_time()
            await accept_referral(uow(), PROVIDER, extra.referral.id, horizon)
            cpu.append(time.process_time() - started)
            await pool.execute(
                "UPDATE referrals SET state = 'received', decided_at = NULL, waitlist_rank = NULL WHERE id = $1",
                extra.referral.id,
            )

    await pool.close()
    await engine.dispose()
    ceiling, decided = statistics.median(ceilings), statistics.median(decisions)
    print(f"referrals {options.referrals}, capacity {options.capacity}, concurrency {options.concurrency}")
    print(f"CEILING   {ceiling:8.3f} s  ({options.referrals / ceiling:8.0f} /s)  lock + update + insert per referral")
    print(f"DECISIONS {decided:8.3f} s  ({options.referrals / decided:8.0f} /s)  accept_referral")
    print(f"ratio DECISIONS / CEILING = {decided / ceiling:.2f}")
    if cpu:
        ms = sorted(c * 1000 for c in cpu)
        print(
            f"CPU       {statistics.median(ms):8.1f} ms per accept with {waiting} waiting "
            f"(median of {len(ms)}, {ms[0]:.1f} to {ms[-1]:.1f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_options())))

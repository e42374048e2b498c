"""A national morning: every participant's agreed arrival between 07:30 and 08:00, some missed;
from each missed arrival's due time (arrival + grace) to the contact person's e-mail and inbox.

    uv run --no-sync python bench/morning.py [--providers 500] [--participants 50000] [--missed 0.05]
        [--grace 15] [--staff-per-provider 5] [--speed 10] [--sweep-interval 30] [--json]

Servers: ``FORLOB_BENCH_BROKER_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/``) and
``FORLOB_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``): the
bench creates a database per service beside it and drops them at the end, with every exchange and
queue under its random prefix, also on failure, Ctrl-C or SIGTERM.

The data (``forlob_testkit.morning``, written with one INSERT ... SELECT per table, in the shape
the services' use cases write): ``--providers`` providers, each with ``--staff-per-provider``
contact persons and a team leader (e-mail and inbox); ``--participants`` courses spread over
them, agreed arrivals spread evenly over 07:30-08:00 Copenhagen time on the next weekday; an exact
``--missed`` share, spaced evenly through the morning, never checks in, the others are checked in.

What runs: attendance (its sweep and its relay), notifications (the alerts consumer, the e-mail
dispatcher, the inbox streams, its relay) and reporting (the other consumer of the absences) as real
processes (``forlob_testkit.processes``) on a moved clock; an SMTP sink in this process noting when it
accepted each e-mail; an open ``/inbox/stream`` per contact person who will have an alert, as the web
holds it. The morning is compressed: the clock runs ``--speed`` times faster (moved every 0.2 s) from a
minute before the first due time to a minute after the last, then at normal speed while the last alerts
arrive, so the alerts come ``--speed`` times as fast as on a real morning (2,500 in 30 minutes is 1.4/s;
14/s at the default): the figures are conservative, and a higher speed measures the services' capacity.
Attendance runs on the product's settings: its sweep wakes at each due instant, at least every
``--sweep-interval`` (default 30 s) of the services' clock (sleeps compressed with it: ``clock_speed``).

What is measured, per missed arrival, in wall time from the instant the services' clock passed its
due time (``ClockSteps.passed_at``): to the sweep's detection and to the alert raised (both read
from the services' own timestamps, mapped back to wall time), to the e-mail accepted by the sink
and to the alert on the contact person's stream; p50, p99, max, and how many arrived of those
expected. CPU seconds per alert of each service process (and this one), /proc/<pid>/stat over the
morning. The FLOOR, in the same run: a broker round trip and an SMTP send with no service between
(``forlob_testkit.benchmarks.measure_floor``). Ratios: each path's p99 to the goal (5 s) and to the
floor's p99. Exit 0: every alert delivered both ways and p99 <= 5 s; 2: delivered, goal missed;
1: an alert missing (or one not expected).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller

from forlob_attendance.settings import AttendanceSettings
from forlob_shared.events import AttendanceRules
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.benchmarks import (
    TimedSink,
    cpu_seconds,
    create_databases,
    drop_databases,
    measure_floor,
    open_streams,
    percentile,
)
from forlob_testkit.fixtures import delete_prefixed
from forlob_testkit.morning import (
    BASIS_POINTS,
    PATHS,
    Alert,
    MorningPlan,
    PathFigures,
    cpu_per_alert,
    latencies,
    morning_day,
    race_clock,
    seed_attendance,
    seed_notifications,
)
from forlob_testkit.processes import System, running_system
from forlob_testkit.servers import free_port

DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SERVICES = ("attendance", "notifications", "reporting")
GOAL_P99 = 5.0
DRAIN_TIMEOUT = 180.0  # after the race, how long the last alerts may take
FLOOR_SAMPLES = 200
IDLE_SECONDS = 5.0


@dataclass(frozen=True)
class Options:
    providers: int
    participants: int
    missed: float
    grace: int
    staff_per_provider: int
    speed: float
    sweep_interval: float
    json: bool
    broker_url: str
    database_url: str


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add = parser.add_argument
    add("--providers", type=int, default=500, help="providers (default 500)")
    add("--participants", type=int, default=50_000, help="participants, one course each (default 50,000)")
    add("--missed", type=float, default=0.05, help="share of the arrivals missed (default 0.05)")
    grace = AttendanceRules().absence_grace_minutes
    add("--grace", type=int, default=grace, help=f"grace minutes after the arrival (default the product's, {grace})")
    add("--staff-per-provider", type=int, default=5, help="contact persons per provider (default 5)")
    add("--speed", type=float, default=10.0, help="the clock's speed in the morning (default 10: 3.2 minutes)")
    interval = AttendanceSettings.model_fields["sweep_interval"].default
    add("--sweep-interval", type=float, default=interval, help=f"s of their clock (default the product's, {interval})")
    add("--json", action="store_true", help="print one JSON document instead of the table")
    args = parser.parse_args(argv)
    if min(args.providers, args.participants, args.staff_per_provider) < 1 or args.participants < args.providers:
        parser.error("--providers, --participants and --staff-per-provider must be positive, participants >= providers")
    if not 0 < args.missed <= 1 or args.grace < 0 or args.speed < 1 or args.sweep_interval <= 0:
        parser.error("0 < --missed <= 1, --grace >= 0, --speed >= 1, --sweep-interval > 0")
    return Options(
        providers=args.providers,
        participants=args.participants,
        missed=args.missed,
        grace=args.grace,
        staff_per_provider=args.staff_per_provider,
        speed=args.speed,
        sweep_interval=args.sweep_interval,
        json=args.json,
        broker_url=os.environ.get("FORLOB_BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        database_url=os.environ.get("FORLOB_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
    )


def plan_of(options: Options, run: str) -> MorningPlan:
    return MorningPlan(
        run=run,
        providers=options.providers,
        participants=options.participants,
        missed_bp=round(options.missed * BASIS_POINTS),
        staff_per_provider=options.staff_per_provider,
        grace_minutes=options.grace,
        day=morning_day(datetime.now(UTC).date()),
    )


# --- the figures -----------------------------------------------------------------------------------


@dataclass
class Result:
    paths: dict[str, PathFigures]
    floor: list[float]
    cpu: dict[str, float]  # per alert
    cpu_total: dict[str, float]
    unexpected: int
    streams: int
    morning_seconds: float
    seed_seconds: float = 0.0
    load_average: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    idle_cores: dict[str, float] = field(default_factory=dict)  # before the morning, the streams open

    @property
    def delivered(self) -> bool:
        goal = (self.paths["e-mail"], self.paths["inbox stream"])
        return self.unexpected == 0 and all(len(p.latencies) == p.expected for p in goal)

    @property
    def goal_met(self) -> bool:
        return self.delivered and all(percentile(self.paths[p].latencies, 99) <= GOAL_P99 for p in PATHS[2:])

    def as_dict(self, options: Options | None = None) -> dict[str, Any]:
        floor_p99 = percentile(self.floor, 99)
        return {
            "options": {k: v for k, v in asdict(options).items() if not k.endswith("_url")} if options else None,
            "paths": {
                name: {
                    **p.as_dict(),
                    "p99_to_goal": percentile(p.latencies, 99) / GOAL_P99,
                    "p99_to_floor": percentile(p.latencies, 99) / floor_p99 if floor_p99 else None,
                }
                for name, p in self.paths.items()
            },
            "floor": {"samples": len(self.floor), "p50_s": percentile(self.floor, 50), "p99_s": floor_p99},
            "cpu_seconds_per_alert": self.cpu,
            "cpu_seconds": self.cpu_total,
            "unexpected_alerts": self.unexpected,
            "streams": self.streams,
            "morning_seconds": self.morning_seconds,
            "seed_seconds": self.seed_seconds,
            "load_average": self.load_average,
            "idle_cores": self.idle_cores,
            "goal": {"p99_s": GOAL_P99, "delivered": self.delivered, "met": self.goal_met},
        }


# --- the run ---------------------------------------------------------------------------------------


async def seed(databases: Mapping[str, str], plan: MorningPlan) -> float:
    """Write the morning into the services' databases; returns the seconds it took."""
    started = time.perf_counter()
    await asyncio.gather(
        seed_attendance(databases["attendance"], plan), seed_notifications(databases["notifications"], plan)
    )
    return time.perf_counter() - started


ALERTS = """
    SELECT a.id::text AS alert_id, a.facts->>'absence_id' AS absence_id, a.raised_at, d.id::text AS email_id
    FROM alerts a
    LEFT JOIN deliveries d ON d.alert_id = a.id AND d.channel = 'email' AND d.event_type = 'alert.raised'
    WHERE a.kind = 'absence'
"""


async def read_alerts(databases: Mapping[str, str]) -> list[Alert]:
    notifications = await asyncpg.connect(plain_postgres_url(databases["notifications"]))
    attendance = await asyncpg.connect(plain_postgres_url(databases["attendance"]))
    try:
        rows = await notifications.fetch(ALERTS)
        slots = await attendance.fetch("SELECT id::text AS id, detected_at FROM slots WHERE state = 'absent'")
    finally:
        await notifications.close()
        await attendance.close()
    detected = {r["id"]: r["detected_at"] for r in slots}
    return [
        Alert(r["absence_id"], r["alert_id"], r["email_id"], detected.get(r["absence_id"]), r["raised_at"])
        for r in rows
    ]


async def measure(
    system: System,
    plan: MorningPlan,
    *,
    broker_url: str,
    sink: TimedSink,
    sink_port: int,
    speed: float,
    floor_samples: int = FLOOR_SAMPLES,
    idle_seconds: float = IDLE_SECONDS,
    drain_timeout: float = DRAIN_TIMEOUT,
) -> Result:
    """The floor, then the morning on a running, seeded system, then the figures."""
    floor = await measure_floor(broker_url, sink_port, floor_samples, 0.02)
    pids = {name: p.process.pid for name, p in system.services.items() if p.process is not None}
    pids["bench"] = os.getpid()
    expected = {str(plan.slot_id(i)) for i in plan.missed_indices}
    seen: dict[str, float] = {}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(30, read=None), limits=limits) as client,
        open_streams(client, system.url("notifications"), plan.recipients(), seen) as streams,
    ):
        load = {"before": os.getloadavg()}
        idle = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await asyncio.sleep(idle_seconds)  # what the open streams and the periodic ticks cost with nothing due
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        began = time.perf_counter()
        steps = await race_clock(system, plan, speed)
        deadline = time.monotonic() + drain_timeout
        while time.monotonic() < deadline:
            alerts = await read_alerts(system.databases)
            mailed = sum(1 for a in alerts if a.email_id and f"<{a.email_id}@forlob>" in sink.accepted)
            streamed = sum(1 for a in alerts if a.alert_id in seen)
            if len(alerts) >= len(expected) and mailed >= len(expected) and streamed >= len(expected):
                break
            await asyncio.sleep(1.0)
        morning = time.perf_counter() - began
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        load["after"] = os.getloadavg()
    alerts = await read_alerts(system.databases)
    paths, unexpected = latencies(plan, steps, alerts, sink.accepted, seen)
    return Result(
        paths=paths,
        floor=floor,
        cpu=cpu_per_alert(before, after, len(alerts)),
        idle_cores={name: (before[name] - idle[name]) / idle_seconds for name in idle},
        cpu_total={name: after[name] - before[name] for name in before},
        unexpected=unexpected,
        streams=streams,
        morning_seconds=morning,
        load_average=load,
    )


def render(result: Result, options: Options, plan: MorningPlan) -> str:
    figures = result.as_dict(options)
    floor = figures["floor"]
    lines = [
        f"national morning {plan.day}: {options.providers} providers, {options.participants} participants,"
        f" {len(plan.missed_indices)} missed ({options.missed:.1%}), grace {options.grace} min,"
        f" {options.staff_per_provider} contact persons per provider ({result.streams} inbox streams open)",
        f"clock x{options.speed:g} over the morning ({result.morning_seconds:.1f} s wall, drain included);"
        f" sweep at due instants, every {options.sweep_interval:g} s at most; seeded in {result.seed_seconds:.1f} s",
        f"load average before {result.load_average['before'][0]:.2f}, after {result.load_average['after'][0]:.2f}"
        f" ({os.cpu_count()} cores)",
        "",
        f"{'FLOOR':<22} n={floor['samples']}  p50={floor['p50_s']:.3f}s  p99={floor['p99_s']:.3f}s"
        "  (broker round trip + SMTP send, no service)",
    ]
    for name, p in figures["paths"].items():
        to_floor = f"{p['p99_to_floor']:.0f}" if p["p99_to_floor"] is not None else "-"
        lines.append(
            f"{'due -> ' + name:<22} n={p['delivered']}/{p['expected']}  p50={p['p50_s']:.3f}s  p99={p['p99_s']:.3f}s"
            f"  max={p['max_s']:.3f}s  p99/goal={p['p99_to_goal']:.2f}  p99/floor={to_floor}"
        )
    lines += [
        "",
        "CPU seconds per alert: "
        + "  ".join(f"{k} {v * 1000:.1f}ms ({result.cpu_total[k]:.1f}s)" for k, v in result.cpu.items()),
        f"idle beforehand, streams open (cores): {'  '.join(f'{k} {v:.3f}' for k, v in result.idle_cores.items())}",
        f"unexpected alerts: {result.unexpected}",
        f"every alert delivered by e-mail and stream: {'yes' if result.delivered else 'NO'};"
        f" goal p99 <= {GOAL_P99:g} s after the grace ends: {'met' if result.goal_met else 'NOT met'}",
    ]
    return "\n".join(lines)


async def main(options: Options) -> int:
    this = asyncio.current_task()
    if this is not None:  # SIGTERM cleans up as Ctrl-C does
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, this.cancel)
    run = secrets.token_hex(4)
    prefix = f"bench{run}."
    workdir = Path(tempfile.mkdtemp(prefix=f"forlob-morning-{run}-"))
    plan = plan_of(options, run)
    sink, sink_port = TimedSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    databases: dict[str, str] = {}
    ok = False
    try:
        controller.start()
        databases = await create_databases(options.database_url, run, SERVICES)
        seed_seconds = await seed(databases, plan)
        env = {
            "FORLOB_ATTENDANCE_SWEEP_INTERVAL": str(options.sweep_interval / options.speed),
            "FORLOB_NOTIFICATIONS_SMTP_PORT": str(sink_port),
            "FORLOB_LOG_LEVEL": "WARNING",
        }
        manager = running_system(
            workdir / "system",
            broker_url=options.broker_url,
            prefix=prefix,
            databases=databases,
            env=env,
            services=SERVICES,
        )
        system = await asyncio.to_thread(manager.__enter__)
        try:
            result = await measure(
                system, plan, broker_url=options.broker_url, sink=sink, sink_port=sink_port, speed=options.speed
            )
        finally:
            await asyncio.to_thread(manager.__exit__, None, None, None)
        result.seed_seconds = seed_seconds
        print(
            json.dumps(result.as_dict(options), indent=2, default=str)
            if options.json
            else render(result, options, plan)
        )
        ok = result.delivered
        return 0 if result.goal_met else 2 if ok else 1
    finally:
        await asyncio.shield(cleanup(options.broker_url, prefix, databases))
        controller.stop()
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"service logs kept in {workdir}", file=sys.stderr)


async def cleanup(broker_url: str, prefix: str, databases: Mapping[str, str]) -> None:
    try:
        await delete_prefixed(broker_url, prefix)
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

"""bench/morning.py: its arithmetic (the plan's spread, the compressed clock's passing instants, the
latencies and CPU per alert) with made-up numbers, and a tiny morning (2 providers, 40
participants, 4 missed) through attendance, notifications and reporting as processes, so the
benchmark cannot rot. Nothing is timed against a limit: what is asserted is that the seeded rows
are what the plan says, that every missed arrival became one alert, e-mailed and streamed, and
that the figures follow from them."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from aiosmtpd.controller import Controller

from forlob_testkit.benchmarks import TimedSink, percentile
from forlob_testkit.infra import TestInfra
from forlob_testkit.morning import Alert, ClockSteps, MorningPlan, cpu_per_alert, latencies, morning_day
from forlob_testkit.servers import free_port

BENCH = Path(__file__).resolve().parents[2] / "bench" / "morning.py"
DAY = date(2026, 12, 7)  # a Monday
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("forlob_bench_morning", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def plan(participants: int = 2000, providers: int = 20, missed_bp: int = 500) -> MorningPlan:
    return MorningPlan("t", providers, participants, missed_bp, 5, 15, DAY)


def test_arrivals_are_spread_evenly_over_the_half_hour_and_an_exact_share_is_missed() -> None:
    p = plan(participants=1800)  # one a second
    starts = [p.expected_start(i) for i in range(p.participants)]
    assert starts == sorted(starts)
    assert starts[0] == datetime.combine(DAY, time(7, 30), COPENHAGEN)
    assert starts[-1] < datetime.combine(DAY, time(8, 0), COPENHAGEN)
    per_minute = Counter(s.astimezone(COPENHAGEN).minute for s in starts)
    assert set(per_minute.values()) == {60}  # the same number each minute
    assert p.due(0) - starts[0] == timedelta(minutes=15)
    assert len(p.missed_indices) == 90  # 5% of 1800, exactly
    gaps = {b - a for a, b in itertools.pairwise(p.missed_indices)}
    assert gaps == {20}  # every 20th: spaced evenly through the morning
    # ...and spread over the providers and their contact persons, not piled on a few
    assert len({p.provider(i) for i in p.missed_indices}) >= 15
    assert {p.contact(i) for i in range(p.participants)} == set(range(5))


def test_the_morning_is_a_weekday_after_today() -> None:
    assert morning_day(date(2026, 12, 4)) == date(2026, 12, 7)  # Friday -> Monday
    assert morning_day(date(2026, 12, 7)) == date(2026, 12, 8)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_a_due_time_passes_at_the_jump_that_overtook_it_or_while_the_clock_ran() -> None:
    steps = ClockSteps([])
    steps.note(1000.0, 500.0)  # from wall 1000 the services read 1500...
    steps.note(1001.0, 600.0)  # ...at wall 1001 they read 1501, then jump to 1601
    assert steps.passed_at(at(1500.5)) == 1000.5  # passed while running between the jumps
    assert steps.passed_at(at(1550.0)) == 1001.0  # overtaken by the second jump
    assert steps.passed_at(at(1700.0)) == 1100.0  # after the last jump: at the last offset
    assert steps.passed_at(at(1400.0)) == 1000.0  # before the first jump: passed by it
    assert ClockSteps([]).passed_at(at(1.0)) is None


def test_latencies_run_from_each_due_time_and_count_alerts_nobody_expected() -> None:
    p = plan(participants=40, providers=2, missed_bp=1000)  # 4 missed
    offset = 10_000.0
    steps = ClockSteps([(0.0, offset)])  # the services' clock 10,000 s ahead, running normally
    due = {i: p.due(i).timestamp() - offset for i in p.missed_indices}  # wall instants
    alerts = [
        Alert(str(p.slot_id(i)), f"a{i}", f"d{i}", at(due[i] + offset + 1), at(due[i] + offset + 1.5))
        for i in p.missed_indices
    ]
    alerts.append(Alert("not-a-missed-slot", "ax", None, None, at(offset)))
    accepted = {f"<d{i}@forlob>": due[i] + 2.0 for i in p.missed_indices[:3]}  # one e-mail never came
    seen = {f"a{i}": due[i] + 1.75 for i in p.missed_indices}
    paths, unexpected = latencies(p, steps, alerts, accepted, seen)
    assert unexpected == 1
    assert paths["detected"].latencies == [1.0] * 4
    assert paths["raised"].latencies == [1.5] * 4
    assert paths["e-mail"].latencies == [2.0] * 3
    assert paths["e-mail"].expected == 4
    assert paths["inbox stream"].as_dict() == {
        "delivered": 4,
        "expected": 4,
        "p50_s": 1.75,
        "p99_s": 1.75,
        "max_s": 1.75,
    }


def test_cpu_per_alert_and_the_nearest_rank_percentile() -> None:
    assert cpu_per_alert({"attendance": 1.0, "notifications": 2.0}, {"attendance": 2.0, "notifications": 7.0}, 50) == {
        "attendance": 0.02,
        "notifications": 0.1,
    }
    assert cpu_per_alert({"bench": 1.0}, {"bench": 1.5}, 0) == {"bench": 0.5}  # no alert: per nothing, not /0
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([], 99) == 0.0


async def test_a_tiny_morning_goes_through_the_services_and_is_measured(
    start_system: Any, infra: TestInfra, prefix: str
) -> None:
    bench = load_bench()
    sink = TimedSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    options = bench.parse_options(["--providers", "2", "--participants", "40", "--missed", "0.1"])
    tiny = MorningPlan("tiny", 2, 40, 1000, 2, options.grace, morning_day(datetime.now(UTC).date()))
    env = {"FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.5", "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp.port)}
    try:
        async with start_system(env=env, services=bench.SERVICES) as system:
            await bench.seed(system.databases, tiny)
            counts = await table_counts(system.databases)
            result = await bench.measure(
                system,
                tiny,
                broker_url=infra.broker_url,
                sink=sink,
                sink_port=smtp.port,
                speed=600,
                idle_seconds=0.5,
                floor_samples=10,
                drain_timeout=60,
            )
    finally:
        smtp.stop()

    assert counts == {"courses": 40, "expected slots": 4, "present slots": 36, "assignments": 40, "staff": 6}
    assert result.delivered
    assert result.unexpected == 0
    assert result.streams == len(tiny.recipients()) > 0
    for path in result.paths.values():
        assert path.expected == len(path.latencies) == 4
        assert all(0 <= v < 60 for v in path.latencies)
    # one alert at a time: detected, then raised, then e-mailed (the lists are in the same order)
    for detected, raised, mailed in zip(
        *(result.paths[p].latencies for p in ("detected", "raised", "e-mail")), strict=True
    ):
        assert detected <= raised + 0.05
        assert raised <= mailed
    assert set(result.cpu) == {"attendance", "notifications", "reporting", "bench"}
    assert all(v >= 0 and math.isfinite(v) for v in result.cpu.values())
    assert set(result.idle_cores) == set(result.cpu)
    assert all(0 <= v <= (os.cpu_count() or 1) for v in result.idle_cores.values())  # in cores
    assert len(result.floor) == 10

    document = json.loads(json.dumps(result.as_dict(options), default=str))
    assert document["goal"]["delivered"] is True
    assert document["paths"]["e-mail"]["delivered"] == 4
    assert (
        document["paths"]["inbox stream"]["p99_to_goal"] == percentile(result.paths["inbox stream"].latencies, 99) / 5
    )
    table = bench.render(result, options, tiny)
    assert "due -> e-mail" in table
    assert "n=4/4" in table
    assert "every alert delivered by e-mail and stream: yes" in table


async def table_counts(databases: dict[str, str]) -> dict[str, int]:
    attendance = await asyncpg.connect(databases["attendance"])
    notifications = await asyncpg.connect(databases["notifications"])
    try:
        return {
            "courses": await attendance.fetchval("SELECT count(*) FROM courses"),
            "expected slots": await attendance.fetchval("SELECT count(*) FROM slots WHERE state = 'expected'"),
            "present slots": await attendance.fetchval("SELECT count(*) FROM slots WHERE state = 'present'"),
            "assignments": await notifications.fetchval("SELECT count(*) FROM assignments"),
            "staff": await notifications.fetchval("SELECT count(*) FROM staff"),
        }
    finally:
        await attendance.close()
        await notifications.close()

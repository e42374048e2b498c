"""bench/pipeline.py in its quickest form, so the benchmark cannot rot: one step of courses through
the four services as processes, then the ceiling, a tiny saturated step (the consumers held while
a backlog builds, then drained), the memory readings and both outputs. Nothing
here is timed; what is asserted is that every course's events arrived where the bindings send
them, that the ceiling carried the same deliveries, and that the figures are real numbers."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from aiosmtpd.controller import Controller

from forlob_testkit.infra import TestInfra
from forlob_testkit.processes import SERVICES
from forlob_testkit.servers import free_port

BENCH = Path(__file__).resolve().parents[2] / "bench" / "pipeline.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("forlob_bench_pipeline", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


async def test_one_step_of_courses_goes_through_and_is_measured(
    start_system: Any, infra: TestInfra, prefix: str
) -> None:
    bench = load_bench()
    mails = bench.MailCounter()
    smtp = Controller(mails, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        env = {**bench.FAST_TICKS, "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp.port)}
        async with start_system(env=env, separate_relays=("referral",)) as system:
            result = await bench.measure(
                system,
                broker_url=infra.broker_url,
                prefix=prefix,
                rates=[4],
                days=1,
                days_per_course=1,  # the whole course in the one day: referral to outcome
                burst=8,
                burst_rounds=2,
                settle=0.5,
                mails=mails,
            )
            states = [bench.process_state(p.process.pid) for p in system.processes() if p.process is not None]
    finally:
        smtp.stop()

    [step] = result.steps
    assert (step.courses_started, step.courses_ended) == (4, 4)
    # each course's events (the step's 4 and the burst's 8) reached every bound consumer
    assert result.courses == result.courses_complete == 4 + 2 * 8
    assert step.events > 0
    assert step.deliveries == step.expected_deliveries == step.ceiling_deliveries > 0
    assert not any(result.dead_letters.values())
    assert result.complete
    for figure in (step.e2e_rate, step.ceiling_rate, step.ratio, step.wall_rate):
        assert math.isfinite(figure)
        assert figure > 0
    assert 0 < step.busy_seconds <= step.wall_seconds + 1
    assert 0 <= step.lag_p50 <= step.lag_p99

    burst = result.burst
    assert burst is not None
    assert len(result.bursts) == 2
    assert burst in result.bursts
    # the headline is the rounds' median; of two, the mean, and the round shown is the lower one
    assert bench.headline_ratio(result) == (result.bursts[0].ratio + result.bursts[1].ratio) / 2
    assert burst.ratio == min(b.ratio for b in result.bursts)
    assert burst.courses == 8
    # the referral service consumes nothing; its relay is held with the consumers
    assert set(burst.held) == {"attendance", "notifications", "reporting", "referral relay"}
    assert burst.backlog_events == 3 * 8  # referred, accepted, started: all in the outbox while held
    assert burst.deliveries == burst.expected_deliveries == burst.ceiling_deliveries > 0  # every event drained
    assert sum(n for n, *_ in burst.consumers.values()) == burst.deliveries
    for figure in (burst.rate, burst.ceiling_rate, burst.ratio, burst.drain_seconds, burst.consume_rate):
        assert math.isfinite(figure)
        assert figure > 0
    assert len(states) == len(SERVICES) + 1  # and the referral relay's process
    assert "T" not in states  # none left stopped

    assert {m.service for m in result.memory} == {*SERVICES, "referral relay"}
    for memory in result.memory:
        assert 0 < memory.idle_rss <= memory.load_hwm
        assert memory.idle_rss <= memory.idle_hwm <= memory.load_hwm
        assert 0 < memory.load_rss_peak <= memory.load_hwm

    assert set(step.cpu) == {*SERVICES, "referral relay", "bench", "postgres", "rabbitmq"}
    assert all(seconds >= 0 for seconds in step.cpu.values())
    assert {"attendance.programme", "notifications.alerts", "reporting.read-model"} <= set(step.handlers)

    options = bench.parse_options(["--rates", "4", "--days", "1", "--days-per-course", "1"])
    table = bench.render(result, options)
    assert "ratio goal >= 0.5: saturated steps' median of 2" in table
    assert "saturated step rounds: ratios " in table
    assert "LOAD-BOUND" in table
    assert table.count("PASS") + table.count("FAIL") >= 1 + 2 * len(SERVICES)
    document = json.loads(json.dumps(result.as_dict(options), default=str))
    assert document["complete"] is True
    assert document["steps"][0]["deliveries"] == step.deliveries
    assert document["burst"]["deliveries"] == burst.deliveries
    assert document["goals"]["ratio"]["measured_by"] == "burst"
    assert len(document["burst_rounds"]) == 2
    assert set(document["goals"]) == {"ratio", "idle_memory", "load_memory"}

"""The periodic-job loop: a failing run is logged and the loop goes on; it ends when told; a job
that knows its next due instant is run then, never later than its interval."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from forlob_shared.clock import ManualClock, SystemClock, clock_speed
from forlob_shared.periodic import LEAST_PAUSE, run_periodically, seconds_until
from forlob_testkit.wait import eventually


class _Runtime:
    def __init__(self) -> None:
        self.clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))


async def test_the_loop_survives_a_failing_run_and_stops_when_told() -> None:
    calls: list[datetime] = []

    async def job(runtime: Any, now: datetime) -> None:
        calls.append(now)
        if len(calls) == 1:
            raise ConnectionError("database unavailable")

    stop = asyncio.Event()
    task = asyncio.create_task(run_periodically("test", job, _Runtime(), 0.01, stop))  # type: ignore[arg-type]

    async def ran_again() -> bool:
        return len(calls) >= 3

    await eventually(ran_again, what="runs after the failing one")
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert calls[0] == datetime(2026, 11, 23, 9, tzinfo=UTC)  # each run gets the runtime's clock


NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_the_pause_lasts_until_the_next_due_instant_within_the_interval() -> None:
    assert seconds_until(None, NOW, 30) == 30  # nothing due: the interval
    assert seconds_until(NOW + timedelta(seconds=2.5), NOW, 30) == 2.5
    assert seconds_until(NOW + timedelta(hours=9), NOW, 30) == 30  # a moved clock may get there sooner
    assert seconds_until(NOW - timedelta(seconds=1), NOW, 30) == LEAST_PAUSE  # past: soon, not at once
    assert seconds_until(NOW + timedelta(seconds=2.5), NOW, 1) == 1
    assert seconds_until(NOW + timedelta(seconds=2.5), NOW, 30, speed=10) == 0.25  # a raced clock


def test_a_clock_says_its_speed_only_when_it_is_raced() -> None:
    class Raced:
        def now(self) -> datetime:
            return NOW

        def speed(self) -> float:
            return 10.0

    assert clock_speed(SystemClock()) == 1.0
    assert clock_speed(ManualClock(NOW)) == 1.0
    assert clock_speed(Raced()) == 10.0


async def test_a_job_runs_again_when_its_next_run_falls_due_not_after_the_interval() -> None:
    runtime = _Runtime()
    calls: list[datetime] = []
    asked: list[datetime] = []

    async def job(runtime: Any, now: datetime) -> None:
        calls.append(now)

    async def next_due(runtime: Any) -> datetime:
        now: datetime = runtime.clock.now()
        asked.append(now)
        return now + timedelta(seconds=0.01)

    stop = asyncio.Event()
    # An hour's interval: only the due instants can bring the second and third runs within the test.
    task = asyncio.create_task(run_periodically("test", job, runtime, 3600, stop, next_due))  # type: ignore[arg-type]

    async def ran(times: int) -> bool:
        return len(calls) >= times

    await eventually(lambda: ran(1), what="the first run")
    for times in (2, 3):
        runtime.clock.advance(timedelta(seconds=0.01))  # the clock reaches the instant named
        await eventually(lambda: ran(times), what="a run at the due instant")  # noqa: B023
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert calls == [NOW, NOW + timedelta(seconds=0.01), NOW + timedelta(seconds=0.02)]
    assert len(asked) == 3  # asked after each run


async def test_a_wake_before_the_due_instant_does_not_run_the_job() -> None:
    class _Counted(ManualClock):
        readings = 0

        def now(self) -> datetime:
            self.readings += 1
            return super().now()

    runtime = _Runtime()
    clock = runtime.clock = _Counted(NOW)
    calls: list[datetime] = []

    async def job(runtime: Any, now: datetime) -> None:
        calls.append(now)

    async def next_due(runtime: Any) -> datetime:
        return NOW + timedelta(seconds=0.001)  # the clock stands still short of it: every wake is early

    stop = asyncio.Event()
    task = asyncio.create_task(run_periodically("test", job, runtime, 3600, stop, next_due))  # type: ignore[arg-type]

    async def woken_early_several_times() -> bool:
        return clock.readings >= 8  # a run reads it twice, each early wake once

    await eventually(woken_early_several_times, what="early wakes")
    assert calls == [NOW]  # the clock never reached the instant: the job did not run again
    stop.set()
    await asyncio.wait_for(task, timeout=5)


async def test_a_failing_next_due_falls_back_to_the_interval_and_the_loop_goes_on() -> None:
    calls: list[datetime] = []

    async def job(runtime: Any, now: datetime) -> None:
        calls.append(now)

    async def next_due(runtime: Any) -> datetime:
        raise ConnectionError("database unavailable")

    stop = asyncio.Event()
    task = asyncio.create_task(run_periodically("test", job, _Runtime(), 0.01, stop, next_due))  # type: ignore[arg-type]

    async def ran_again() -> bool:
        return len(calls) >= 3

    await eventually(ran_again, what="runs every interval")
    stop.set()
    await asyncio.wait_for(task, timeout=5)

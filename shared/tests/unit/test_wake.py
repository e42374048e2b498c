"""Wake-ups for periodic jobs: a ring under a job's key runs it at the instant rung, before its
interval; the registry keeps one wake per key and the earliest instant asked for; a unit of work
rings what it asked for only once it has committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from forlob_shared.clock import ManualClock
from forlob_shared.periodic import run_periodically
from forlob_shared.wake import Wakes, earliest
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork
from forlob_testkit.wait import eventually

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
HOUR = 3600.0  # the jobs' interval: only a ring can bring a second run within a test


class _Raced(ManualClock):
    """A clock the test moves, saying it runs ten thousand times real time: the loop's sleep until
    an instant five minutes on lasts a few hundredths of a second, so it keeps looking whether the
    test has moved the clock there, and the test never waits for wall-clock time."""

    readings = 0

    def now(self) -> datetime:
        self.readings += 1
        return super().now()

    def speed(self) -> float:
        return 10_000.0


class _Runtime:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock


class _Loop:
    """A job under ``run_periodically`` with an hour's interval, sleeping on the wake ``job``."""

    def __init__(self, clock: ManualClock, wakes: Wakes) -> None:
        self.runs: list[datetime] = []
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(
            run_periodically("job", self.job, _Runtime(clock), HOUR, self.stopping, wake=wakes.wake("job"))  # type: ignore[arg-type]
        )

    async def job(self, runtime: Any, now: datetime) -> None:
        self.runs.append(now)

    async def ran(self, times: int) -> None:
        async def enough() -> bool:
            return len(self.runs) >= times

        await eventually(enough, what=f"run {times}")

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.wait_for(self.task, timeout=5)


def test_a_wake_keeps_the_earliest_instant_rung_until_it_is_taken() -> None:
    wakes = Wakes()
    assert wakes.wake("detect") is wakes.wake("detect")  # one per key
    wake = wakes.wake("detect")
    assert wake.take() is None
    assert not wake.rung.is_set()
    wakes.ring("detect", NOW + timedelta(minutes=5))
    wakes.ring("detect", NOW + timedelta(minutes=2))
    wakes.ring("detect", NOW + timedelta(minutes=9))
    wakes.ring("other", NOW)
    assert wake.rung.is_set()
    assert wake.due == NOW + timedelta(minutes=2)
    assert wake.take() == NOW + timedelta(minutes=2)
    assert wake.take() is None
    assert not wake.rung.is_set()
    assert wakes.wake("other").take() == NOW
    assert earliest(None, NOW, None, NOW - timedelta(seconds=1)) == NOW - timedelta(seconds=1)
    assert earliest(None, None) is None


async def test_a_ring_due_now_runs_the_job_at_once_not_after_its_interval() -> None:
    wakes = Wakes()
    loop = _Loop(ManualClock(NOW), wakes)
    await loop.ran(1)
    wakes.ring("other", NOW)  # another job's key: no run
    wakes.ring("job", NOW)
    await loop.ran(2)
    await loop.stop()
    assert loop.runs == [NOW, NOW]


async def test_a_ring_for_later_runs_the_job_when_the_clock_reaches_that_instant_not_before() -> None:
    clock, wakes = _Raced(NOW), Wakes()
    loop = _Loop(clock, wakes)
    await loop.ran(1)
    wakes.ring("job", NOW + timedelta(minutes=5))
    readings = clock.readings

    async def looked_several_times() -> bool:
        return clock.readings >= readings + 5

    await eventually(looked_several_times, what="the loop looking at the clock while it stands still")
    assert loop.runs == [NOW]  # woken, but nothing is due yet: the job is not run for nothing
    clock.advance(timedelta(minutes=5))
    await loop.ran(2)
    await loop.stop()
    assert loop.runs == [NOW, NOW + timedelta(minutes=5)]


async def test_the_stop_ends_a_loop_sleeping_on_its_wake() -> None:
    loop = _Loop(ManualClock(NOW), Wakes())
    await loop.ran(1)
    await loop.stop()  # within 5 s, not the hour
    assert loop.runs == [NOW]


async def test_a_unit_of_work_rings_what_it_asked_for_only_once_it_has_committed() -> None:
    store, clock, wakes = FakeStore(), ManualClock(NOW), Wakes()
    wake = wakes.wake("detect")
    async with FakeUnitOfWork(store, clock, wakes) as uow:
        uow.wake_after_commit("detect", NOW + timedelta(minutes=5))
        uow.wake_after_commit("detect", NOW + timedelta(minutes=3))
        assert uow.wakes_asked == {"detect": NOW + timedelta(minutes=3)}
        assert wake.due is None
        assert not wake.rung.is_set()
        await uow.commit()
        assert wake.take() == NOW + timedelta(minutes=3)
    async with FakeUnitOfWork(store, clock, wakes) as uow:
        uow.wake_after_commit("detect", NOW)
        await uow.rollback()
        await uow.commit()  # a rolled-back request is not carried into the next commit
    async with FakeUnitOfWork(store, clock, wakes) as uow:
        uow.wake_after_commit("detect", NOW)  # and left without a commit
    assert wake.due is None
    assert not wake.rung.is_set()

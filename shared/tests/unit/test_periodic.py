"""The periodic-job loop: a failing run is logged and the loop goes on; it ends when told."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from forlob_shared.clock import ManualClock
from forlob_shared.periodic import run_periodically
from forlob_testkit.wait import eventually


class _Runtime:
    clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))


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

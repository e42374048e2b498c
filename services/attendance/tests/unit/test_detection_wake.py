"""Detection as an arrival falls due: the service's detection job sleeps until the earliest due
instant still expected, not a whole sweep interval, and still stops at once when told."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

from forlob_attendance.main import spec
from forlob_testkit.attendance_rules import Centre
from forlob_testkit.wait import eventually


async def test_a_missed_arrival_is_detected_when_it_falls_due_not_an_interval_later(centre: Centre) -> None:
    course = await centre.start()
    first = centre.slots(course.referral_id)[0]
    (detect,) = [task for task in spec().background if task.name == "attendance-detect"]
    stopping = asyncio.Event()
    # An hour between sweeps: only waking at the due instant can detect the arrival within the test.
    settings = SimpleNamespace(periodic_enabled=True, sweep_interval=3600.0, sweep_batch_size=50_000)
    units: list[object] = []

    def uow() -> object:
        units.append(unit := centre.uow())
        return unit

    runtime = SimpleNamespace(uow=uow, clock=centre.clock, settings=settings, stopping=stopping)
    assert detect.enabled(settings)  # type: ignore[arg-type]
    centre.at(first.due_at - timedelta(seconds=0.2))
    running: asyncio.Task[None] = asyncio.create_task(detect.run(runtime))  # type: ignore[arg-type]

    async def asked_when() -> bool:  # its first run swept (nothing due yet) and asked for the next due
        return len(units) >= 2

    await eventually(asked_when, what="the first run")
    assert first.state == "expected"
    centre.at(first.due_at + timedelta(seconds=1))

    async def detected() -> list[object]:
        return centre.data("absence.detected.v1")

    [absence] = await eventually(detected, what="the arrival detected at its due instant")
    assert absence.absence_id == first.id  # type: ignore[attr-defined]
    stopping.set()  # the next due instant is tomorrow's: the sleep ends on the stop, not the interval
    await asyncio.wait_for(running, timeout=5)

"""Periodic jobs (sweeps, escalations, retries): background tasks started with the service and
stopped with it.

A job is a plain function of the runtime and ``now``; the loop only calls it. Tests call the
same application functions directly with a moved clock, never through this loop.

A job whose work falls due at known instants (an arrival's due time) may say when its next run is
due (``next_due``): the loop then wakes at that instant, still at least every ``interval``, so the
work is done as it falls due without polling often. The clock is injected and may be moved (tests,
benchmarks): the interval stays the bound on how long the loop sleeps whatever the instant says.

Work added between runs that falls due before the loop would wake (a meeting planned to start
now) rings the job's wake (``wake=KEY``, :mod:`forlob_shared.wake`) once its transaction commits:
the sleeping loop takes the instant and runs at the earliest of its interval, its ``next_due`` and
every instant rung.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from forlob_shared.background import pause, pause_unless_woken
from forlob_shared.clock import clock_speed
from forlob_shared.logging import get_logger
from forlob_shared.redaction import describe_error
from forlob_shared.runtime import Background, PartsT, Runtime, SettingsT, UowT
from forlob_shared.wake import Wake, earliest

log = get_logger("forlob.periodic")

Job = Callable[[Runtime[UowT, SettingsT, PartsT], datetime], Awaitable[object]]
# When the job's next run falls due, asked after each run; None: nothing known (wait the interval).
NextDue = Callable[[Runtime[UowT, SettingsT, PartsT]], Awaitable[datetime | None]]

# The shortest pause between runs. A due instant already past after a run (its rows held by another
# replica's sweep, or the timer firing a hair early) must not turn the loop into a busy one.
LEAST_PAUSE = 0.05


def seconds_until(
    due: datetime | None, now: datetime, interval: float, least: float = LEAST_PAUSE, speed: float = 1.0
) -> float:
    """How long to sleep before the next run: until ``due`` (on a clock running ``speed`` times
    real time), within ``least`` and ``interval``."""
    if due is None:
        return interval
    return min(interval, max(least, (due - now).total_seconds() / speed))


async def run_periodically(
    name: str,
    job: Job[UowT, SettingsT, PartsT],
    runtime: Runtime[UowT, SettingsT, PartsT],
    interval: float,
    stopping: asyncio.Event,
    next_due: NextDue[UowT, SettingsT, PartsT] | None = None,
    wake: Wake | None = None,
) -> None:
    """Call ``job`` every ``interval`` seconds (or sooner, when ``next_due`` or a ring of ``wake``
    names an earlier instant) until ``stopping``; a failing run is logged, not fatal."""
    due: datetime | None = None
    last_run = -math.inf
    while not stopping.is_set():
        if wake is not None:
            due = earliest(due, wake.take())
        now = runtime.clock.now()
        since = time.monotonic() - last_run
        if due is not None and now < due and since < interval:
            # Woken before the instant (a clock moved in steps, a timer a hair early, a ring for
            # later): nothing is due yet, so the job is not run for nothing; the interval still
            # bounds the wait.
            speed = clock_speed(runtime.clock)
            await _sleep(stopping, wake, seconds_until(due, now, interval - since, speed=speed))
            continue
        # This run does what is due by ``now``; an instant rung for later still stands after it.
        last_run, seconds = time.monotonic(), interval
        due = due if due is not None and due > now else None
        try:
            await job(runtime, now)
            if next_due is not None:
                due = earliest(due, await next_due(runtime))
            seconds = seconds_until(due, runtime.clock.now(), interval, speed=clock_speed(runtime.clock))
        except Exception as exc:  # noqa: BLE001  (a database outage must not end the loop)
            log.warning("periodic.failed", job=name, error=describe_error(exc))
        await _sleep(stopping, wake, seconds)


async def _sleep(stopping: asyncio.Event, wake: Wake | None, seconds: float) -> None:
    if wake is None:
        await pause(stopping, seconds)
    else:
        with wake.waiting():
            await pause_unless_woken(stopping, wake.rung, seconds)


def periodic(
    name: str,
    job: Job[UowT, SettingsT, PartsT],
    interval: Callable[[SettingsT], float | None],
    next_due: NextDue[UowT, SettingsT, PartsT] | None = None,
    wake: str | None = None,
) -> Background[UowT, SettingsT, PartsT]:
    """A background task running ``job`` every ``interval(settings)`` seconds, and at each instant
    ``next_due`` names or a unit of work rings under ``wake`` (its key in the runtime's
    :class:`~forlob_shared.wake.Wakes`) in between; an interval of None disables it."""

    async def run(runtime: Runtime[UowT, SettingsT, PartsT]) -> None:
        seconds = interval(runtime.settings)
        if seconds is not None:
            woken = runtime.wakes.wake(wake) if wake is not None else None
            await run_periodically(name, job, runtime, seconds, runtime.stopping, next_due, woken)

    return Background(name, run, enabled=lambda settings: interval(settings) is not None)

"""Periodic jobs (sweeps, escalations, retries): background tasks started with the service and
stopped with it.

A job is a plain function of the runtime and ``now``; the loop only calls it. Tests call the
same application functions directly with a moved clock, never through this loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from forlob_shared.background import pause
from forlob_shared.logging import get_logger
from forlob_shared.redaction import describe_error
from forlob_shared.runtime import Background, PartsT, Runtime, SettingsT, UowT

log = get_logger("forlob.periodic")

Job = Callable[[Runtime[UowT, SettingsT, PartsT], datetime], Awaitable[object]]


async def run_periodically(
    name: str,
    job: Job[UowT, SettingsT, PartsT],
    runtime: Runtime[UowT, SettingsT, PartsT],
    interval: float,
    stopping: asyncio.Event,
) -> None:
    """Call ``job`` every ``interval`` seconds until ``stopping``; a failing run is logged, not fatal."""
    while not stopping.is_set():
        try:
            await job(runtime, runtime.clock.now())
        except Exception as exc:  # noqa: BLE001  (a database outage must not end the loop)
            log.warning("periodic.failed", job=name, error=describe_error(exc))
        await pause(stopping, interval)


def periodic(
    name: str, job: Job[UowT, SettingsT, PartsT], interval: Callable[[SettingsT], float | None]
) -> Background[UowT, SettingsT, PartsT]:
    """A background task running ``job`` every ``interval(settings)`` seconds; None disables it."""

    async def run(runtime: Runtime[UowT, SettingsT, PartsT]) -> None:
        seconds = interval(runtime.settings)
        if seconds is not None:
            await run_periodically(name, job, runtime, seconds, runtime.stopping)

    return Background(name, run, enabled=lambda settings: interval(settings) is not None)

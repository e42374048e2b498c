"""Periodic jobs (sweeps, escalations, retries) started with the service and stopped with it.

A job is a plain function of the runtime and ``now``; the loop only calls it. Tests call the
same application functions directly with a moved clock, never through this loop. The router
returned here carries the loop in its lifespan, which FastAPI nests inside the service's own
(the runtime exists when the loop starts, and the loop ends before the runtime stops).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI

from forlob_shared.logging import get_logger
from forlob_shared.redaction import describe_error
from forlob_shared.service import Runtime

log = get_logger("forlob.periodic")

Job = Callable[[Runtime[Any], datetime], Awaitable[object]]


async def run_periodically(
    name: str, job: Job, runtime: Runtime[Any], interval: float, stopping: asyncio.Event
) -> None:
    """Call ``job`` every ``interval`` seconds until ``stopping``; a failing run is logged, not fatal."""
    while not stopping.is_set():
        try:
            await job(runtime, runtime.clock.now())
        except Exception as exc:  # noqa: BLE001  (a database outage must not end the loop)
            log.warning("periodic.failed", job=name, error=describe_error(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval)


def periodic_router(name: str, job: Job, interval: Callable[[Runtime[Any]], float | None]) -> APIRouter:
    """A router without routes whose lifespan runs ``job``; ``interval`` None (from settings) disables it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime: Runtime[Any] = app.state.runtime
        seconds = interval(runtime)
        if seconds is None:
            yield
            return
        stop = asyncio.Event()
        task = asyncio.create_task(run_periodically(name, job, runtime, seconds, stop), name=f"periodic-{name}")
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=30)

    return APIRouter(lifespan=lifespan)

"""Waiting inside a service's loops: the one stop-aware sleep every loop uses.

A loop that sleeps with ``asyncio.sleep`` holds up its service's shutdown for as long as it
sleeps; this returns as soon as the service is told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib


async def pause(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile; whether it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()


async def pause_unless_woken(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` or ``wake`` (work waiting: a NOTIFY) is set meanwhile."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()

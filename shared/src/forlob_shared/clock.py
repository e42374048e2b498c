"""The one source of time for every service.

Rules never call ``datetime.now()``: they take a :class:`Clock`, so tests move time instead of
waiting for it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


def clock_speed(clock: Clock) -> float:
    """Clock seconds per real second: how much shorter a loop's sleep until one of the clock's
    instants must be. 1 for the product's clocks; a test kit's clock raced ahead (a compressed
    benchmark morning, ``forlob_testkit.clock``) says more with a ``speed()`` of its own."""
    speed = getattr(clock, "speed", None)
    return max(1.0, float(speed())) if callable(speed) else 1.0


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time does not run backwards")
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware instants")
        instant = instant.astimezone(UTC)
        if instant < self._now:
            raise ValueError("time does not run backwards")
        self._now = instant
        return self._now

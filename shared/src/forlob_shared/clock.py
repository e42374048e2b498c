"""The one source of time for every service.

Rules never call ``datetime.now()``: they take a :class:`Clock`, so tests move time instead of
waiting for it.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


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


class OffsetFileClock:
    """The system clock moved by an offset that another process writes to a file.

    For end-to-end tests of real service processes, which cannot be handed a ManualClock: the
    test writes a number of seconds to the file and every process reading it jumps ahead by that
    much, at once: each reading checks the file's identity (a stat, a few microseconds) and
    re-reads it when it was replaced. Refused in production (see ServiceSettings).
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._offset = timedelta(0)
        self._seen: tuple[int, int] | None = None

    def now(self) -> datetime:
        try:
            stat = os.stat(self._path)
            identity = (stat.st_ino, stat.st_mtime_ns)
            if identity != self._seen:
                with open(self._path) as handle:
                    self._offset = timedelta(seconds=float(handle.read().strip() or 0))
                self._seen = identity
        except (OSError, ValueError):
            pass  # no file yet, or a torn read: keep the last good offset
        return datetime.now(UTC) + self._offset


def write_clock_offset(path: str, offset: timedelta) -> None:
    """Move every OffsetFileClock reading ``path`` (atomically: readers never see half a number)."""
    temporary = f"{path}.tmp"
    with open(temporary, "w") as handle:
        handle.write(str(offset.total_seconds()))
    os.replace(temporary, path)

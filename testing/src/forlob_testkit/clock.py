"""A clock other processes move: the test kit's service processes and `make up`'s demo run on it.

The product knows nothing of it: a service takes its clock as an argument (``create_app``,
``run_service_cli``), and ``forlob_testkit.serve`` starts a service with this one.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta


class OffsetFileClock:
    """The system clock moved by an offset that another process writes to a file.

    For end-to-end tests of real service processes, which cannot be handed a ManualClock: the
    test writes a number of seconds to the file and every process reading it jumps ahead by that
    much, at once: each reading checks the file's identity (a stat, a few microseconds) and
    re-reads it when it was replaced. Only the test kit builds one (forlob_testkit.serve).

    The file may also say how fast the writer is racing the clock (``speed``: a compressed
    morning moves it ahead in steps, ``speed`` clock seconds per real second): a service loop that
    sleeps until one of this clock's instants reads it (:func:`forlob_shared.clock.clock_speed`)
    and sleeps that many times less, as it would wait for the instant on a real morning.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._offset = timedelta(0)
        self._speed = 1.0
        self._seen: tuple[int, int] | None = None

    def _read(self) -> None:
        try:
            stat = os.stat(self._path)
            identity = (stat.st_ino, stat.st_mtime_ns)
            if identity != self._seen:
                with open(self._path) as handle:
                    offset, _, speed = handle.read().strip().partition(" ")
                self._offset = timedelta(seconds=float(offset or 0))
                self._speed = max(1.0, float(speed or 1))
                self._seen = identity
        except (OSError, ValueError):
            pass  # no file yet, or a torn read: keep the last good offset

    def now(self) -> datetime:
        self._read()
        return datetime.now(UTC) + self._offset

    def speed(self) -> float:
        """Clock seconds per real second while the writer races it (1: it runs with the wall)."""
        self._read()
        return self._speed


def write_clock_offset(path: str, offset: timedelta, speed: float = 1.0) -> None:
    """Move every OffsetFileClock reading ``path`` (atomically: readers never see half a number);
    ``speed``: how fast the writer will go on moving it (clock seconds per real second)."""
    temporary = f"{path}.tmp"
    with open(temporary, "w") as handle:
        # The speed only when it is not 1, so the file stays the one number the demo and a
        # person's `echo 3600 > var/clock-offset` write.
        handle.write(f"{offset.total_seconds()}" + (f" {speed}" if speed != 1.0 else ""))
    os.replace(temporary, path)


def read_clock_offset(path: str) -> timedelta:
    """The offset an OffsetFileClock reading ``path`` adds (0 without a readable file)."""
    try:
        with open(path) as handle:
            return timedelta(seconds=float(handle.read().split(" ", 1)[0].strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)

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

"""What a long operator command shows while it works, and how it ends when it fails.

- :func:`progress`: on a terminal, a progress bar (rich) on standard error; otherwise (a pipe, a
  job's log) one log line every ``interval`` seconds with how far it is, and one at the end.
- :func:`run_command`: runs a command's body; a failure becomes one line on standard error
  (``<prog>: <what went wrong>``, never a traceback, never the values an error quotes) and an
  exit code: 2 for bad input, 130 when interrupted, 1 for anything else. An operator's script
  reads the code, a person the line.

``forlob-reporting rebuild``, ``forlob dlq redrive`` and ``forlob-referral retention`` use both.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TextIO

from forlob_shared.logging import flush_logs, get_logger
from forlob_shared.redaction import describe_error

log = get_logger("forlob.progress")

LOG_INTERVAL = 5.0  # seconds between two progress lines when no terminal shows a bar


class Progress(Protocol):
    def set_total(self, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class CommandFailed(Exception):
    """A failure the command has put in words itself, with the exit code it ends with."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Logged:
    """No terminal: a log line every ``interval`` seconds (by the injected ``monotonic``)."""

    def __init__(self, task: str, total: int | None, interval: float, monotonic: Callable[[], float]) -> None:
        self.task, self.total, self.interval, self.monotonic = task, total, interval, monotonic
        self.done = 0
        self.started = self.last = monotonic()

    def set_total(self, total: int | None) -> None:
        self.total = total

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        now = self.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            log.info("progress", **self._fields(now))

    def finish(self, outcome: str) -> None:
        log.info("progress.finished", outcome=outcome, **self._fields(self.monotonic()))

    def _fields(self, now: float) -> dict[str, Any]:
        seconds = max(now - self.started, 1e-9)
        fields: dict[str, Any] = {
            "task": self.task,
            "done": self.done,
            "seconds": round(now - self.started, 1),
            "per_second": round(self.done / seconds, 1),
        }
        if self.total:
            fields["total"] = self.total
            fields["percent"] = round(100 * self.done / self.total, 1)
        return fields


class _Bar:
    """A terminal: rich's bar (a pulsing one while the total is unknown), count, rate, time."""

    def __init__(self, task: str, total: int | None, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=stream),
        )
        self._task = self._bar.add_task(task, total=total)
        self._bar.start()

    def set_total(self, total: int | None) -> None:
        self._bar.update(self._task, total=total)

    def advance(self, amount: int = 1) -> None:
        self._bar.advance(self._task, amount)

    def finish(self, outcome: str) -> None:
        self._bar.stop()


@contextlib.contextmanager
def progress(
    task: str,
    total: int | None = None,
    *,
    stream: TextIO | None = None,
    terminal: bool | None = None,
    interval: float = LOG_INTERVAL,
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[Progress]:
    """Show how ``task`` advances (``terminal``: whether ``stream``, standard error by default,
    is a terminal, asked when None)."""
    stream = stream or sys.stderr
    on_terminal = stream.isatty() if terminal is None else terminal
    shown: _Bar | _Logged = _Bar(task, total, stream) if on_terminal else _Logged(task, total, interval, monotonic)
    outcome = "failed"
    try:
        yield shown
        outcome = "done"
    finally:
        shown.finish(outcome)


def run_command(
    prog: str,
    body: Callable[[], int],
    *,
    explain: Callable[[BaseException], str | None] = lambda error: None,
    stream: TextIO | None = None,
) -> int:
    """``body()``'s exit code; a failure as one line on ``stream`` (standard error) and a code.
    ``explain`` may put a known failure in better words (None: :func:`describe_error`'s)."""
    try:
        return body()
    except KeyboardInterrupt:
        return _failed(prog, "interrupted", 130, stream)
    except CommandFailed as error:
        return _failed(prog, str(error), error.code, stream)
    except ValueError as error:  # bad input: an argument, an id
        return _failed(prog, explain(error) or describe_error(error), 2, stream)
    except Exception as error:  # noqa: BLE001  (one line and a code, whatever it was)
        return _failed(prog, explain(error) or describe_error(error), 1, stream)


def _failed(prog: str, message: str, code: int, stream: TextIO | None) -> int:
    flush_logs()  # the command's own lines first, then the one that says why it stopped
    print(f"{prog}: {' '.join(message.split())}", file=stream or sys.stderr)
    return code

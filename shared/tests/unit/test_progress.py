"""Long operator commands show progress (a bar on a terminal, a log line every few seconds
otherwise) and end a failure with one line and an exit code, never a traceback."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from forlob_shared.logging import configure_logging, flush_logs
from forlob_shared.progress import CommandFailed, progress, run_command

CPR = "2110625629"


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    flush_logs()
    structlog.configure(**config)
    root.handlers[:], root.level = handlers, level


class _Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    assert flush_logs()
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_without_a_terminal_a_line_every_few_seconds_and_one_at_the_end() -> None:
    logs = io.StringIO()
    configure_logging("test", "INFO", json=True, stream=logs)
    ticks = _Ticks()
    errors = io.StringIO()
    with progress("rebuild: events read", stream=errors, terminal=False, interval=5, monotonic=ticks) as shown:
        shown.set_total(1_000)
        for _ in range(300):
            shown.advance()  # no time passes: no line
        ticks.now += 5
        shown.advance(200)
        ticks.now += 2
        shown.advance(100)  # within the interval: no line
        ticks.now += 4
        shown.advance(400)
    assert errors.getvalue() == ""  # no bar drawn into a pipe
    lines = [line for line in _lines(logs) if line["event"].startswith("progress")]
    assert [(line["event"], line["done"]) for line in lines] == [
        ("progress", 500),
        ("progress", 1000),
        ("progress.finished", 1000),
    ]
    assert lines[0]["percent"] == 50.0
    assert lines[0]["per_second"] == 100.0
    assert lines[-1]["outcome"] == "done"
    assert lines[-1]["task"] == "rebuild: events read"


def test_a_failure_midway_is_the_last_progress_line() -> None:
    logs = io.StringIO()
    configure_logging("test", "INFO", json=True, stream=logs)

    def redrive() -> None:
        with progress("redrive", terminal=False) as shown:
            shown.advance(3)
            raise RuntimeError("broker gone")

    with pytest.raises(RuntimeError):
        redrive()
    [last] = [line for line in _lines(logs) if line["event"] == "progress.finished"]
    assert (last["outcome"], last["done"]) == ("failed", 3)


def test_on_a_terminal_a_bar() -> None:
    screen = io.StringIO()
    with progress("redrive reporting.read-model.dlq", stream=screen, terminal=True) as shown:
        shown.set_total(4)
        for _ in range(4):
            shown.advance()
    drawn = screen.getvalue()
    assert "redrive reporting.read-model.dlq" in drawn
    assert "4/4" in drawn
    assert "100%" in drawn


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (RuntimeError("cannot reach the history"), 1, "tool: RuntimeError: cannot reach the history"),
        (ConnectionRefusedError(111, "Connect call failed"), 1, "tool: ConnectionRefusedError"),
        (ValueError("not an organisation id: 'x y'"), 2, "tool: ValueError: not an organisation id"),
        (CommandFailed("the rebuild lock is held by another rebuild", code=3), 3, "tool: the rebuild lock is held"),
        (KeyboardInterrupt(), 130, "tool: interrupted"),
    ],
)
def test_a_failure_is_one_line_and_an_exit_code(error: BaseException, code: int, line: str) -> None:
    stream = io.StringIO()

    def body() -> int:
        raise error

    assert run_command("tool", body, stream=stream) == code
    [said] = stream.getvalue().splitlines()
    assert said.startswith(line), said
    assert "Traceback" not in said


def test_a_failure_never_repeats_the_values_an_error_quotes() -> None:
    import asyncpg

    stream = io.StringIO()

    def body() -> int:
        raise asyncpg.exceptions.InvalidTextRepresentationError(f'invalid input syntax for type uuid: "{CPR}"')

    assert run_command("tool", body, stream=stream) == 1
    assert CPR not in stream.getvalue()
    assert len(stream.getvalue().splitlines()) == 1


def test_explain_puts_a_known_failure_in_better_words() -> None:
    stream = io.StringIO()

    def body() -> int:
        raise OSError("connect failed")

    def explain(error: BaseException) -> str | None:
        return "cannot reach the broker at 127.0.0.1:5672" if isinstance(error, OSError) else None

    assert run_command("forlob", body, explain=explain, stream=stream) == 1
    assert stream.getvalue() == "forlob: cannot reach the broker at 127.0.0.1:5672\n"


UNREACHABLE = {
    "FORLOB_BROKER_URL": "amqp://guest:guest@127.0.0.1:9/",
    "FORLOB_REPORTING_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere",
    "FORLOB_REFERRAL_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere",
}


@pytest.mark.parametrize("command", ["rebuild", "redrive", "retention"])
def test_the_long_commands_end_an_outage_with_one_line_and_code_1(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in UNREACHABLE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no bar, one line at the end
    if command == "rebuild":
        from forlob_reporting.cli import _rebuild_command

        code = _rebuild_command([])
        prog = "forlob-reporting rebuild"
    elif command == "redrive":
        from forlob_shared.cli import main

        code = main(["dlq", "redrive", "reporting.read-model.dlq"])
        prog = "forlob"
    else:
        from forlob_referral.cli import _retention_command

        code = _retention_command([])
        prog = "forlob-referral retention"
    said = sys.stderr.getvalue().splitlines()  # type: ignore[attr-defined]
    failure = [line for line in said if line.startswith(f"{prog}: ")]
    assert code == 1, said
    assert len(failure) == 1, said
    assert "Traceback" not in "\n".join(said)
    assert "guest:guest" not in "\n".join(said)  # the URL's password stays out of it

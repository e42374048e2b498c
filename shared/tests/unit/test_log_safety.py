"""What a log line may carry, and that writing it never holds up the caller.

A traceback shows the frames (file, line, source) but never their local variables; a database
error shows its type, SQLSTATE and the names of the schema objects, never the values its message
quotes; tokens, webhook secrets and identity numbers are scrubbed from any string; and a log call
returns while the line is still being written (the writer is a thread of its own).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
import structlog

from forlob_shared.logging import configure_logging, flush_logs, get_logger
from forlob_shared.redaction import describe_error, format_exception, scrub

LOCAL_VALUE = "held-in-a-local-variable-only"
CPR = "2110625629"


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    """Leave logging as the other tests of the run found it (structlog's defaults, no writer)."""
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    flush_logs()
    structlog.configure(**config)
    root.handlers[:], root.level = handlers, level


@pytest.fixture
def captured() -> Any:
    """``captured(json=...)`` → the stream the service's log lines go to from then on."""

    def configure(*, json: bool) -> io.StringIO:
        stream = io.StringIO()
        configure_logging("test", "INFO", json=json, stream=stream)
        return stream

    return configure


def _fail_with_a_local() -> None:
    headers = {"authorization": LOCAL_VALUE}  # as a request's headers sit in a handler's frame
    raise RuntimeError(f"lookup failed for {len(headers)} header(s)")


@pytest.mark.parametrize("json_format", [True, False], ids=["json", "console"])
def test_a_rendered_traceback_shows_frames_but_no_local_variables(captured: Any, json_format: bool) -> None:
    stream = captured(json=json_format)
    try:
        _fail_with_a_local()
    except RuntimeError:
        get_logger("test").exception("test.failed")
    assert flush_logs()
    text = stream.getvalue()
    assert "_fail_with_a_local" in text
    assert "lookup failed for 1 header(s)" in text
    assert "raise RuntimeError" in text  # the source line of the frame
    assert LOCAL_VALUE not in text
    if json_format:
        (line,) = [json.loads(line) for line in text.splitlines() if "test.failed" in line]
        assert line["level"] == "error"
        assert "Traceback" in line["exception"]


def _violation() -> asyncpg.exceptions.CheckViolationError:
    error = asyncpg.exceptions.CheckViolationError('new row for relation "participants" violates check constraint "c"')
    error.__dict__.update(
        sqlstate="23514", table_name="participants", constraint_name="c", detail=f"Failing row contains (Jens, {CPR})."
    )
    return error


def test_a_database_error_shows_its_code_and_schema_names_but_not_the_values() -> None:
    integrity = _violation()
    data = asyncpg.exceptions.InvalidTextRepresentationError('invalid input syntax for type uuid: "Jens Hansen"')
    data.__dict__.update(sqlstate="22P02")
    client_side = asyncpg.exceptions.DataError(f"invalid input for query argument $2: '{CPR}' (expected int)")
    for error, shown in (
        (integrity, ["sqlstate 23514", "table participants", "constraint c", "violates check constraint"]),
        (data, ["sqlstate 22P02", "withheld"]),
        (client_side, ["withheld"]),
    ):
        text = describe_error(error)
        assert all(part in text for part in shown), text
        assert CPR not in text
        assert "Jens" not in text
        assert "Failing row" not in text


def test_sqlalchemy_errors_and_their_causes_are_withheld_through_the_chain() -> None:
    import sqlalchemy.exc

    statement, parameters = "INSERT INTO participants (name, cpr) VALUES ($1, $2)", {"name": "Jens", "cpr": CPR}
    try:
        try:
            raise _violation()
        except asyncpg.exceptions.CheckViolationError as cause:
            raise sqlalchemy.exc.IntegrityError(statement, parameters, cause) from cause
    except sqlalchemy.exc.IntegrityError as error:
        text = format_exception(error)
    assert "The above exception was the direct cause" in text
    assert "sqlalchemy.exc.IntegrityError" in text
    assert "asyncpg.exceptions.CheckViolationError" in text
    assert CPR not in text
    assert "Jens" not in text


def test_a_validation_error_names_the_fields_but_not_the_input() -> None:
    from pydantic import BaseModel, ValidationError

    class Person(BaseModel):
        age: int

    with pytest.raises(ValidationError) as refused:
        Person.model_validate({"age": f"cpr {CPR}"})
    text = describe_error(refused.value)
    assert "age" in text
    assert CPR not in text


@pytest.mark.parametrize(
    "secret",
    [
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdy03In0.c2lnbmF0dXJlLWJ5dGVz",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        CPR,
        "211062-5629",
        "19811218-9876",
    ],
)
def test_secrets_tokens_and_identity_numbers_are_scrubbed_from_any_line(captured: Any, secret: str) -> None:
    stream = captured(json=True)
    get_logger("test").warning("test.leak", detail=f"got {secret} here", nested={"items": [f"Bearer {secret}"]})
    assert flush_logs()
    assert "test.leak" in stream.getvalue()
    assert secret not in stream.getvalue()


def test_ids_and_times_are_not_mistaken_for_identity_numbers() -> None:
    kept = "referral 3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b at 2026-11-23T09:00:00Z, 12 rows, port 5432"
    assert scrub(kept) == kept


class _StalledStream(io.StringIO):
    """Standard output that nobody reads: a write waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def write(self, text: str) -> int:
        self.entered.set()
        self.release.wait()
        return super().write(text)


async def test_a_stalled_log_stream_never_holds_up_the_event_loop() -> None:
    stream = _StalledStream()
    configure_logging("test", "INFO", json=False, stream=stream)
    try:
        log = get_logger("test")

        async def fail_and_log() -> None:
            try:
                _fail_with_a_local()
            except RuntimeError:
                log.exception("test.failed")
            log.info("test.after")

        # Logging an error and another line completes although the writer is stuck in write().
        await asyncio.wait_for(fail_and_log(), timeout=30)
        assert await asyncio.to_thread(stream.entered.wait, 30)
        assert not stream.getvalue()
    finally:
        stream.release.set()
    assert flush_logs()
    text = stream.getvalue()
    assert text.index("test.failed") < text.index("test.after")


def test_a_field_is_taken_as_it_was_when_logged_and_an_error_object_is_described(captured: Any) -> None:
    stream = captured(json=True)
    log = get_logger("test")
    facts = {"rows": [1, 2]}
    log.info("test.facts", facts=facts, error=_violation())
    facts["rows"].append(3)  # the caller goes on with its dict while the writer renders the line
    facts["later"] = "x"
    assert flush_logs()
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["facts"] == {"rows": [1, 2]}
    assert line["error"] == describe_error(_violation())
    assert "Jens" not in stream.getvalue()


def test_a_line_logged_after_the_writer_closed_is_written_not_lost(captured: Any) -> None:
    import forlob_shared.logging as logs

    stream = captured(json=True)
    assert logs._writer is not None
    logs._writer.close()  # as at interpreter exit: a line logged after it is written at once
    get_logger("test").info("test.after_close")
    assert "test.after_close" in stream.getvalue()


def test_a_forked_child_has_a_writer_of_its_own(tmp_path: Any) -> None:
    import os

    path = tmp_path / "child.log"
    with path.open("w") as file:
        configure_logging("test", "INFO", json=True, stream=file)
        pid = os.fork()
        if pid == 0:  # the child: log, flush, leave without running the parent's atexit
            get_logger("test").info("test.in_child")
            os._exit(0 if flush_logs(5) else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "test.in_child" in path.read_text()


def test_no_product_module_puts_repr_of_an_error_where_it_is_logged_or_stored() -> None:
    """``repr(exc)`` of a database error carries the driver's DETAIL (a row's values); errors go
    into log fields, dead-letter headers and delivery attempts through ``describe_error``."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    pattern = re.compile(r"\brepr\((exc|error|err|failure)\b")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in [*root.glob("shared/src/**/*.py"), *root.glob("services/*/src/**/*.py")]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []

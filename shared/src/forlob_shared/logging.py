"""Structured logs (structlog, JSON or console) that carry the event id and the W3C trace id.

Log fields are ids and codes only: never names, identity numbers or notes. What reaches a line
anyway is kept out here (see ``forlob_shared.redaction``): tracebacks show frames without local
variables and database errors without the values they quote, and every string is scrubbed of
the shapes of tokens, secrets and identity numbers.

A log call never waits for the line to be rendered or written: the caller's thread only builds
the event (with the exception it names) and hands it to a writer thread, which renders and
writes it. A slow or stalled standard output therefore cannot stall a service's event loop; when
the writer falls ``MAX_PENDING`` lines behind, further lines are dropped (and counted in a line
of their own) rather than block.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import secrets
import sys
import threading
from collections.abc import MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import structlog
from opentelemetry import trace as otel_trace

from forlob_shared.redaction import exc_info_of, format_exception, scrub_value

_traceparent: ContextVar[str | None] = ContextVar("forlob_traceparent", default=None)
# Set by forlob_shared.tracing when traces are on: the current span is then the trace context.
_spans = False

MAX_PENDING = 10_000
# Libraries whose INFO lines repeat what a request sent (httpx logs every URL it calls, and a
# partner's webhook URL may carry its own key): their warnings and errors still show.
QUIET_LOGGERS = ("httpx", "httpcore")


class LogWriter:
    """A thread that renders and writes log lines, in the order they were logged."""

    def __init__(self, render: Any, stream: TextIO | None = None, max_pending: int = MAX_PENDING) -> None:
        self._render = render
        self._stream = stream
        self._queue: queue.Queue[MutableMapping[str, Any] | threading.Event | None] = queue.Queue(max_pending)
        self._dropped = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="forlob-log-writer", daemon=True)
        self._thread.start()

    def put(self, event: MutableMapping[str, Any]) -> None:
        if not self._thread.is_alive():  # closed at exit (or lost in a fork): written here, not lost
            with self._lock:
                self._write(event)
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            with self._lock:
                self._dropped += 1

    def renewed(self) -> LogWriter:
        """A new writer with this one's rendering and stream (its queue and lock are new too)."""
        return LogWriter(self._render, self._stream, self._queue.maxsize)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every line logged so far is written (False if that took over ``timeout``)."""
        if not self._thread.is_alive():
            return True
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        self.flush(timeout)
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            with self._lock:
                dropped, self._dropped = self._dropped, 0
            if dropped:
                self._write({"event": "log.lines_dropped", "count": dropped, "level": "warning"})
            self._write(item)

    def _write(self, event: MutableMapping[str, Any]) -> None:
        try:
            line = self._render(event)
            stream = self._stream or sys.stdout  # resolved per line, so a test's capture sees it
            stream.write(line + "\n")
            stream.flush()
        except Exception:  # noqa: BLE001  (a line that cannot be rendered or written is lost, never the writer)
            pass


_writer: LogWriter | None = None


def flush_logs(timeout: float = 5.0) -> bool:
    """Wait until every line logged so far is written."""
    return _writer.flush(timeout) if _writer is not None else True


@atexit.register
def _close_writer() -> None:
    if _writer is not None:
        _writer.close()


def _writer_in_child() -> None:
    """A forked child has no writer thread (only the thread that forked survives): give it its
    own, so its lines are neither lost nor left on a queue nobody reads."""
    global _writer
    if _writer is not None:
        _writer = _writer.renewed()


os.register_at_fork(after_in_child=_writer_in_child)


class _QueuedLogger:
    """structlog's logger at the end of the caller's chain: it only queues the event."""

    def _queue(self, **event: Any) -> None:
        if _writer is not None:
            _writer.put(event)

    msg = debug = info = warning = warn = error = critical = fatal = exception = log = _queue


def _queued_logger_factory(*_args: Any) -> _QueuedLogger:
    return _QueuedLogger()


def _resolve_exc_info(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Take the exception out of the caller's thread (``exc_info=True`` means the one being
    handled there, which the writer thread cannot see)."""
    if "exc_info" in event:
        info = exc_info_of(event.pop("exc_info"))
        if info is not None:
            event["_exc"] = info[1]
    return event


def _render_exception(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    error = event.pop("_exc", None)
    if isinstance(error, BaseException):
        event["exception"] = format_exception(error)
    return event


def _snapshot(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """In the caller's thread: every field copied and scrubbed now (a dict the caller changes
    later, or an object, is never read by the writer), the exception kept for the writer."""
    return {key: value if key == "_exc" else scrub_value(value) for key, value in event.items()}


class _Handler(logging.Handler):
    """The standard library's records (uvicorn, faststream, alembic) into the same writer."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def emit(self, record: logging.LogRecord) -> None:
        try:
            event: dict[str, Any] = {
                "event": record.getMessage(),
                "service": self.service,
                "level": record.levelname.lower(),
                "logger": record.name,
                "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            }
            if record.exc_info and record.exc_info[1] is not None:
                event["_exc"] = record.exc_info[1]
            if _writer is not None:
                _writer.put(_snapshot(None, "", event))
        except Exception:  # noqa: BLE001
            self.handleError(record)


class _AlreadyLogged(logging.Filter):
    """Starlette re-raises an error after its handler answered 500 (so servers can log it);
    the problem handler has logged it already, so uvicorn's second copy is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (error is not None and getattr(error, "__forlob_logged__", False))


def mark_logged(error: BaseException) -> None:
    with contextlib.suppress(AttributeError):  # an exception type without a __dict__
        error.__forlob_logged__ = True  # type: ignore[attr-defined]


def configure_logging(service: str, level: str = "INFO", json: bool = True, stream: TextIO | None = None) -> None:
    """Log as ``service`` at ``level`` to ``stream`` (default: standard output, as it is when a
    line is written), one JSON object per line or, with ``json=False``, for a person to read."""
    global _writer

    def add_service(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event.setdefault("service", service)
        return event

    renderer: Any = (
        structlog.processors.JSONRenderer(default=repr)
        if json
        # Never rich's tracebacks (they show local variables and take seconds): the exception
        # arrives rendered as text, and plain_traceback is what any left would get.
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    in_writer = [_render_exception]

    def render(event: MutableMapping[str, Any]) -> str:
        for processor in in_writer:
            event = processor(None, "", event)
        return str(renderer(None, "", event))

    old, _writer = _writer, LogWriter(render, stream)
    if old is not None:
        old.close()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_service,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            _resolve_exc_info,
            _snapshot,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_queued_logger_factory,
        cache_logger_on_first_use=True,
    )
    handler = _Handler(service)
    handler.addFilter(_AlreadyLogged())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def trace_id(traceparent: str | None) -> str | None:
    if not traceparent:
        return None
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def use_span_context(on: bool) -> None:
    """From now on (traces on), the current OpenTelemetry span is the current trace context."""
    global _spans
    _spans = on


def _span_traceparent() -> str | None:
    context = otel_trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def current_traceparent() -> str | None:
    """The trace context to hand on (in an event the transaction writes): the current span's
    when traces are on and one is current, else the one :func:`bind_trace` made current."""
    if _spans:
        return _span_traceparent() or _traceparent.get()
    return _traceparent.get()


def bind_trace(traceparent: str | None, **fields: Any) -> Any:
    """Make ``traceparent`` current for this task and bind it (and ``fields``) to every log line.

    Returns a token for :func:`unbind_trace`. An invalid or missing traceparent starts a new trace;
    with traces on, the current span (a request's server span, a consumer's process span) is it.
    """
    if _spans:
        traceparent = _span_traceparent() or traceparent
    if traceparent is None or trace_id(traceparent) is None:
        traceparent = new_traceparent()
    token = _traceparent.set(traceparent)
    structlog.contextvars.bind_contextvars(trace_id=trace_id(traceparent), **fields)
    return token, tuple(fields)


def unbind_trace(handle: Any) -> None:
    token, names = handle
    _traceparent.reset(token)
    structlog.contextvars.unbind_contextvars("trace_id", *names)

"""Structured JSON logs (structlog) that carry the event id and the W3C trace id.

Log fields are ids and codes only: never names, identity numbers or notes.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

_traceparent: ContextVar[str | None] = ContextVar("forlob_traceparent", default=None)


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    def add_service(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event.setdefault("service", service)
        return event

    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_service,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    # Route the standard library's records (uvicorn, faststream, alembic) through the same format.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                add_service,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def trace_id(traceparent: str | None) -> str | None:
    if not traceparent:
        return None
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def current_traceparent() -> str | None:
    return _traceparent.get()


def bind_trace(traceparent: str | None, **fields: Any) -> Any:
    """Make ``traceparent`` current for this task and bind it (and ``fields``) to every log line.

    Returns a token for :func:`unbind_trace`. An invalid or missing traceparent starts a new trace.
    """
    if traceparent is None or trace_id(traceparent) is None:
        traceparent = new_traceparent()
    token = _traceparent.set(traceparent)
    structlog.contextvars.bind_contextvars(trace_id=trace_id(traceparent), **fields)
    return token, tuple(fields)


def unbind_trace(handle: Any) -> None:
    token, names = handle
    _traceparent.reset(token)
    structlog.contextvars.unbind_contextvars("trace_id", *names)

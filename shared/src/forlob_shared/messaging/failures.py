"""How a consumer tells a passing failure from a lasting one, and how long it waits after one."""

from __future__ import annotations

import asyncpg
import sqlalchemy.exc
from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import AMQPConnectionError


def is_transient(exc: BaseException) -> bool:
    """Failures that go away by themselves: retry, never dead-letter."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = getattr(exc.orig, "__cause__", None) or exc.orig
        return is_transient(orig) if orig is not None and orig is not exc else False
    if isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
        return True
    if isinstance(exc, sqlalchemy.exc.TimeoutError):  # pool exhausted
        return True
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.CannotConnectNowError
        | asyncpg.TooManyConnectionsError
        | asyncpg.SerializationError
        | asyncpg.DeadlockDetectedError
        | asyncpg.AdminShutdownError
        | asyncpg.CrashShutdownError,
    ):
        return True
    return isinstance(exc, ConnectionError | TimeoutError | OSError | AMQPConnectionError)


def delivery_count(message: AbstractIncomingMessage) -> int:
    """How often the broker delivered ``message`` before (quorum queues' ``x-delivery-count``)."""
    value = (message.headers or {}).get("x-delivery-count", 0)
    try:
        return int(value)  # type: ignore[arg-type]  # a header of any type; a wrong one reads as 0
    except (TypeError, ValueError):
        return 0


def backoff(attempt: int, cap: float) -> float:
    return float(min(cap, 0.05 * 2 ** min(attempt, 12)))

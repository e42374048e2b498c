"""What an error may say in a log: its type, codes and the names of schema objects, never the
values it was given.

A database error's text quotes what was sent: SQLAlchemy's message carries the statement's
parameters (``hide_parameters`` takes those out), asyncpg's client-side ``DataError`` quotes the
argument it could not encode, and PostgreSQL's message and DETAIL quote values ("invalid input
syntax for type uuid: ...", "Failing row contains (...)"). A validation error repeats its input.
So tracebacks are rendered here, frame lines only (never local variables), with the message of
such errors replaced by what is safe to know; and every string that reaches a log line is
scrubbed of the shapes of secrets, tokens and identity numbers as a last line of defence.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import Any

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# PostgreSQL error classes whose primary message names schema objects only (not values):
# integrity (23: "duplicate key value violates unique constraint ..."), transaction rollback
# (40), syntax and access (42: "column ... does not exist"), connection (08), resources (53),
# object state (55), operator intervention (57). Class 22 (data) quotes the value it refused.
_SAFE_SQLSTATE_CLASSES = frozenset({"08", "23", "40", "42", "53", "55", "57"})
_SCHEMA_FIELDS = ("schema_name", "table_name", "column_name", "constraint_name", "data_type_name")

WITHHELD = "message withheld: it may quote the values sent"


def _module(exc: BaseException) -> str:
    return type(exc).__module__ or ""


def _is_validation_error(exc: BaseException) -> bool:
    return _module(exc).startswith("pydantic") and type(exc).__name__ == "ValidationError"


def is_data_bearing(exc: BaseException) -> bool:
    """Whether ``str(exc)`` may quote the data it was given (a database or validation error)."""
    module = _module(exc)
    if module.startswith("asyncpg"):
        return True
    if module.startswith("sqlalchemy"):
        from sqlalchemy import exc as sa_exc

        # A StatementError (every DBAPIError) carries the statement, its parameters and the
        # driver's message; the dialect's adapted DBAPI errors repeat the driver's message.
        return isinstance(exc, sa_exc.StatementError) or ".dialects." in module or ".connectors." in module
    return _is_validation_error(exc) or isinstance(exc, UnicodeError)


def safe_message(exc: BaseException) -> str:
    """The text an error may show in a log."""
    if not is_data_bearing(exc):
        return scrub(str(exc))
    parts: list[str] = []
    sqlstate = getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        parts.append(f"sqlstate {sqlstate}")
    for name in _SCHEMA_FIELDS:
        value = getattr(exc, name, None)
        if isinstance(value, str) and value:
            parts.append(f"{name.removesuffix('_name')} {value}")
    # asyncpg keeps the primary message apart (``message``, the first argument); str() adds DETAIL.
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else None)
    if (
        _module(exc).startswith("asyncpg")
        and isinstance(sqlstate, str)
        and sqlstate[:2] in _SAFE_SQLSTATE_CLASSES
        and isinstance(message, str)
    ):
        parts.append(scrub(message))  # the primary message only: DETAIL quotes the row
    elif _is_validation_error(exc):
        parts.append(_validation_summary(exc))
    else:
        parts.append(WITHHELD)
    return "; ".join(parts)


def _validation_summary(exc: Any) -> str:
    try:
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        places = ", ".join(".".join(str(p) for p in e.get("loc", ())) + f" ({e.get('type')})" for e in errors[:10])
        return f"{exc.error_count()} validation error(s) for {exc.title}: {places}"
    except Exception:  # noqa: BLE001  (a summary must never fail the log line)
        return WITHHELD


def describe_error(exc: BaseException, limit: int = 300) -> str:
    """``Type: safe message`` for a log field, in place of the exception's repr."""
    return f"{type(exc).__name__}: {safe_message(exc)}"[:limit]


_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


def _chain(exc: BaseException) -> list[tuple[BaseException, str | None]]:
    """The exception and those it came from, oldest first, each with the sentence that links it
    to the one before it (as the interpreter prints them)."""
    found: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        older: BaseException | None = None
        link: str | None = None
        if current.__cause__ is not None:
            older, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            older, link = current.__context__, _CONTEXT
        found.append((current, link))
        current = older
    return found[::-1]


def format_exception(exc: BaseException) -> str:
    """A traceback as Python prints it, but with the file, line and source of each frame only
    (never local variables) and each error's message as :func:`safe_message` gives it."""
    out: list[str] = []
    for error, link in _chain(exc):
        if out and link:
            out.append(f"\n{link}\n\n")
        if error.__traceback__ is not None:
            out.append("Traceback (most recent call last):\n")
            out.extend(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        name = type(error).__qualname__
        module = _module(error)
        if module not in ("builtins", "__main__", ""):
            name = f"{module}.{name}"
        message = safe_message(error)
        out.append(f"{name}: {message}\n" if message else f"{name}\n")
        if isinstance(error, BaseExceptionGroup):
            out.append("  (a group of: " + ", ".join(type(e).__name__ for e in error.exceptions[:20]) + ")\n")
    return "".join(out).rstrip("\n")


def exc_info_of(value: Any) -> ExcInfo | None:
    """The (type, error, traceback) a log call's ``exc_info`` names, resolved in the caller's
    thread (``True`` means the exception being handled there)."""
    import sys

    if value is None or value is False:
        return None
    if isinstance(value, BaseException):
        return type(value), value, value.__traceback__
    if value is True:
        info = sys.exc_info()
        return None if info[1] is None else (info[0], info[1], info[2])
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value
    return None


# The shapes of what must never be written: a JWT (our bearer tokens), a bearer credential, a
# Standard Webhooks secret, the password in a URL, and identity numbers (a Danish CPR number
# DDMMYY-NNNN, a Swedish personnummer [YY]YYMMDD-NNNN, with or without the separator), and
# phone numbers in international form (+45 12 34 56 78, 004670-123 45 67, a gateway's MSISDN
# 4512345678 or 46701234567: the Danish and Swedish country codes followed by a mobile number).
_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "[token]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [credential]"),
    (re.compile(r"whsec_[A-Za-z0-9+/=_-]+"), "whsec_[secret]"),
    (re.compile(r"(?i)(secret|password|token)([\"']?\s*[:=]\s*[\"']?)[^\s\"',}&]{6,}"), r"\1\2[secret]"),
    (re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@"), r"\1:[secret]@"),
    (re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}(?:[ .-]?\d){6,13}(?![\w-])"), "[phone-number]"),
    (re.compile(r"(?<![\w.+-])(?:45\d{8}|46\d{9})(?![\w-])"), "[phone-number]"),
    (re.compile(r"(?<![\w.-])(?:19|20)?\d{6}[-+]?\d{4}(?![\w-])"), "[identity-number]"),
)


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


def scrub_value(value: Any) -> Any:
    """``value`` with every string in it scrubbed (dicts, lists and tuples walked)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(scrub_value(v) for v in value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, BaseException):  # its repr would carry a database error's DETAIL
        return describe_error(value)
    return scrub(repr(value))  # rendered now, as the line would render it, and scrubbed

"""Input no service can store or compute with, refused with 422 before it gets that far.

- Text: PostgreSQL keeps no NUL character (U+0000) in text, and an unpaired UTF-16 surrogate
  (``"\\ud800"`` in JSON) cannot be encoded as UTF-8. Either made a 500 deep in a use case (and
  the database error quoted the whole row into the log). :class:`TextGuard` refuses both in the
  path, the query and a request body, for every route at once.
- Dates: a day near year 1 or 9999 overflows the date arithmetic of periods, courses and
  schedules. :data:`Day` and :data:`Moment` bound them to years no course or report reaches.
- Counts: a number past 64 bits cannot be sent to the database. :data:`Offset` bounds paging.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime
from starlette.types import ASGIApp, Receive, Scope, Send

from forlob_shared.http.body import read_body, replaying
from forlob_shared.http.problems import problem

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
MAX_OFFSET = 1_000_000


def _within_years(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"a date must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


def _moment_within_years(value: datetime) -> datetime:
    # Its own calendar day: converting 0001-01-01T00:30+01:00 to UTC would itself overflow, and
    # the bounds lie centuries from where an offset could matter.
    _within_years(value.date())
    return value


Day = Annotated[date, AfterValidator(_within_years)]
"""A calendar day between 1900-01-01 and 2199-12-31 (bodies and query parameters alike)."""
Moment = Annotated[datetime, AfterValidator(_moment_within_years)]
"""A moment on a day between 1900-01-01 and 2199-12-31."""
AwareMoment = Annotated[AwareDatetime, AfterValidator(_moment_within_years)]
"""A moment with its offset, on a day between 1900-01-01 and 2199-12-31."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
"""Paging: how many rows to skip, at most a million."""


_NUL = "the NUL character (U+0000)"
_SURROGATE = "an unpaired surrogate (U+D800-U+DFFF)"
# A \uXXXX escape in JSON text whose backslash is not itself escaped.
_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


def _body_problem(body: bytes) -> str | None:
    if b"\x00" in body:
        return _NUL
    if b"\\u" not in body:
        return None
    high_at = -1  # where the escape after an unpaired high surrogate would have to start
    for match in _ESCAPE.finditer(body):
        code = int(match.group(2), 16)
        start = match.start() + len(match.group(1))
        if high_at >= 0:
            if start != high_at or not 0xDC00 <= code <= 0xDFFF:
                return _SURROGATE
            high_at = -1
            continue
        if code == 0:
            return _NUL
        if 0xD800 <= code <= 0xDBFF:
            high_at = match.end()
        elif 0xDC00 <= code <= 0xDFFF:
            return _SURROGATE
    return _SURROGATE if high_at >= 0 else None


def _bad_text(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _where(node: Any, path: list[str]) -> list[str] | None:
    """The path to the first key or string in a parsed JSON body that holds what is refused."""
    if isinstance(node, str):
        return path if _bad_text(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            if _bad_text(key):
                return path
            found = _where(value, [*path, str(key)])
            if found is not None:
                return found
    if isinstance(node, list):
        for index, value in enumerate(node):
            found = _where(value, [*path, str(index)])
            if found is not None:
                return found
    return None


def _location(body: bytes) -> list[str]:
    try:
        parsed = json.loads(body)
    except ValueError:  # not JSON (or a raw NUL byte in it): the body as a whole
        return ["body"]
    return _where(parsed, ["body"]) or ["body"]


class TextGuard:
    """Pure ASGI middleware: a path, query or body holding a NUL character or an unpaired
    surrogate is answered 422 problem+json, naming where it was; nothing else is touched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await self._refuse(scope, receive, send, _NUL, ["path"])
            return
        query = scope.get("query_string", b"")
        if query and b"\x00" in unquote_to_bytes(query):
            await self._refuse(scope, receive, send, _NUL, ["query"])
            return
        if scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)  # its size is bounded by RequestLimits, which runs first
        found = _body_problem(body)
        if found is not None:
            await self._refuse(scope, receive, send, found, _location(body))
            return

        await self.app(scope, replaying(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, what: str, location: list[str]) -> None:
        response = problem(
            422,
            "Invalid input",
            f"Text may not contain {what}",
            code="invalid-input",
            instance=scope.get("path", "").replace("\x00", "\ufffd"),
            extra={"errors": [{"location": location, "message": f"contains {what}", "type": "forbidden_character"}]},
        )
        await response(scope, receive, send)

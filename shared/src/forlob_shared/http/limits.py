"""Request limits: an oversized body is refused with 413 and JSON nested deeper than a person's
data ever is gets 422, both before the application parses anything. The depth guard looks at
the body, not at the Content-Type: any body that could parse as JSON is checked."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from forlob_shared.http.body import BodyTooLarge, read_body, replaying
from forlob_shared.http.problems import PROBLEM_JSON, TYPE_BASE

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32


class _Refused(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


_JSON_SPACE = b" \t\n\r"


def _as_utf8(body: bytes) -> bytes:
    """The body as UTF-8, the way ``json.loads`` reads bytes: it also takes UTF-16 and UTF-32, whose
    code units could hide a bracket or a quote from a byte-wise scan."""
    encoding = json.detect_encoding(body)
    if encoding == "utf-8":
        return body
    if encoding == "utf-8-sig":
        return body[3:]
    try:
        return body.decode(encoding).encode("utf-8")
    except UnicodeError:
        return body  # not text in that encoding: it cannot parse as JSON either


def might_be_json_container(body: bytes) -> bool:
    """True if the body could parse as a JSON object or array: whatever the request's
    Content-Type says, the framework reads a body without one (or with ``Application/JSON``,
    ``text/json``, ...) as JSON, so the guard must not trust the header."""
    return _as_utf8(body).lstrip(_JSON_SPACE)[:1] in (b"{", b"[")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True if brackets nest deeper than ``limit`` (strings are skipped; no full parse)."""
    body = _as_utf8(body)
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class RequestLimits:
    """Pure ASGI middleware (it must see the body before FastAPI reads it)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES, max_json_depth: int = MAX_JSON_DEPTH):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS", "DELETE"}:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        try:
            declared = int(headers.get("content-length", "0") or 0)
            if declared > self.max_body_bytes:
                raise self._too_large()
            body = await self._read(receive)
            if might_be_json_container(body) and json_depth_exceeds(body, self.max_json_depth):
                raise _Refused(
                    422, "invalid-input", "Invalid input", f"JSON nested deeper than {self.max_json_depth} levels"
                )
        except _Refused as refused:
            await _send_problem(send, refused, scope.get("path", ""))
            return
        except ValueError:
            await _send_problem(send, _Refused(400, "400", "Bad request", "invalid Content-Length"), "")
            return

        await self.app(scope, replaying(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        try:
            return await read_body(receive, self.max_body_bytes)
        except BodyTooLarge:  # a body sent without (or with a false) Content-Length
            raise self._too_large() from None

    def _too_large(self) -> _Refused:
        return _Refused(413, "too-large", "Request too large", f"the body may be at most {self.max_body_bytes} bytes")


async def _send_problem(send: Send, refused: _Refused, path: str) -> None:
    body: dict[str, Any] = {
        "type": TYPE_BASE + refused.code,
        "title": refused.title,
        "status": refused.status,
        "detail": refused.detail,
    }
    if path:
        body["instance"] = path
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})

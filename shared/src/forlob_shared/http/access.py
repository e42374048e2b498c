"""Every request, seen once: its trace bound to the log lines it causes, one access log line, and
the RED metrics (rate, errors, duration) by method, route template and status class.

Nothing of the path's values or the query string is kept: the route is the template the request
matched (``/referrals/{referral_id}/start``), ``unmatched`` when none did (a 404 path may be
anything a caller typed). The request id is the caller's ``X-Request-ID`` when it looks like one
(letters, digits, ``.-_:``, at most 64), else a new one; the answer carries it back.

Probes and scrapes (``/health/*``, ``/metrics``) are counted like any route but not logged: they
come every few seconds and say nothing about a course.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forlob_shared.logging import bind_trace, get_logger, unbind_trace

log = get_logger("forlob.access")

REQUESTS = Counter(
    "forlob_http_requests_total",
    "HTTP requests answered, by method, route template and status class (2xx, 4xx, 5xx ...)",
    ["method", "route", "status_class"],
)
ERRORS = Counter(
    "forlob_http_request_errors_total",
    "HTTP requests answered with a server error (5xx, or an exception no handler answered)",
    ["method", "route"],
)
DURATION = Histogram(
    "forlob_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method, route template and status class",
    ["method", "route", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

UNMATCHED = "unmatched"
QUIET_PREFIXES = ("/health/", "/metrics")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(path, str) and path:
        return scope.get("root_path", "") + path if scope.get("root_path") else path
    return UNMATCHED


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class AccessLog:
    """Pure ASGI middleware (no BaseHTTPMiddleware: the body streams through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered and _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        status = 500  # what an exception that escapes every handler becomes
        handle = bind_trace(_header(scope, b"traceparent"), request_id=request_id)

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, answer)
        except Exception:
            status = 500
            raise
        finally:
            self._observe(scope, status, time.perf_counter() - started, request_id)
            unbind_trace(handle)

    @staticmethod
    def _observe(scope: Scope, status: int, seconds: float, request_id: str) -> None:
        method = str(scope.get("method", "")).upper()
        method = method if method in _METHODS else "OTHER"  # a label per made-up method is unbounded
        route = route_template(scope)
        status_class = f"{status // 100}xx"
        REQUESTS.labels(method, route, status_class).inc()
        DURATION.labels(method, route, status_class).observe(seconds)
        if status >= 500:
            ERRORS.labels(method, route).inc()
        if str(scope.get("path", "")).startswith(QUIET_PREFIXES):
            return
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        }
        (log.warning if status >= 500 else log.info)("http.request", **fields)

"""RFC 9457 problem details for every 4xx and 5xx, so a client always gets a readable reason."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from forlob_shared.errors import DomainError
from forlob_shared.logging import get_logger, mark_logged

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://forlob.dk/problems/"

log = get_logger("forlob.http")


_RESERVED = frozenset({"type", "title", "status", "detail", "instance"})


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + (code or str(status)), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    # Extension members never overwrite the standard ones.
    body.update({k: v for k, v in (extra or {}).items() if v is not None and k not in _RESERVED})
    all_headers = dict(headers or {})
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=all_headers or None)


_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the current state",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, code=exc.code, instance=request.url.path, extra=exc.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": [str(p) for p in e.get("loc", ())], "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem(
            422,
            "Invalid input",
            "The request does not match the schema",
            code="invalid-input",
            instance=request.url.path,
            extra={"errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        title = _TITLES.get(exc.status_code, "Error")
        # Keep the framework's headers (Allow on a 405, Retry-After, ...).
        return problem(
            exc.status_code,
            title,
            detail if detail != title else None,
            instance=request.url.path,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The traceback is rendered without local variables, and a database error's message
        # (which quotes the statement's values) is withheld: see forlob_shared.redaction.
        log.error("http.unhandled_error", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
        mark_logged(exc)
        return problem(500, "Internal error", "Something went wrong on our side; it has been logged.", code="internal")

"""Calls to the four services with the signed-in person's token.

Every answer that is not a success becomes an :class:`ApiError` carrying the problem's words
(RFC 9457 ``title``/``detail`` and, for invalid input, the fields); a service that does not
answer becomes :class:`ServiceDown`. Pages turn these into words for people, never a trace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from forlob_shared.logging import get_logger

log = get_logger("forlob.web.client")


@dataclass
class FieldError:
    location: tuple[str, ...]
    message: str


@dataclass
class ApiError(Exception):
    service: str
    status: int
    title: str
    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    # The problem's extension members (e.g. an erasure refusal's ``reason`` and ``hold_ends``).
    extensions: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail or self.title

    def field_errors(self) -> dict[str, str]:
        """The message per field, by its location without ``body``/``query`` (``participant.name``)."""
        out: dict[str, str] = {}
        for e in self.errors:
            parts = [p for p in e.location if p not in {"body", "query", "path"}]
            out.setdefault(".".join(parts), e.message)
        return out


@dataclass
class ServiceDown(Exception):
    service: str

    def __str__(self) -> str:
        return f"the {self.service} service does not answer"


def _problem(service: str, response: httpx.Response) -> ApiError:
    title, detail, errors = response.reason_phrase or "Error", None, []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        title = str(body.get("title") or title)
        detail = str(body["detail"]) if body.get("detail") else None
        for e in body.get("errors") or []:
            if isinstance(e, dict):
                errors.append(FieldError(tuple(str(p) for p in e.get("location", ())), str(e.get("message", ""))))
        standard = {"type", "title", "status", "detail", "instance", "errors"}
        extensions = {k: v for k, v in body.items() if k not in standard}
        return ApiError(service, response.status_code, title, detail, errors, extensions)
    return ApiError(service, response.status_code, title, detail, errors)


class Api:
    """One person's view of the services: every call carries their bearer token."""

    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str], token: str) -> None:
        self._http = http
        self._urls = urls
        self._token = token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", **(extra or {})}

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        headers = self._headers({"Idempotency-Key": idempotency_key} if idempotency_key else None)
        try:
            response = await self._http.request(
                method, self._urls[service] + path, params=params, json=json, headers=headers
            )
        except httpx.TransportError as exc:
            log.warning("api.unreachable", service=service, error=type(exc).__name__)
            raise ServiceDown(service) from None
        if response.status_code >= 500:
            log.warning("api.server_error", service=service, status=response.status_code)
            if response.status_code in {502, 503, 504}:
                raise ServiceDown(service)
        if response.is_error:
            raise _problem(service, response)
        return response

    async def get(self, service: str, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return (await self.request(service, "GET", path, params=clean or None)).json()

    async def post(self, service: str, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        key = idempotency_key or str(uuid.uuid4())
        response = await self.request(service, "POST", path, json=body, idempotency_key=key)
        return response.json() if response.content else None

    def stream(self, service: str, path: str) -> Any:
        """An open streaming request (``async with api.stream(...) as response``)."""
        return self._http.stream(
            "GET", self._urls[service] + path, headers=self._headers({"Accept": "text/event-stream"}), timeout=None
        )

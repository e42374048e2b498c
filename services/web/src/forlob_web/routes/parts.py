"""What the pages share: a part of a page that may be missing, an action that reports back on the
page it came from (post/redirect/get), and participants' names from the single-referral call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from forlob_web.client import Api, ApiError, ServiceDown
from forlob_web.i18n import translator
from forlob_web.session import flash
from forlob_web.web import language

T = TypeVar("T")


@dataclass
class Part:
    """One part of a page: its data, or why it is missing, in words."""

    data: Any = None
    error: str | None = None


def problem_words(request: Request, exc: ApiError | ServiceDown) -> str:
    """A service's refusal, or its silence, in the reader's words."""
    t = translator(language(request))
    if isinstance(exc, ServiceDown):
        return t("down", service=t(f"service.{exc.service}"))
    return t("error.api", service=t(f"service.{exc.service}"), words=str(exc))


async def part(request: Request, call: Awaitable[Any]) -> Part:
    try:
        return Part(await call)
    except ServiceDown as exc:
        return Part(error=problem_words(request, exc))
    except ApiError as exc:
        if exc.status == 401:
            raise
        return Part(error=problem_words(request, exc))


async def participant_names(api: Api, referral_ids: set[str]) -> dict[str, str]:
    """Names by referral id, from the single-referral call (the only one that shows them)."""

    async def one(rid: str) -> tuple[str, str | None]:
        try:
            referral = await api.get("referral", f"/referrals/{rid}")
        except (ApiError, ServiceDown) as exc:
            if isinstance(exc, ApiError) and exc.status == 401:
                raise
            return rid, None
        person = referral.get("participant") or {}
        return rid, person.get("name")

    found = await asyncio.gather(*(one(rid) for rid in referral_ids))
    return {rid: name for rid, name in found if name}


async def programme_names(api: Api, programmes: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Names by (provider, programme code), from each provider's catalogue. One the catalogue does
    not give (unknown, not yet defined, the service down) is left out: the page shows its code."""

    async def one(provider: str, code: str) -> tuple[tuple[str, str], str | None]:
        try:
            # Quoted: the code comes from an event's data, and must stay one segment of the path.
            programme = await api.get("referral", f"/programmes/{quote(code, safe='')}", provider_org=provider)
        except (ApiError, ServiceDown) as exc:
            if isinstance(exc, ApiError) and exc.status == 401:
                raise
            return (provider, code), None
        return (provider, code), (programme or {}).get("name")

    found = await asyncio.gather(*(one(provider, code) for provider, code in sorted(programmes)))
    return {pair: name for pair, name in found if name}


async def act(
    request: Request,
    back: str,
    call: Awaitable[T],
    ok: str | None = None,
    refusal: Callable[[ApiError], str | None] | None = None,
) -> tuple[T | None, Response]:
    """Run an action; a refusal or a service that is down becomes a message on the page it came from.
    ``refusal`` may say a refusal in the page's own words (None: the service's, as usual)."""
    redirect = RedirectResponse(back, status_code=303)
    try:
        result = await call
    except ServiceDown as exc:
        flash(request, problem_words(request, exc), "error")
        return None, redirect
    except ApiError as exc:
        if exc.status in {401, 403, 404}:
            raise
        flash(request, (refusal and refusal(exc)) or problem_words(request, exc), "error")
        return None, redirect
    if ok:
        flash(request, ok)
    return result, redirect


async def attempt(request: Request, call: Awaitable[T]) -> tuple[T | None, str | None, dict[str, str], int]:
    """An action drawn again on its own page when refused: its answer, else the refusal in words,
    the fields the service named and the page's status. 401, 403 and 404 go on to the error pages."""
    try:
        return await call, None, {}, 200
    except ServiceDown as exc:
        return None, problem_words(request, exc), {}, 503
    except ApiError as exc:
        if exc.status in {401, 403, 404}:
            raise
        status = exc.status if 400 <= exc.status < 500 else 502
        return None, problem_words(request, exc), exc.field_errors(), status

"""The figures for a period, the charts (proxied from the reporting service) and the CSV."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from forlob_shared.texts import definition
from forlob_web import shapes_api
from forlob_web.client import Api, ApiError
from forlob_web.deps import CurrentWeb, Lang, signed_in
from forlob_web.employment_figures_view import (
    Card,
    clarification_cards,
    handover_cards,
    has_ips,
    ips_cards,
    proposal_cards,
)
from forlob_web.figures_view import Period, groups, overdue, period_of
from forlob_web.routes.parts import Part, part, participant_names
from forlob_web.session import User
from forlob_web.web import language

router = APIRouter(include_in_schema=False)

CHARTS = ("waiting-list", "occupancy", "attendance", "outcomes")
FIGURES_ROLES = ("team_leader", "coordinator", "caseworker", "admin")
# notifications' /inbox?everyone=true: the whole organisation's alerts.
TEAM_ALERT_ROLES = ("team_leader", "coordinator", "admin")


async def _nothing() -> list[Any]:
    return []


async def _work_and_next_steps(
    request: Request, api: Api, user: User, period: Period, lang: str
) -> dict[str, tuple[Part, list[Card]] | None]:
    """The IPS fidelity items (only for an organisation that provides an IPS programme), the
    clarification results, the handovers and the next steps proposed in the period, as cards; None
    where there is nothing to show (no IPS programme; no rows, and no refusal to say)."""
    query = period.query()
    provider = user.has(*TEAM_ALERT_ROLES)
    programmes, results, handovers, proposals = await asyncio.gather(
        part(request, shapes_api.programmes(api) if provider else _nothing()),
        part(request, api.get("reporting", "/figures/clarification-results", **query)),
        part(request, api.get("reporting", "/figures/handovers", **query)),
        part(request, api.get("reporting", "/figures/next-step-proposals", **query)),
    )
    shown: dict[str, tuple[Part, list[Card]] | None] = {"ips": None}
    if has_ips(programmes.data or [], user.org):
        ips = await part(request, api.get("reporting", "/figures/ips-fidelity", **query))
        shown["ips"] = (ips, ips_cards((ips.data or {}).get("rows", []), lang))
    for name, found, cards in (
        ("clarification", results, clarification_cards),
        ("handovers", handovers, handover_cards),
        ("proposals", proposals, proposal_cards),
    ):
        rows = (found.data or {}).get("rows", [])
        shown[name] = (found, cards(rows, lang)) if rows or found.error else None
    return shown


def _period(start: date | None, end: date | None) -> dict[str, str]:
    period = {}
    if start:
        period["from"] = start.isoformat()
    if end:
        period["to"] = end.isoformat()
    return period


@router.get("/figures")
async def figures(request: Request, web: CurrentWeb, start: date | None = None, end: date | None = None) -> Response:
    """The key numbers per programme against the previous period of the same length, the charts
    beside them, every figure on request, and the team's overdue alerts (docs/web.md)."""
    user = signed_in(request, *FIGURES_ROLES)
    api = web.api(user)
    period = period_of(start, end, web.now().date())
    calls = [api.get("reporting", "/figures", **period.query())]
    if period.start <= period.end:  # else reporting's 422 says what is wrong; nothing to compare
        calls.append(api.get("reporting", "/figures", **period.before().query()))
    found, *before = await asyncio.gather(*(part(request, c) for c in calls))
    previous = before[0].data if before and before[0].data else {}
    alerts, names = Part(), {}
    if user.has(*TEAM_ALERT_ROLES):
        every = await part(request, api.get("notifications", "/inbox", state="open", everyone="true", limit="500"))
        alerts = Part(overdue(every.data or [], web.clock.now()), every.error)
        names = await participant_names(api, {a["referral_id"] for a in alerts.data if a.get("referral_id")})
    lang = language(request)
    sections = await _work_and_next_steps(request, api, user, period, lang) if period.start <= period.end else {}
    return web.render(
        request,
        "figures.html",
        found=found,
        groups=groups((found.data or {}).get("rows", []), previous.get("rows", [])),
        period=period,
        previous=period.before() if period.start <= period.end else None,
        start=start,
        end=end,
        query=f"start={period.start.isoformat()}&end={period.end.isoformat()}",
        charts=CHARTS,
        alerts=alerts,
        names=names,
        definition=lambda name: definition(name, lang),
        sections=sections,
    )


@router.get("/figures/chart/{name}.{fmt}")
async def chart(
    name: str,
    fmt: str,
    request: Request,
    web: CurrentWeb,
    lang: Lang,
    start: date | None = None,
    end: date | None = None,
) -> Response:
    user = signed_in(request)
    if name not in CHARTS or fmt not in {"svg", "png"}:
        raise ApiError("reporting", 404, "Not found")
    params = {**_period(start, end), "lang": lang}
    upstream = await web.api(user).request("reporting", "GET", f"/charts/{name}.{fmt}", params=params)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    # The words are in the reader's language: a switch must not show the last language's copy.
    headers = {"Cache-Control": "private, max-age=60", "Vary": "Cookie, Accept-Language"}
    return Response(upstream.content, media_type=media, headers=headers)


@router.get("/figures.csv")
async def figures_csv(
    request: Request, web: CurrentWeb, lang: Lang, start: date | None = None, end: date | None = None
) -> Response:
    user = signed_in(request)
    # In the reader's conventions: ';' and decimal commas in Danish and Swedish.
    params = {**_period(start, end), "format": "csv", "lang": lang}
    upstream = await web.api(user).request("reporting", "GET", "/figures", params=params)
    disposition = upstream.headers.get("content-disposition") or 'attachment; filename="figures.csv"'
    return Response(upstream.content, media_type="text/csv", headers={"Content-Disposition": disposition})

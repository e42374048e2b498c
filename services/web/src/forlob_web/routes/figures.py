"""The figures for a period, the charts (proxied from the reporting service) and the CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from forlob_web.client import ApiError
from forlob_web.deps import CurrentWeb, Lang, signed_in
from forlob_web.routes.parts import part

router = APIRouter(include_in_schema=False)

CHARTS = ("waiting-list", "occupancy", "attendance", "outcomes")
FIGURES_ROLES = ("team_leader", "coordinator", "caseworker", "admin")


def _period(start: date | None, end: date | None) -> dict[str, str]:
    period = {}
    if start:
        period["from"] = start.isoformat()
    if end:
        period["to"] = end.isoformat()
    return period


def _flatten(row: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, value in row.items():
        if isinstance(value, dict):
            out += _flatten(value, f"{prefix}{name}.")
        else:
            out.append((f"{prefix}{name}", value))
    return out


@router.get("/figures")
async def figures(request: Request, web: CurrentWeb, start: date | None = None, end: date | None = None) -> Response:
    user = signed_in(request, *FIGURES_ROLES)
    found = await part(request, web.api(user).get("reporting", "/figures", **_period(start, end)))
    rows = [_flatten(r) for r in (found.data or {}).get("rows", [])]
    query = "&".join(f"{k}={v.isoformat()}" for k, v in (("start", start), ("end", end)) if v)
    return web.render(request, "figures.html", found=found, rows=rows, start=start, end=end, query=query, charts=CHARTS)


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
    request: Request, web: CurrentWeb, start: date | None = None, end: date | None = None
) -> Response:
    user = signed_in(request)
    params = {**_period(start, end), "format": "csv"}
    upstream = await web.api(user).request("reporting", "GET", "/figures", params=params)
    disposition = upstream.headers.get("content-disposition") or 'attachment; filename="figures.csv"'
    return Response(upstream.content, media_type="text/csv", headers={"Content-Disposition": disposition})

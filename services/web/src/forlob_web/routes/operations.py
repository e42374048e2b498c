"""What operators and the language switch use: health, metrics, the language cookie, the home."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from forlob_shared.release import release_version
from forlob_web.deps import CurrentWeb, signed_in
from forlob_web.i18n import LANGUAGES
from forlob_web.web import home_for

router = APIRouter(include_in_schema=False)


@router.get("/health/live", include_in_schema=False)
async def live() -> JSONResponse:
    return JSONResponse({"status": "ok", "version": release_version("web")})


@router.get("/health/ready", include_in_schema=False)
async def ready(web: CurrentWeb) -> JSONResponse:
    http = web.http

    async def check(url: str) -> str:
        try:
            answer = await http.get(f"{url}/health/live", timeout=2)
        except httpx.TransportError as exc:
            return f"unavailable: {type(exc).__name__}"
        return "ok" if answer.status_code == 200 else f"unavailable: {answer.status_code}"

    urls = web.settings.service_urls()
    results = await asyncio.gather(*(check(url) for url in urls.values()))
    checks = dict(zip(urls, results, strict=True))
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ok else "not-ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/language/{lang}", include_in_schema=False)
async def set_language(lang: str, web: CurrentWeb, back: str = "/") -> Response:
    # Only a local path: the switch must not become an open redirect.
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", secure=bool(web.settings.secure_cookies))
    return response


@router.get("/", include_in_schema=False)
async def root(request: Request) -> Response:
    user = signed_in(request)
    return RedirectResponse(home_for(user), status_code=303)

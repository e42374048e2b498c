"""The web front end's composition root: a plain FastAPI app (it has no database and no broker,
so the services' ServiceSpec does not fit) that reuses the shared settings, logging, trace ids,
token verification and metrics. The routes are per area under ``forlob_web.routes``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import Counter

from forlob_shared.clock import Clock, SystemClock
from forlob_shared.http.access import AccessLog
from forlob_shared.logging import get_logger
from forlob_shared.tracing import instrument_app
from forlob_web.errors import install_error_pages
from forlob_web.routes import (
    alerts,
    attendance,
    contact,
    courses,
    dpo,
    employers,
    employment,
    figures,
    handover,
    intake,
    meetings,
    messages,
    operations,
    outreach,
    record,
    referrals,
    signin,
    specialist,
    text_messages,
    visits,
)
from forlob_web.session_store import ServerSessions, SessionStore
from forlob_web.settings import WebSettings
from forlob_web.web import HERE, Web

log = get_logger("forlob.web")

PAGES_SHOWN = Counter("forlob_web_pages_total", "Pages and actions answered, by route and status", ["route", "status"])


def create_app(
    settings: WebSettings | None = None, clock: Clock | None = None, *, real_time: Clock | None = None
) -> FastAPI:
    settings = settings or WebSettings()
    # One line per call to a service is noise here: failures are logged by the client, with ids only.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Sessions and the sign-in limit run on real time, as the tokens' expiry does; the demo's and
    # the tests' moved clock (forlob_testkit.serve) would end a session the token still allows.
    real_time = real_time or clock or SystemClock()
    clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=40)
        async with httpx.AsyncClient(timeout=settings.api_timeout, limits=limits) as http:
            app.state.web = Web(settings, clock, http, real_time)
            log.info("service.started", port=settings.port)
            yield
        log.info("service.stopped")

    app = FastAPI(title="Forløb web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    # Sessions live on the server; the cookie holds an opaque id (forlob_web.session_store).
    secret = settings.session_secret.get_secret_value().encode()
    app.state.sessions = SessionStore(real_time, settings.session_max_age, secret)
    app.add_middleware(ServerSessions, store=app.state.sessions, https_only=bool(settings.secure_cookies))
    _install_middleware(app)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for area in (
        signin,
        alerts,
        contact,
        attendance,
        intake,
        courses,
        referrals,
        figures,
        operations,
        record,
        messages,
        dpo,
        meetings,
        outreach,
        visits,
        specialist,
        employers,
        employment,
        handover,
        text_messages,
    ):
        app.include_router(area.router)
    # Outermost but for the server span: every page counted and logged once (route template only).
    app.add_middleware(AccessLog)
    instrument_app(app)
    return app


def _install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        route = request.scope.get("route")
        PAGES_SHOWN.labels(getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

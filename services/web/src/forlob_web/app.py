"""The web front end's composition root: a plain FastAPI app (it has no database and no broker,
so the services' ServiceSpec does not fit) that reuses the shared settings, logging, trace ids,
token verification and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from forlob_shared.clock import Clock, SystemClock
from forlob_shared.http.auth import TokenVerifier
from forlob_shared.http.ratelimit import SIGN_IN, Gcra, Rate, RefusalLog, warn_if_every_caller_is_the_proxy
from forlob_shared.logging import bind_trace, get_logger, unbind_trace
from forlob_shared.metrics import REQUESTS_REFUSED
from forlob_shared.texts import FACTS_SHOWN, fact_text
from forlob_web.client import Api, ApiError, ServiceDown
from forlob_web.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    code_words,
    date_words,
    figure_words,
    number_words,
    pick_language,
    time_format,
    translator,
)
from forlob_web.session import (
    CsrfFailed,
    SignInRequired,
    User,
    csrf_token,
    current_user,
    require_user,
    sign_out,
    take_flash,
)
from forlob_web.session_store import ServerSessions, SessionStore
from forlob_web.settings import WebSettings

HERE = Path(__file__).parent
log = get_logger("forlob.web")

PAGES_SHOWN = Counter("forlob_web_pages_total", "Pages and actions answered, by route and status", ["route", "status"])

# (path, message key, roles that see it in the menu)
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/inbox", "nav.inbox", ("contact_person", "team_leader", "workshop_lead", "coordinator", "caseworker")),
    ("/attendance", "nav.attendance", ("workshop_lead", "contact_person", "coordinator", "team_leader")),
    ("/intake", "nav.intake", ("coordinator",)),
    ("/referrals", "nav.referrals", ("caseworker",)),
    ("/figures", "nav.figures", ("team_leader", "coordinator", "caseworker", "admin")),
]


class Web:
    """What the pages need at run time: settings, the templates, one HTTP client, the clock."""

    def __init__(
        self, settings: WebSettings, clock: Clock, http: httpx.AsyncClient, real_time: Clock | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.http = http
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.verifier = TokenVerifier(settings)
        self.zone = ZoneInfo(settings.timezone)
        self.oauth: Any = None
        # Sign-ins per client address (docs/security.md, "Rate limits"), in this process.
        self.sign_in_rate = Rate(settings.rate_sign_in_per_minute, 60.0)
        warn_if_every_caller_is_the_proxy(settings)
        self.limiter = Gcra(real_time or clock)
        self.refusals = RefusalLog(real_time or clock)

        @pass_context
        def local(context: Context, value: str | None, fmt: str | None = None) -> str:
            """``|local`` in a template: the page's language decides how a moment is written."""
            return self.local_time(value, fmt or time_format(str(context.get("lang", ""))))

        self.templates.env.filters["local"] = local
        self.templates.env.filters["number"] = number

    def sign_in_wait(self, request: Request) -> float:
        """Charge the caller's address one sign-in; 0 if it may go ahead, else seconds to wait."""
        address = request.client.host if request.client else "unknown"
        wait = self.limiter.take(SIGN_IN, address, self.sign_in_rate)
        if wait:
            REQUESTS_REFUSED.labels(SIGN_IN).inc()
            self.refusals.refused(SIGN_IN, address, wait)
        return wait

    def local_time(self, value: str | None, fmt: str = "%d.%m. %H:%M") -> str:
        """An ISO time from a service, as the clock on the wall shows it."""
        if not value:
            return ""
        return datetime.fromisoformat(value).astimezone(self.zone).strftime(fmt)

    def api(self, user: User) -> Api:
        return Api(self.http, self.settings.service_urls(), user.token)

    def now(self) -> datetime:
        return self.clock.now().astimezone(self.zone)

    @staticmethod
    def words(lang: str) -> dict[str, Any]:
        """What templates say things with: the pages' messages, and the shared catalogue's words
        for codes, figures and facts (never a code shown raw)."""
        numbers = number_words(lang, number)
        figure_name, figure_value = figure_words(lang, numbers)
        return {
            "lang": lang,
            "languages": LANGUAGE_NAMES,
            "day_text": date_words(lang),
            "decimal": numbers,
            "t": translator(lang),
            "code": code_words(lang),
            "figure_name": figure_name,
            "figure_value": figure_value,
            "fact_text": lambda name, value: fact_text(name, value, lang),
            "facts_shown": FACTS_SHOWN,
        }

    def context(self, request: Request, **values: Any) -> dict[str, Any]:
        lang = language(request)
        user = current_user(request)
        nav = [(path, key) for path, key, roles in NAV if user and user.has(*roles)]
        return {
            "request": request,
            **self.words(lang),
            "user": user,
            "csrf": csrf_token(request),
            "flash": take_flash(request),
            "nav": nav,
            "path": request.url.path,
            "zone": self.zone,
            **values,
        }

    def render(
        self,
        request: Request,
        template: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> HTMLResponse:
        response = self.templates.TemplateResponse(
            request, template, self.context(request, **values), status_code=status, headers=headers
        )
        response.headers["Cache-Control"] = "no-store"
        return response


def number(value: Any) -> str:
    """A figure as people read it: at most two decimals, nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    return str(value)


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def language(request: Request) -> str:
    return pick_language(request.cookies.get("lang"), request.headers.get("accept-language"))


# Where each role starts its day, first match wins.
HOMES: list[tuple[str, str]] = [
    ("coordinator", "/intake"),
    ("caseworker", "/referrals"),
    ("contact_person", "/inbox"),
    ("team_leader", "/inbox"),
    ("workshop_lead", "/attendance"),
]


def home_for(user: User) -> str:
    for role, path in HOMES:
        if user.has(role):
            return path
    return "/figures"


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
    _install_error_pages(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from forlob_web import pages, signin

    app.include_router(signin.router)
    app.include_router(pages.router)
    _install_operational_routes(app, settings)
    return app


def _install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def trace_and_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        handle = bind_trace(request.headers.get("traceparent"))
        try:
            response: Response = await call_next(request)
        finally:
            unbind_trace(handle)
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


def _words(request: Request, error: ApiError) -> str:
    t = translator(language(request))
    return t("error.api", service=t(f"service.{error.service}"), words=str(error))


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        t = translator(language(request))
        return web_of(request).render(request, "error.html", 403, title=t("forbidden"), message=t("csrf"))

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        t = translator(language(request))
        web = web_of(request)
        if exc.status == 401:
            sign_out(request)
            return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)
        if exc.status == 404:
            return web.render(request, "error.html", 404, title=t("not_found"), message=t("not_found.text"))
        if exc.status == 403:
            return web.render(request, "error.html", 403, title=t("forbidden"), message=t("forbidden.text"))
        status = exc.status if 400 <= exc.status < 500 else 502
        return web.render(request, "error.html", status, title=t("error"), message=_words(request, exc))

    @app.exception_handler(ServiceDown)
    async def service_down(request: Request, exc: ServiceDown) -> Response:
        t = translator(language(request))
        message = t("down", service=t(f"service.{exc.service}"))
        return web_of(request).render(request, "error.html", 503, title=t("error"), message=message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        t = translator(language(request))
        words = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
        return web_of(request).render(request, "error.html", 422, title=t("error"), message=words)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        t = translator(language(request))
        if exc.status_code == 404:
            return web_of(request).render(request, "error.html", 404, title=t("not_found"), message=t("not_found.text"))
        message = exc.detail if isinstance(exc.detail, str) else t("error")
        return web_of(request).render(
            request, "error.html", exc.status_code, title=t("error"), message=message, headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("web.unhandled_error", path=request.url.path)
        t = translator(language(request))
        return web_of(request).render(request, "error.html", 500, title=t("error"), message=t("error.text"))


def _install_operational_routes(app: FastAPI, settings: WebSettings) -> None:
    @app.get("/health/live", include_in_schema=False)
    async def live() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/health/ready", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        http = web_of(request).http

        async def check(url: str) -> str:
            try:
                answer = await http.get(f"{url}/health/live", timeout=2)
            except httpx.TransportError as exc:
                return f"unavailable: {type(exc).__name__}"
            return "ok" if answer.status_code == 200 else f"unavailable: {answer.status_code}"

        urls = settings.service_urls()
        results = await asyncio.gather(*(check(url) for url in urls.values()))
        checks = dict(zip(urls, results, strict=True))
        ok = all(v == "ok" for v in checks.values())
        body = {"status": "ready" if ok else "not-ready", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/language/{lang}", include_in_schema=False)
    async def set_language(lang: str, request: Request, back: str = "/") -> Response:
        # Only a local path: the switch must not become an open redirect.
        target = back if back.startswith("/") and not back.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        if lang in LANGUAGES:
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", secure=bool(settings.secure_cookies))
        return response

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        user = require_user(request)
        return RedirectResponse(home_for(user), status_code=303)

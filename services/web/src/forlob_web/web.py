"""What the pages need at run time (:class:`Web`): settings, templates, the HTTP client to the
services, the clock; and how a page is drawn in the reader's language."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from forlob_shared.clock import Clock
from forlob_shared.http.auth import TokenVerifier
from forlob_shared.http.ratelimit import SIGN_IN, Gcra, Rate, RefusalLog, warn_if_every_caller_is_the_proxy
from forlob_shared.metrics import REQUESTS_REFUSED
from forlob_shared.texts import FACTS_SHOWN, fact_text
from forlob_web.client import Api
from forlob_web.i18n import (
    LANGUAGE_NAMES,
    code_words,
    date_words,
    figure_words,
    number_words,
    pick_language,
    time_format,
    translator,
)
from forlob_web.session import User, csrf_token, current_user, take_flash
from forlob_web.settings import WebSettings

HERE = Path(__file__).parent


def language(request: Request) -> str:
    """The reader's language: the switch's cookie, else the browser's Accept-Language, else Danish."""
    return pick_language(request.cookies.get("lang"), request.headers.get("accept-language"))


# (path, message key, roles that see it in the menu)
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/inbox", "nav.inbox", ("contact_person", "team_leader", "workshop_lead", "coordinator", "caseworker")),
    ("/attendance", "nav.attendance", ("workshop_lead", "contact_person", "coordinator", "team_leader")),
    ("/day-list", "nav.day_list", ("workshop_lead", "contact_person", "coordinator", "team_leader")),
    ("/following", "nav.following", ("contact_person",)),
    ("/meetings", "nav.meetings", ("contact_person",)),
    ("/caseload", "nav.caseload", ("contact_person", "team_leader", "coordinator")),
    ("/employers", "nav.employers", ("contact_person", "team_leader", "coordinator")),
    ("/outreach", "nav.outreach", ("contact_person", "team_leader", "coordinator")),
    ("/visits", "nav.visits", ("contact_person", "workshop_lead", "team_leader", "coordinator")),
    ("/intake", "nav.intake", ("coordinator",)),
    ("/courses", "nav.courses", ("coordinator",)),
    ("/referrals", "nav.referrals", ("caseworker",)),
    ("/figures", "nav.figures", ("team_leader", "coordinator", "caseworker", "admin")),
    ("/dpo", "nav.dpo", ("dpo",)),
    ("/specialist", "nav.specialist", ("specialist",)),
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
        def local(context: Context, value: str | None, fmt: str | None = None, zone: str | None = None) -> str:
            """``|local`` in a template: the page's language decides how a moment is written;
            ``zone``: the course's, when the service's answer carries it."""
            return self.local_time(value, fmt or time_format(str(context.get("lang", ""))), zone)

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

    def local_time(self, value: str | None, fmt: str = "%d.%m. %H:%M", zone: str | None = None) -> str:
        """An ISO time from a service, as the clock on the wall shows it: the wall of ``zone`` (a
        course's), or without one the zone the pages are set to."""
        if not value:
            return ""
        return datetime.fromisoformat(value).astimezone(self._zone(zone)).strftime(fmt)

    def _zone(self, name: str | None) -> ZoneInfo:
        if not name:
            return self.zone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):  # a zone this host does not know: the pages' own
            return self.zone

    def api(self, user: User) -> Api:
        return Api(self.http, self.settings.service_urls(), user.token)

    def now(self) -> datetime:
        return self.clock.now().astimezone(self.zone)

    @staticmethod
    def words(lang: str) -> dict[str, Any]:
        """What templates say things with: the pages' messages, and the shared catalogue's words
        for codes, figures and facts (never a code shown raw)."""
        numbers = number_words(lang)
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


# Where each role starts its day, first match wins.
HOMES: list[tuple[str, str]] = [
    ("coordinator", "/intake"),
    ("caseworker", "/referrals"),
    ("contact_person", "/inbox"),
    ("team_leader", "/inbox"),
    ("workshop_lead", "/attendance"),
    ("specialist", "/specialist"),
]


def home_for(user: User) -> str:
    for role, path in HOMES:
        if user.has(role):
            return path
    return "/figures"

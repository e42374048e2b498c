"""Test helpers for the web front end: the app in process against a running system (real service
processes), a person's session through the local sign-in, and a course set up through the APIs."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from forlob_shared.clock import Clock, SystemClock
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.auth import auth
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER
from forlob_testkit.wait import eventually
from forlob_web.app import create_app
from forlob_web.settings import WebSettings

AALBORG = ZoneInfo("Europe/Copenhagen")
WEEKDAYS_8_TO_12 = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)]
PROVIDER_ADMIN = auth(PROVIDER, "admin", staff="admin-p")
COORDINATOR = auth(PROVIDER, "coordinator", staff="co-3")
CASEWORKER = auth(JOBCENTRE, "caseworker", staff="cw-7")
CONTACT_PERSON = auth(PROVIDER, "contact_person", staff="kp-1")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')

# Short ticks so that the services act on moved time within a fraction of a second.
SYSTEM_ENV = {
    "FORLOB_NOTIFICATIONS_RULES_INTERVAL": "0.3",
    "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
    "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
    "FORLOB_REFERRAL_SEAT_OFFER_INTERVAL": "1",
}


def web_settings(system: Any, **overrides: Any) -> WebSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "referral_url": system.url("referral"),
        "attendance_url": system.url("attendance"),
        "notifications_url": system.url("notifications"),
        "reporting_url": system.url("reporting"),
        "log_json": True,
        # Every test person signs in from the same address: the limit stays on, out of reach.
        "rate_sign_in_per_minute": 100_000,
    }
    return WebSettings(**{**values, **overrides})


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.hidden += 1
        # What a screen reader or a tooltip reads is read by a person too.
        self.parts += [value or "" for name, value in attrs if name in {"alt", "title", "aria-label", "placeholder"}]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a person reads of a page: its text and the attributes read aloud, not ids or URLs."""
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Person:
    """One person's browser-less session: cookies kept, forms posted with the page's CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client
        self.csrf = ""

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        if "text/html" in response.headers.get("content-type", "") and _CSRF.search(response.text):
            self.csrf = csrf_of(response.text)
        return response

    async def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        if not self.csrf:
            await self.get("/sign-in")
        return await self.http.post(path, data={"csrf": self.csrf, **(data or {})})

    async def sign_in(self, org: str, staff: str, *roles: str) -> httpx.Response:
        await self.get("/sign-in")
        response = await self.post("/sign-in/local", {"org": org, "staff": staff, "roles": ",".join(roles)})
        assert response.status_code == 303, response.text
        await self.get(response.headers["location"])
        return response


@contextlib.asynccontextmanager
async def web_in_process(settings: WebSettings, clock: Clock | None = None) -> AsyncIterator[Any]:
    """``async with web_in_process(settings) as people:`` — ``await people()`` is a new session.
    ``clock``: the system's moved clock (``System.clock()``) where the pages must agree with it."""
    app = create_app(settings, clock, real_time=SystemClock())
    async with app.router.lifespan_context(app), contextlib.AsyncExitStack() as stack:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

        async def person() -> Person:
            client = httpx.AsyncClient(transport=transport, base_url="http://web.test", timeout=30)
            await stack.enter_async_context(client)
            return Person(client)

        yield person


@contextlib.asynccontextmanager
async def web_server(settings: WebSettings, port: int | None = None, clock: Clock | None = None) -> AsyncIterator[str]:
    """The web app served by uvicorn on ``port`` (else a free one) of this event loop (for a real
    browser); the port the system's e-mails link to, when they are followed."""

    def app(bound: int) -> Any:
        return create_app(settings.model_copy(update={"port": bound}), clock, real_time=SystemClock())

    async with serving_app(app_for_port=app, port=port or 0, lifespan="on") as base:
        yield base


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json() if response.content else None


async def set_clock(system: Any, local: datetime, *, first: bool = False) -> None:
    """Move every service's clock (and the web's) to ``local`` Aalborg wall time; only forward after the first."""
    delta = local.replace(tzinfo=AALBORG).astimezone(UTC) - (datetime.now(UTC) + system.offset)
    assert first or delta > timedelta(0), f"the clock would move back to {local}"
    system.move_clock(delta)


async def put_staff(http: httpx.AsyncClient, system: Any) -> None:
    """kp-1 is the contact person (inbox only), tl-1 above them."""
    base = system.url("notifications")
    for staff, body in (
        ("tl-1", {"role": "team_leader"}),
        ("kp-1", {"role": "contact_person", "team_leader_id": "tl-1"}),
    ):
        ok(
            await http.put(
                f"{base}/staff/{staff}",
                json={"channels": ["inbox"], "country": "DK", "email": f"{staff}@rca.example", **body},
                headers=PROVIDER_ADMIN,
            )
        )


async def put_programme(http: httpx.AsyncClient, system: Any, code: str = "RCA-UDV-13") -> None:
    url = f"{system.url('referral')}/programmes/{code}"
    response = await http.put(url, json=DEVELOPMENT_COURSE, headers=COORDINATOR)
    assert response.status_code in {200, 201}, response.text


async def start_course(
    http: httpx.AsyncClient, system: Any, referral_id: str, start: str, weeks: int = 13, timeout: float = 15.0
) -> str:
    """Start the course (coordinator, through the API) and wait until attendance has planned its week
    (``timeout``: longer where the clock has just jumped and the services catch up on other courses)."""
    body = {
        "start_date": start,
        "weeks": weeks,
        "schedule": WEEKDAYS_8_TO_12,
        "contact_person_id": "kp-1",
        "team_leader_id": "tl-1",
        "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}]},
    }
    url = f"{system.url('referral')}/referrals/{referral_id}/start"
    started = ok(await http.post(url, json=body, headers=COORDINATOR))
    participant = str(started["participant_id"])
    day = datetime.fromisoformat(start).date()

    async def planned() -> bool:
        answer = await http.get(
            f"{system.url('attendance')}/participants/{participant}/slots",
            params={"from": day.isoformat(), "to": (day + timedelta(days=4)).isoformat()},
            headers=COORDINATOR,
        )
        return answer.status_code == 200 and len(answer.json()["slots"]) == 5

    await eventually(planned, timeout=timeout, what="attendance to plan the agreed week")
    return participant


def settings_for(url: str) -> WebSettings:
    """The web's settings with every service at one stand-in (a Starlette app a test serves)."""
    from forlob_shared.ops.dpo import SERVICES

    return WebSettings(environment="test", **{f"{s}_url": url for s in SERVICES})  # type: ignore[arg-type]


def form_key(html: str, action: str) -> str:
    """The idempotency key drawn with the form that posts to ``action`` (a double click is one action)."""
    found = re.search(re.escape(action) + r'".*?name="key" value="([^"]+)"', html, re.S)
    assert found, f"no form {action}"
    return found.group(1)

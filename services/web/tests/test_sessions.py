"""Sessions on the server (issue 25, item 5) and the sign-in limit (item 4), without the services:
the local sign-in mints its token here, and ``/`` only redirects (to sign-in, or to the person's
home page), so no test here calls a service."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from forlob_shared.clock import ManualClock
from forlob_testkit.servers import free_port
from forlob_testkit.web import Person
from forlob_web.app import create_app
from forlob_web.settings import WebSettings

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
CASEWORKER = {"org": "jobcenter-aalborg", "staff": "cw-1", "roles": "caseworker"}


def _settings(**overrides: Any) -> WebSettings:
    nowhere = f"http://127.0.0.1:{free_port()}"
    values: dict[str, Any] = {"environment": "test", **{f"{s}_url": nowhere for s in ("referral", "attendance")}}
    values |= {"notifications_url": nowhere, "reporting_url": nowhere}
    return WebSettings(**{**values, **overrides})


@contextlib.asynccontextmanager
async def _web(clock: ManualClock, **overrides: Any) -> AsyncIterator[tuple[Any, Callable[..., Person]]]:
    """The app on a manual clock, and ``browser(address)``: a new browser at that address."""
    app = create_app(_settings(**overrides), clock)
    async with app.router.lifespan_context(app), contextlib.AsyncExitStack() as stack:

        def browser(address: str = "192.0.2.10") -> Person:
            transport = httpx.ASGITransport(app=app, client=(address, 50000))
            client = httpx.AsyncClient(transport=transport, base_url="http://web.test")
            stack.push_async_callback(client.aclose)
            return Person(client)

        yield app, browser


async def _sign_in(person: Person) -> httpx.Response:
    await person.get("/sign-in")
    response = await person.post("/sign-in/local", CASEWORKER)
    assert response.status_code == 303, response.text
    return response


def _session_cookie(response: httpx.Response) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith("forlob_session=")]
    assert len(found) == 1, response.headers
    return found[0]


def _tokens_in(text: str) -> list[str]:
    """JWTs in ``text`` or in any base64 part of it (a signed cookie is base64 JSON, not secret)."""
    found = JWT.findall(text)
    for part in re.split(r"[.;=\s]", text):
        with contextlib.suppress(binascii.Error, ValueError):
            found += JWT.findall(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace"))
    return found


async def test_no_token_reaches_the_browser_only_an_opaque_session_id() -> None:
    async with _web(ManualClock(NOW)) as (app, browser):
        person = browser()
        answers = [await person.get("/sign-in"), await person.post("/sign-in/local", CASEWORKER)]
        answers += [await person.get("/"), await person.get("/sign-in"), await person.get("/health/live")]
        for answer in answers:
            for header in answer.headers.get_list("set-cookie"):
                assert _tokens_in(header) == [], header
            assert _tokens_in(answer.text) == [], answer.request.url
        cookie = _session_cookie(answers[1])
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), cookie  # 256 random bits, nothing else
        flags = cookie.lower()
        assert {"httponly", "samesite=lax", "path=/"} <= {flag.strip() for flag in flags.split(";")}
        assert "secure" not in flags  # plain http locally; production below
        # The token is on the server, under the session (and not under the cookie's value).
        assert answers[2].headers["location"] == "/referrals"
        assert len(app.state.sessions) == 1

    async with _web(ManualClock(NOW), secure_cookies=True) as (_, browser):
        assert "; secure" in _session_cookie(await browser().get("/sign-in")).lower()


async def test_signing_out_ends_the_session_and_a_copied_cookie_with_it() -> None:
    async with _web(ManualClock(NOW)) as (app, browser):
        person = browser()
        cookie = _session_cookie(await _sign_in(person)).split(";", 1)[0].split("=", 1)
        thief = browser("203.0.113.66")
        thief.http.cookies.set(cookie[0], cookie[1], domain="web.test")
        # Before sign-out the copied cookie is the session (as any bearer credential is) ...
        assert (await thief.get("/")).headers["location"] == "/referrals"

        await person.get("/no-such-page")  # a page (404) with the sign-out form and its CSRF token
        signed_out = await person.post("/sign-out")
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == "/sign-in"
        forget = _session_cookie(signed_out).lower()
        assert "max-age=0" in forget or "expires=thu, 01 jan 1970" in forget  # the browser forgets it too
        assert (await person.get("/")).headers["location"].startswith("/sign-in")

        # ... and after it the copied cookie is worth nothing: the session is gone on the server.
        replayed = await thief.get("/")
        assert replayed.status_code == 303
        assert replayed.headers["location"] == "/sign-in?next=/"
        assert (await thief.get("/referrals")).headers["location"] == "/sign-in?next=/referrals"
        assert not any("user" in data for data in _stored(app))


async def test_sign_in_gives_a_new_session_id_and_a_session_ends_after_its_lifetime() -> None:
    clock = ManualClock(NOW)
    async with _web(clock, session_max_age=3600) as (_, browser):
        person = browser()
        before = _session_cookie(await person.get("/sign-in")).split(";", 1)[0]
        after = _session_cookie(await person.post("/sign-in/local", CASEWORKER)).split(";", 1)[0]
        assert before != after
        # An id planted in a browser before the sign-in (session fixation) signs nobody in.
        planted = browser("203.0.113.67")
        name, value = before.split("=", 1)
        planted.http.cookies.set(name, value, domain="web.test")
        assert (await planted.get("/")).headers["location"].startswith("/sign-in")

        assert (await person.get("/")).headers["location"] == "/referrals"
        clock.advance(timedelta(minutes=59))
        assert (await person.get("/")).headers["location"] == "/referrals"
        clock.advance(timedelta(minutes=1))
        assert (await person.get("/")).headers["location"] == "/sign-in?next=/"


async def test_sign_ins_are_limited_per_address_with_a_page_that_says_when_to_try_again() -> None:
    clock = ManualClock(NOW)
    async with _web(clock, rate_sign_in_per_minute=4) as (_, browser):
        for _ in range(4):  # four people in one office, one address
            await _sign_in(browser("198.51.100.20"))
        fifth = browser("198.51.100.20")
        await fifth.get("/sign-in")
        refused = await fifth.http.post(
            "/sign-in/local", data={"csrf": fifth.csrf, **CASEWORKER}, headers={"Accept-Language": "en"}
        )
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "15"  # one sign-in's share of the minute
        assert "Too many sign-ins from here. Try again in 15 seconds." in refused.text
        danish = await fifth.http.post("/sign-in/local", data={"csrf": fifth.csrf, **CASEWORKER})
        assert danish.status_code == 429
        assert "For mange forsøg på at logge ind herfra" in danish.text
        assert (await fifth.get("/")).headers["location"].startswith("/sign-in")  # not signed in
        # Another address signs in meanwhile; this one again once the wait is over.
        await _sign_in(browser("198.51.100.21"))
        clock.advance(timedelta(seconds=15))
        await _sign_in(fifth)
        assert (await fifth.get("/")).headers["location"] == "/referrals"


def _stored(app: Any) -> list[dict[str, Any]]:
    return [entry.data for entry in app.state.sessions._entries.values()]

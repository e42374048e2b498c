"""What the web front end does without the services: the message catalogue, the language, the
production guards, the sign-in forms, and the OpenID Connect redirect (PKCE) against an identity
provider's discovery document served by a real HTTP server."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_shared.testing.servers import free_port
from forlob_web.i18n import MESSAGES, pick_language, translator
from forlob_web.settings import WebSettings
from forlob_web.testing import csrf_of, web_in_process, web_server

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "forlob_web" / "templates"


def _offline(**overrides: object) -> WebSettings:
    nowhere = f"http://127.0.0.1:{free_port()}"
    values: dict[str, object] = {
        "environment": "test",
        "referral_url": nowhere,
        "attendance_url": nowhere,
        "notifications_url": nowhere,
        "reporting_url": nowhere,
    }
    return WebSettings(**{**values, **overrides})  # type: ignore[arg-type]


def test_every_message_the_templates_use_is_there_in_both_languages() -> None:
    found = (
        re.findall(r'(?<![\w.])t\(\s*["\']([\w.-]+)["\']\s*[,)]', page.read_text()) for page in TEMPLATES.glob("*.html")
    )
    used = {key for keys in found for key in keys}
    assert used, "no messages found in the templates"
    assert sorted(used - MESSAGES.keys()) == []
    for key, (danish, english) in MESSAGES.items():
        assert danish.strip(), key
        assert english.strip(), key
        assert sorted(re.findall(r"{(\w+)}", danish)) == sorted(re.findall(r"{(\w+)}", english)), key


def test_the_language_comes_from_the_cookie_then_the_browser_then_danish() -> None:
    assert pick_language("en", "da") == "en"
    assert pick_language(None, "en-GB,en;q=0.9,da;q=0.8") == "en"
    assert pick_language(None, "de-DE, da;q=0.5, en;q=0.4") == "da"
    assert pick_language("fr", "fr-FR") == "da"
    assert pick_language(None, None) == "da"
    assert translator("en")("attendance.late", minutes=5) == "5 min late"
    assert translator("da")("no.such.key") == "no.such.key"


def test_production_refuses_the_local_sign_in_and_the_development_secrets() -> None:
    production = {"environment": "production", "jwt_jwks_url": "https://idp.example/jwks"}
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        WebSettings(**production)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="OIDC_DISCOVERY_URL"):
        WebSettings(**production, session_secret="a-long-random-secret-for-the-cookies")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="local sign-in"):
        WebSettings(
            **production,  # type: ignore[arg-type]
            session_secret="a-long-random-secret-for-the-cookies",
            oidc_discovery_url="https://idp.example/.well-known/openid-configuration",
            oidc_client_id="forlob-web",
            local_sign_in=True,
        )
    ok = WebSettings(
        **production,  # type: ignore[arg-type]
        session_secret="a-long-random-secret-for-the-cookies",
        oidc_discovery_url="https://idp.example/.well-known/openid-configuration",
        oidc_client_id="forlob-web",
    )
    assert (ok.local_sign_in, ok.secure_cookies, ok.oidc_enabled) == (False, True, True)
    assert "session_secret" not in ok.public_dict()


async def test_sign_in_forms_refuse_a_missing_csrf_token_and_bad_input() -> None:
    async with web_in_process(_offline()) as people:
        person = await people()
        page = await person.get("/sign-in", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert '<html lang="en">' in page.text
        assert 'for="person-0"' in page.text
        forged = await person.http.post("/sign-in/local", data={"csrf": "guess", "person": "0"})
        assert forged.status_code == 403
        assert (await person.http.get("/inbox")).status_code == 303  # still signed out
        bad = await person.post("/sign-in/local", {"org": "rca-aalborg", "staff": "x", "roles": "Not A Role"})
        assert bad.status_code == 422
        assert "roles" in bad.text

        await person.sign_in("rca-aalborg", "kp-1", "contact_person")
        inbox = await person.get("/inbox")
        assert inbox.status_code == 200  # a page whose service is down still answers, in words
        assert "svarer ikke lige nu" in inbox.text
        assert (await person.http.get("/no-such-page")).status_code == 404
        signed_out = await person.post("/sign-out")
        assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/sign-in")
        assert (await person.http.get("/inbox")).status_code == 303
        switched = await person.http.get("/language/en?back=//evil.example/")
        assert switched.headers["location"] == "/"
        assert "lang=en" in switched.headers["set-cookie"]


@contextlib.asynccontextmanager
async def _identity_provider() -> AsyncIterator[str]:
    """An identity provider's discovery document, served for real (the web fetches it over HTTP)."""
    import asyncio

    import uvicorn

    port = free_port()
    issuer = f"http://127.0.0.1:{port}"

    async def discovery(_: object) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    app = Starlette(routes=[Route("/.well-known/openid-configuration", discovery)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield issuer
    finally:
        server.should_exit = True
        await task


async def test_openid_connect_sends_the_person_to_the_identity_provider_with_pkce() -> None:
    async with _identity_provider() as issuer:
        settings = _offline(
            local_sign_in=False,
            oidc_discovery_url=f"{issuer}/.well-known/openid-configuration",
            oidc_client_id="forlob-web",
            oidc_client_secret="s3cret",
        )
        async with web_server(settings) as base, httpx.AsyncClient(base_url=base) as browser:
            answer = await browser.get("/sign-in?next=/intake")
            assert answer.status_code == 302, answer.text
            target = urlsplit(answer.headers["location"])
            assert f"{target.scheme}://{target.netloc}{target.path}" == f"{issuer}/authorize"
            query = parse_qs(target.query)
            assert query["response_type"] == ["code"]
            assert query["client_id"] == ["forlob-web"]
            assert query["code_challenge_method"] == ["S256"]
            assert len(query["code_challenge"][0]) >= 43
            assert query["redirect_uri"] == [f"{base}/sign-in/callback"]
            assert "openid" in query["scope"][0]
            # A callback that does not match the state sent: refused in words, no session.
            forged = await browser.get("/sign-in/callback", params={"code": "x", "state": "not-the-state"})
            assert forged.status_code == 401
            assert "Traceback" not in forged.text
            assert (await browser.get("/inbox")).status_code == 303
            assert "local" not in (await browser.get("/sign-in", follow_redirects=False)).headers.get("location", "")
        assert csrf_of('<input name="csrf" value="abc">') == "abc"

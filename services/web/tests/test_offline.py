"""What the web front end does without the services: the message catalogue, the language, the
production guards, the sign-in forms, and the OpenID Connect redirect (PKCE) against an identity
provider's discovery document served by a real HTTP server."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_referral.domain.records import Attainment
from forlob_shared.clock import SystemClock
from forlob_shared.events.common import AbsenceReason, Outcome
from forlob_shared.texts import CODES, FIGURES, code_text, definition, every_code, figure_name, raw_codes
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.servers import free_port
from forlob_testkit.web import csrf_of, visible_text, web_in_process, web_server
from forlob_web.employment_figures_view import clarification_cards
from forlob_web.figures_view import DIMENSIONS, groups, period_of
from forlob_web.forms import REFERRAL_FIELDS
from forlob_web.i18n import LANGUAGES, MESSAGES, pick_language, translator
from forlob_web.routes.figures import CHARTS
from forlob_web.session import DEMO_PEOPLE
from forlob_web.settings import WebSettings
from forlob_web.web import Web

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


def test_every_message_the_templates_use_is_there_in_all_three_languages() -> None:
    found = (
        re.findall(r'(?<![\w.])t\(\s*["\']([\w.-]+)["\']\s*[,)]', page.read_text()) for page in TEMPLATES.glob("*.html")
    )
    used = {key for keys in found for key in keys}
    assert used, "no messages found in the templates"
    assert sorted(used - MESSAGES.keys()) == []
    assert LANGUAGES == ("da", "sv", "en")
    for key, text in MESSAGES.items():
        placeholders = {lang: sorted(re.findall(r"{(\w+)}", text.in_language(lang))) for lang in LANGUAGES}
        for lang in LANGUAGES:
            assert text.in_language(lang).strip(), (key, lang)
            assert placeholders[lang] == placeholders["da"], (key, lang)


def test_the_language_comes_from_the_cookie_then_the_browser_then_danish() -> None:
    assert pick_language("en", "da") == "en"
    assert pick_language(None, "en-GB,en;q=0.9,da;q=0.8") == "en"
    assert pick_language(None, "de-DE, da;q=0.5, en;q=0.4") == "da"
    assert pick_language("fr", "fr-FR") == "da"
    assert pick_language(None, None) == "da"
    assert pick_language("sv", "da") == "sv"
    assert pick_language(None, "sv") == "sv"
    assert pick_language(None, "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7") == "sv"
    assert pick_language(None, "de-DE, sv-FI;q=0.6, da;q=0.5") == "sv"
    assert translator("sv")("attendance.late", minutes=5) == "5 min försenad"
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

    def provider(port: int) -> Starlette:
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

        return Starlette(routes=[Route("/.well-known/openid-configuration", discovery)])

    async with serving_app(app_for_port=provider) as issuer:
        yield issuer


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


# -- codes a person reads: always words (forlob_shared.texts), never the code -----------------------


def test_templates_name_codes_only_through_the_shared_catalogue() -> None:
    for page in TEMPLATES.glob("*.html"):
        text = page.read_text()
        # a message key built from a code ("kind." + alert.kind) shows the key when a code is new;
        # the charts, the closing note's parts and the form's fields are the web's own fixed lists
        built = re.findall(r"""\bt\(\s*["']([\w.]+\.)["']\s*[~+]""", text)
        assert set(built) <= {"chart.", "note.", "field.", "weekday."}, (page.name, built)  # weekday.0-6: fixed
        for domain in re.findall(r"""\bcode\(\s*["'](\w+)["']""", text):
            assert domain in CODES, (page.name, domain)
    assert all(f"chart.{name}" in MESSAGES for name in CHARTS)
    assert all(f"field.{name}" in MESSAGES for name in REFERRAL_FIELDS)
    parts = ("summary", "resources", "development_possibilities", "next_step")
    assert all(f"note.{part}" in MESSAGES for part in parts)


@functools.cache
def _web() -> Web:
    return Web(_offline(), SystemClock(), httpx.AsyncClient())


def _page(template: str, lang: str = "da", **values: object) -> str:
    web = _web()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(web=web)))
    context = {"request": request, "user": None, "csrf": "c", "flash": None, "nav": [], "path": "/", **values}
    return web.templates.get_template(template).render(**web.words(lang), **context)


def _nested(flat: dict[str, object]) -> dict[str, object]:
    """A row as reporting answers it, from its dotted (CSV) names."""
    row: dict[str, object] = {"provider_org": "rca-aalborg", "programme_code": "RCA-UDV-13"}
    for name, value in flat.items():
        *parents, last = name.split(".")
        into = row
        for parent in parents:
            into = into.setdefault(parent, {})  # type: ignore[assignment]
        into[last] = value
    return row


def _figures_page(lang: str, now: dict[str, object], before: dict[str, object], **values: object) -> str:
    period = period_of(date(2026, 9, 1), date(2026, 11, 29), date(2026, 12, 1))
    late = {**_alert("absence"), "referral_id": "r1b2c3d4-0000-0000-0000-000000000000", "recipient_staff_id": "kp-1"}
    return _page(
        "figures.html",
        lang,
        **{
            "found": SimpleNamespace(error=None),
            "groups": groups([_nested(now)], [_nested(before)]),
            "period": period,
            "previous": period.before(),
            "query": "start=2026-09-01&end=2026-11-29",
            "charts": CHARTS,
            "alerts": SimpleNamespace(data=[late], error=None),
            "names": {},
            "definition": lambda name: definition(name, lang),
            "sections": {"clarification": (SimpleNamespace(error=None), clarification_cards([_RESULTS], lang))},
            **values,
        },
    )


def _every_recommendation() -> dict[str, int]:
    from forlob_shared.events.employment import Recommendation

    return {r.value: 1 for r in Recommendation}


# A clarification results row naming every recommendation: each shown in words on the figures page.
_RESULTS = {
    "provider_org": "rca-aalborg",
    "programme_code": "AFK-AAL",
    "results": 5,
    "by_recommendation": _every_recommendation(),
    "meetings_held": {"count": 5, "median": 6.0, "p90": 8.0},
    "with_work_trial": 2,
    "with_specialist_assessment": 1,
}


def _alert(kind: str, state: str = "open", **facts: object) -> dict[str, object]:
    return {
        "id": "a1b2c3d4-0000-0000-0000-000000000000",
        "kind": kind,
        "state": state,
        "referral_id": None,
        "participant_ref": None,
        "programme_code": "RCA-UDV-13",
        "occurred_at": "2026-11-23T08:00:00+00:00",
        "raised_at": "2026-11-23T08:16:00+00:00",
        "due_at": "2026-11-23T08:46:00+00:00",
        "escalated_to": None,
        "acknowledged_by": "kp-1" if state == "acknowledged" else None,
        "acknowledged_at": "2026-11-23T08:30:00+00:00" if state == "acknowledged" else None,
        "acknowledgement_note": None,
        "close_reason": "course_ended" if state == "closed" else None,
        "facts": facts,
    }


ALERT_FACTS: dict[str, dict[str, object]] = {
    "absence": {"absence_id": "x"},
    "absence_notice": {
        "minutes_missed": 240,
        "agreed_minutes": 240,
        "reason_given_at": "2026-11-23T09:30:00+00:00",
        "contact_attempts": 1,
        "reason": "illness",
        "legal_basis": "LAB-42",
    },
    "breach": {"rule": "consecutive_days", "unexcused_absences": 2, "window": "2026-11-09..2026-11-20"},
    "closing_note_ready": {"outcome": "ordinary_employment"},
    "webhook_disabled": {"subscription_id": "s", "retry_hours": 24},
}


@pytest.mark.parametrize("lang", ["da", "sv", "en"])
def test_every_page_that_shows_a_code_shows_words(lang: str) -> None:
    """The inbox, an alert's page, a referral with its outcome, goal attainment and statement,
    the figures and the sign-in page: for every code of every kind, no code in what is read."""
    also = every_code() if lang != "en" else set()  # single-word codes are English words
    shown: list[str] = []
    for kind, facts in ALERT_FACTS.items():
        for state in ("open", "acknowledged", "closed"):
            alert = _alert(kind, state, **facts)
            shown.append(_page("alert.html", lang, alert=alert, names={}))
            shown.append(_page("inbox.html", lang, alerts=SimpleNamespace(data=[alert], error=None), names={}))
    for outcome, attainment in zip(list(Outcome), list(Attainment) * 4, strict=False):
        referral = {
            "id": "r1b2c3d4",
            "programme_code": "RCA-UDV-13",
            "provider_org": "rca-aalborg",
            "state": "ended",
            "received_at": "2026-11-02T09:00:00+00:00",
            "course": {
                "planned_end_date": "2027-02-26",
                "end_date": "2026-12-04",
                "outcome": outcome.value,
                "closing_meeting": {
                    "starts_at": "2026-12-03T09:00:00+00:00",
                    "place": "phone_call",
                    "caseworker_invited": True,
                },
            },
        }
        note = {"summary": "s", "resources": "r", "development_possibilities": "d", "next_step": "n"}
        sub_goals = [{"sub_goal": "Arrive by 08:00", "attainment": attainment.value}]
        note["goal_attainment"] = [
            {"goal": "Stable attendance", "attainment": attainment.value, "sub_goals": sub_goals}
        ]  # type: ignore[assignment]
        nothing_agreed = {"agreed_hours": 0.0, "attended_hours": 0.0, "attendance_rate": None}
        statement = {"weeks": [{"week_start": "2026-11-30", **nothing_agreed, "absent_hours": 0.0}]}
        statement["totals"] = nothing_agreed  # type: ignore[assignment]
        page = _page(
            "referral.html",
            lang,
            referral=referral,
            note=SimpleNamespace(data=note, error=None),
            statement=SimpleNamespace(data=statement, error=None),
        )
        assert code_text("outcome", outcome.value, lang) in visible_text(page)
        assert code_text("attainment", attainment.value, lang) in visible_text(page)
        assert f"Arrive by 08:00: {code_text('attainment', attainment.value, lang)}" in visible_text(page)
        assert code_text("place_kind", "phone_call", lang) in visible_text(page)  # the closing meeting's place
        # no hours agreed: the attendance rate is not 0 %, it does not apply
        assert re.search(r'<span class="rate">(ikke relevant|ej tillämpligt|n/a)</span>', page), page
        shown.append(page)
    row = {name: 1.5 for name in FIGURES if name not in DIMENSIONS}
    row |= {f"outcomes.by_outcome.{o.value}": 1 for o in Outcome}
    row |= {f"attendance.absences_by_reason.{r.value}": 2 for r in AbsenceReason}
    row |= {"occupancy.mean_occupancy": None}
    figures = _figures_page(lang, row, {**row, "waiting_days.median": 4.0, "attendance.attendance_rate": 0.5})
    mean_seats = {
        "da": "Belagte pladser (gennemsnit)",
        "sv": figure_name("occupancy.mean_occupancy", "sv"),
        "en": "Mean seats used",
    }
    assert mean_seats[lang] in visible_text(figures)
    assert "150 %" in visible_text(figures)  # a share as a percentage
    shown.append(figures)
    shown.append(_page("sign_in.html", lang, people=DEMO_PEOPLE, error=None, needed=False))
    for page in shown:
        assert raw_codes(visible_text(page), also=also) == [], visible_text(page)
    assert "Kontaktperson" in visible_text(shown[-1]) or lang == "en"


def _work_pages(lang: str) -> list[str]:
    """The caseload, one participant's work and the referral page, with every code of work and
    the way into it (forlob_shared.events.employment) shown once."""
    from forlob_shared.events.employment import (
        Disclosure,
        EmployerContactKind,
        Recommendation,
        SpellEndReason,
        SpellKind,
        SupportPhase,
        WorkAbilityArea,
    )

    employer = "e0e0e0e0-0000-4000-8000-000000000001"
    ended = [
        {"id": f"s{i}", "employer_id": employer, "kind": kind.value, "start_date": "2027-01-04", "weekly_hours": 12.5,
         "disclosure": disclosure.value, "end_date": "2027-03-01", "end_reason": reason.value}
        for i, (kind, disclosure, reason) in enumerate(
            zip(list(SpellKind) * 2, list(Disclosure) * 3, list(SpellEndReason), strict=False)
        )
    ]  # fmt: skip
    areas = [a.value for a in WorkAbilityArea]
    pages = []
    for phase, recommendation in zip(list(SupportPhase) * 3, list(Recommendation), strict=False):
        result = {"recommendation": recommendation.value, "resources": areas, "challenges": areas[:3],
                  "meetings_held": 9, "work_trials": 2, "specialist_assessments": 1, "day": "2027-05-05"}  # fmt: skip
        work = {"phase": phase.value, "phase_since": "2027-05-03", "spells": ended, "clarification_result": result}
        data = SimpleNamespace(data=work, error=None)
        referral = {"id": "r1b2c3d4", "programme_code": "IPS", "provider_org": "rca-aalborg", "state": "started"}
        referral |= {"received_at": "2026-11-02T09:00:00+00:00", "course": {"planned_end_date": "2027-02-26"}}
        nothing = SimpleNamespace(data=None, error=None)
        pages.append(_page("referral.html", lang, referral=referral, note=nothing, statement=nothing, work=data))
    contacts = [
        {"day": "2027-05-05", "kind": k.value, "employer_id": employer, "staff_id": "kp-1"} for k in EmployerContactKind
    ]
    rows = [{"referral_id": "r1b2c3d4", "contact_person_id": "kp-1", "participant_name": None, "employment": work,
             "job": ended[0], "latest_contact": c} for c in contacts]  # fmt: skip
    pages.append(_page("caseload.html", lang, found=nothing, rows=rows, employer_names={}, everyone=True))
    return pages


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_pages_of_work_show_every_code_in_words(lang: str) -> None:
    for page in _work_pages(lang):
        assert raw_codes(visible_text(page), also=every_code()) == [], visible_text(page)
    referral = visible_text(_work_pages(lang)[0])
    assert code_text("recommendation", "ordinary_work_or_education", lang) in referral
    assert "Arbejdsgiver #e0e0e0e0" in referral or lang == "sv"


# -- Swedish: the pages in the third language ------------------------------------------------------

# Words only a Danish page says; a Swedish page must not fall back to them.
DANISH_ONLY = (
    "Log ind",
    "Log ud",
    "Advarsler",
    "henvisning",
    "Henvisning",
    "Sprog",
    "Hovedmenu",
    "Fremmøde",
    "svarer ikke",
)


def _switch(page: str) -> dict[str, str]:
    """The language switch in the header: each language's name, and where it leads (or "current")."""
    header = page.split('<span class="lang"', 1)[1].split("</span>", 1)[0]
    links = dict(re.findall(r'<a href="/language/(\w+)\?back=[^"]*"[^>]*>([^<]+)</a>', header))
    current = re.findall(r'<strong lang="(\w+)" aria-current="true">([^<]+)</strong>', header)
    return {**{name: f"/language/{code}" for code, name in links.items()}, **{name: "current" for _, name in current}}


async def test_the_pages_speak_swedish_from_the_browser_and_from_the_switch() -> None:
    async with web_in_process(_offline()) as people:
        person = await people()
        page = await person.get("/sign-in", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.8"})
        assert '<html lang="sv">' in page.text
        read = visible_text(page.text)
        assert "Logga in i Forløb" in read
        assert "Kontaktperson" in read
        assert [word for word in DANISH_ONLY if word in read] == []
        assert _switch(page.text) == {"Dansk": "/language/da", "Svenska": "current", "English": "/language/en"}

        # The switch's cookie wins over a Danish browser, on every page after it.
        switched = await person.http.get("/language/sv?back=/inbox")
        assert (switched.status_code, switched.headers["location"]) == (303, "/inbox")
        assert "lang=sv" in switched.headers["set-cookie"]
        await person.sign_in("rca-aalborg", "kp-1", "contact_person")
        inbox = await person.get("/inbox", headers={"Accept-Language": "da"})
        assert '<html lang="sv">' in inbox.text
        read = visible_text(inbox.text)
        for words in (
            "Öppna varningar",
            "Dagens närvaro",
            "Logga ut",
            "Inloggad som kp-1",
            "Meddelandetjänsten svarar inte",
        ):
            assert words in read, (words, read)
        assert [word for word in DANISH_ONLY if word in read] == []
        assert _switch(inbox.text) == {"Dansk": "/language/da", "Svenska": "current", "English": "/language/en"}

        back = await person.http.get("/language/da?back=/inbox")
        assert "lang=da" in back.headers["set-cookie"]
        danish = await person.get("/inbox")
        assert '<html lang="da">' in danish.text
        assert "Advarsler" in visible_text(danish.text)
        assert _switch(danish.text) == {"Dansk": "current", "Svenska": "/language/sv", "English": "/language/en"}


def test_a_swedish_page_writes_dates_and_numbers_the_swedish_way() -> None:
    referral = {
        "id": "r1b2c3d4",
        "programme_code": "RCA-UDV-13",
        "provider_org": "rca-aalborg",
        "state": "started",
        "received_at": "2026-11-02T09:00:00+00:00",
    }
    week = {"week_start": "2026-11-30", "agreed_hours": 7.5, "attended_hours": 6.0, "absent_hours": 1.5}
    totals = {"agreed_hours": 7.5, "attended_hours": 6.0, "attendance_rate": 0.8}
    statement = SimpleNamespace(data={"weeks": [week], "totals": totals}, error=None)
    nothing = SimpleNamespace(data=None, error=None)
    pages = {
        lang: visible_text(_page("referral.html", lang, referral=referral, note=nothing, statement=statement))
        for lang in LANGUAGES
    }
    assert "2026-11-02 10:00" in pages["sv"]
    assert "7,5" in pages["sv"]
    assert "1,5" in pages["sv"]
    assert "Närvarosammanställning" in pages["sv"]
    assert "Remiss" in pages["sv"]
    assert "7,5" in pages["da"]  # Babel: Danish writes a decimal comma too, English a point
    assert "7.5" in pages["en"]
    for lang in ("da", "en"):  # the day and month with dots
        assert "02.11. 10:00" in pages[lang], pages[lang]
    day = date(2026, 12, 2)
    empty = {"slots": SimpleNamespace(error=None), "missing": [], "rows": [], "reasons": [], "day": day, "today": day}
    assert "Närvaro 2026-12-02" in visible_text(_page("attendance.html", "sv", **empty))
    assert "Fremmøde 02.12.2026" in visible_text(_page("attendance.html", "da", **empty))

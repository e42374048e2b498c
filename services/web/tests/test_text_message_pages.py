"""The participant's consent to text messages on the referral page, against a stand-in referral
service that records what it is asked: the coordinator records a yes (number, language, how), the
page then shows the number masked and never whole, and the withdrawal; a form not filled in right
asks nothing of the service; a number the service refuses is said in the reader's words without
repeating it; the caseworker and another provider's staff are offered no such section; no code is
left raw."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_shared.clock import ManualClock
from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.web import form_key, settings_for, visible_text, web_in_process

RID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e70"
NOW = datetime(2026, 9, 21, 8, tzinfo=UTC)
NUMBER = "+45 20 12 34 56"
MASKED = "+45 •• •• •• 56"


def _consent(state: dict[str, Any]) -> dict[str, Any]:
    history = state["history"]
    last = history[-1] if history else None
    return {
        "referral_id": RID,
        "status": last["status"] if last else None,
        "language": state.get("language"),
        "mobile_number_masked": MASKED if last else None,
        "channel": last["channel"] if last else None,
        "changed_by": "co-3" if last else None,
        "changed_at": last["changed_at"] if last else None,
        "history": history,
    }


@contextlib.asynccontextmanager
async def _referral_service(state: dict[str, Any], posted: list[tuple[str, str, Any]]) -> AsyncIterator[str]:
    async def referral(request: Request) -> JSONResponse:
        body = {
            "id": RID,
            "programme_code": "RCA-UDV",
            "provider_org": "rca-aalborg",
            "referring_org": "jobcenter-aalborg",
            "state": state["referral_state"],
            "received_at": "2026-09-01T09:00:00+00:00",
            "participant": {"name": "Ida Lund"},
        }
        return JSONResponse(body)

    async def consent(request: Request) -> JSONResponse:
        state["reads"] += 1
        return JSONResponse(_consent(state))

    async def opt_in(request: Request) -> JSONResponse:
        body = await request.json()
        posted.append(("opt-in", request.headers.get("idempotency-key", ""), body))
        if not body["mobile_number"].startswith("+45"):
            problem = {
                "type": "https://forlob.dk/problems/invalid-input",
                "title": "Invalid input",
                "status": 422,
                "detail": "the mobile number must be Danish (+45) or Swedish (+46)",
                "field": "mobile_number",
            }
            return JSONResponse(problem, status_code=422, media_type="application/problem+json")
        state["language"] = body["language"]
        state["history"].append(
            {
                "status": "opted_in",
                "channel": body["channel"],
                "changed_by": "co-3",
                "changed_at": "2026-09-21T08:00:00Z",
            }
        )
        return JSONResponse(_consent(state))

    async def withdraw(request: Request) -> JSONResponse:
        body = await request.json()
        posted.append(("withdraw", request.headers.get("idempotency-key", ""), body))
        state["history"].append(
            {
                "status": "opted_out",
                "channel": body["channel"],
                "changed_by": "co-3",
                "changed_at": "2026-09-21T08:05:00Z",
            }
        )
        return JSONResponse(_consent(state))

    async def nothing(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "not found"}, status_code=404)

    app = Starlette(
        routes=[
            Route("/referrals/{rid}", referral),
            Route("/referrals/{rid}/sms-consent", consent),
            Route("/referrals/{rid}/sms-consent", opt_in, methods=["POST"]),
            Route("/referrals/{rid}/sms-consent/withdraw", withdraw, methods=["POST"]),
            Route("/{path:path}", nothing, methods=["GET", "POST"]),
        ]
    )
    async with serving_app(app) as url:
        yield url


def _state(referral_state: str = "accepted") -> dict[str, Any]:
    return {"referral_state": referral_state, "history": [], "language": None, "reads": 0}


async def test_the_coordinator_records_the_consent_and_it_is_withdrawn_from_the_referral_page() -> None:
    state, posted = _state(), []  # type: ignore[var-annotated]
    async with (
        _referral_service(state, posted) as url,
        web_in_process(settings_for(url), ManualClock(NOW)) as people,
    ):
        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        page = await coordinator.get(f"/referrals/{RID}")
        text = visible_text(page.text)
        assert "Deltageren er ikke spurgt endnu." in text
        assert raw_codes(text, also=every_code()) == []
        action = f"/referrals/{RID}/sms-consent"
        key = form_key(page.text, action)

        half = {"mobile_number": "", "language": "ar", "channel": "in_person", "key": key}
        refused = await coordinator.post(action, half)
        assert refused.headers["location"] == f"/referrals/{RID}#text-messages"
        assert posted == []  # not filled in right: nothing asked of the service
        assert "Udfyld mobilnummer" in visible_text((await coordinator.get(refused.headers["location"])).text)

        foreign = await coordinator.post(action, {**half, "mobile_number": "+47 912 34 567", "key": "k-foreign"})
        said = (await coordinator.get(foreign.headers["location"])).text
        assert "Nummeret er ikke et dansk eller svensk mobilnummer." in visible_text(said)
        assert "912 34 567" not in said  # the refused number is not repeated

        done = await coordinator.post(action, {**half, "mobile_number": NUMBER})
        after = (await coordinator.get(done.headers["location"])).text
        words = visible_text(after)
        assert "Samtykket til sms er registreret." in words
        assert "Har sagt ja til sms" in words
        assert "Arabisk" in words
        assert "Personligt" in words
        assert MASKED in words
        assert "12 34 56" not in after  # never the whole number
        assert "20123456" not in after
        assert raw_codes(words, also=every_code()) == []
        assert posted[-1] == ("opt-in", key, {"mobile_number": NUMBER, "language": "ar", "channel": "in_person"})
        assert "Skift nummer eller sprog" in words  # a yes may be changed, and withdrawn

        withdraw = f"/referrals/{RID}/sms-consent/withdraw"
        key = form_key(after, withdraw)
        assert (await coordinator.post(withdraw, {"channel": "sms_stop", "key": key})).status_code == 303
        assert posted[-1][0] == "opt-in"  # STOP is the participant's own: not a channel staff record
        gone = await coordinator.post(withdraw, {"channel": "phone", "key": key})
        words = visible_text((await coordinator.get(gone.headers["location"])).text)
        assert "Der sendes ikke flere sms'er til deltageren." in words
        assert "Har frameldt sms" in words
        assert posted[-1] == ("withdraw", key, {"channel": "phone"})


async def test_only_the_providers_staff_see_it_and_only_while_the_participant_is_expected() -> None:
    state = _state("started")
    async with _referral_service(state, []) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        contact_person = await people()
        await contact_person.sign_in("rca-aalborg", "kp-1", "contact_person")
        assert 'id="text-messages"' in (await contact_person.get(f"/referrals/{RID}")).text

        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        reads = state["reads"]
        assert 'id="text-messages"' not in (await caseworker.get(f"/referrals/{RID}")).text
        assert (await caseworker.post(f"/referrals/{RID}/sms-consent", {"key": "k"})).status_code == 403

        other = await people()
        await other.sign_in("aspa-odense", "co-9", "coordinator")
        assert 'id="text-messages"' not in (await other.get(f"/referrals/{RID}")).text
        assert state["reads"] == reads  # not even asked for

        state["referral_state"] = "ended"
        assert 'id="text-messages"' not in (await contact_person.get(f"/referrals/{RID}")).text

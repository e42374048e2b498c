"""The next step on the referral page, against a stand-in referral service that records what it is
asked: the coordinator proposes a next step (the page's key, so a double click is one proposal), the
caseworker reads it in words and refers on as proposed; the next provider sees where the
participant came from; a form not filled in right asks nothing of the service; the service's refusal
is said in words; no code is left raw."""

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

RID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e60"
NEXT = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e61"
HID = "0a0b0c0d-0000-4000-8000-000000000001"
NOW = datetime(2026, 9, 21, 8, tzinfo=UTC)
FACTS: dict[str, Any] = {
    "programme_code": "RCA-FYS",
    "provider_org": "rca-aalborg",
    "start_date": "2026-09-07",
    "planned_end_date": "2026-10-18",
    "goals": {"achieved": 1, "partly_achieved": 1, "not_achieved": 0},
    "sub_goals": None,
    "recommendation": None,
    "resources": [],
    "challenges": [],
}


def _handover(state: str) -> dict[str, Any]:
    return {
        "id": HID,
        "state": state,
        "referral_id": RID,
        "referring_org": "jobcenter-aalborg",
        "provider_org": "rca-aalborg",
        "next_programme_code": "ASPA-UDV",
        "next_provider_org": "aspa-odense",
        "next_referral_id": NEXT if state == "referred" else None,
        "relation": "overlap",
        "planned_start": "2026-10-05",
        "proposed_by_provider": True,
        "created_at": "2026-09-21T08:00:00Z",
        "referred_at": None,
        "facts": FACTS,
        "meeting": None,
        "decision": _decision(state),
    }


def _decision(state: str) -> dict[str, Any] | None:
    if state == "declined":
        return {"decided_at": "2026-09-21T10:00:00Z", "decline_reason": "participant_not_ready"}
    if state == "withdrawn":
        return {"decided_at": "2026-09-21T10:00:00Z", "decline_reason": None}
    return None


@contextlib.asynccontextmanager
async def _referral_service(state: dict[str, Any], posted: list[tuple[str, str, Any]]) -> AsyncIterator[str]:
    async def referral(request: Request) -> JSONResponse:
        rid = request.path_params["rid"]
        body = {
            "id": rid,
            "programme_code": "RCA-FYS" if rid == RID else "ASPA-UDV",
            "provider_org": "rca-aalborg" if rid == RID else "aspa-odense",
            "referring_org": "jobcenter-aalborg",
            "state": "started" if rid == RID else "received",
            "received_at": "2026-09-01T09:00:00+00:00",
            "participant": {"name": "Ida Lund"},
        }
        return JSONResponse(body)

    async def handovers(request: Request) -> JSONResponse:
        if request.path_params["rid"] == NEXT:
            return JSONResponse({"onward": [], "came_from": _handover("referred")})
        onward = [_handover(state["handover"])] if state["handover"] else []
        return JSONResponse({"onward": onward, "came_from": None})

    async def propose(request: Request) -> JSONResponse:
        posted.append(("propose", request.headers.get("idempotency-key", ""), await request.json()))
        if state.get("refuse"):
            problem = {"type": "about:blank", "title": "Conflict", "status": 409, "detail": "no free seat"}
            return JSONResponse(problem, status_code=409, media_type="application/problem+json")
        state["handover"] = "proposed"
        return JSONResponse(_handover("proposed"), status_code=201)

    async def refer(request: Request) -> JSONResponse:
        posted.append(("refer", request.headers.get("idempotency-key", ""), await request.json()))
        state["handover"] = "referred"
        return JSONResponse(_handover("referred"), status_code=201)

    async def decide(request: Request) -> JSONResponse:
        action = request.path_params["action"]
        body = await request.json() if action == "decline" else None
        posted.append((action, request.headers.get("idempotency-key", ""), body))
        if state["handover"] != "proposed":
            problem = {
                "type": "about:blank",
                "title": "Conflict",
                "status": 409,
                "detail": "the caseworker declined this proposal",
                "current_state": state["handover"],
            }
            return JSONResponse(problem, status_code=409, media_type="application/problem+json")
        state["handover"] = "declined" if action == "decline" else "withdrawn"
        return JSONResponse(_handover(state["handover"]))

    async def nothing(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "not found"}, status_code=404)

    app = Starlette(
        routes=[
            Route("/referrals/{rid}", referral),
            Route("/referrals/{rid}/handovers", handovers),
            Route("/referrals/{rid}/handovers", propose, methods=["POST"]),
            Route("/handovers/{hid}/refer", refer, methods=["POST"]),
            Route("/handovers/{hid}/{action:str}", decide, methods=["POST"]),
            Route("/{path:path}", nothing, methods=["GET", "POST"]),
        ]
    )
    async with serving_app(app) as url:
        yield url


async def test_the_coordinator_proposes_and_the_caseworker_refers_on_from_the_referral_page() -> None:
    state: dict[str, Any] = {"handover": None}
    posted: list[tuple[str, str, Any]] = []
    async with (
        _referral_service(state, posted) as url,
        web_in_process(settings_for(url), ManualClock(NOW)) as people,
    ):
        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        page = await coordinator.get(f"/referrals/{RID}")
        assert 'for="next-programme"' in page.text
        assert raw_codes(visible_text(page.text), also=every_code()) == []
        key = form_key(page.text, f"/referrals/{RID}/next-step")

        half = {"programme_code": "ASPA-UDV", "provider_org": "", "relation": "overlap", "planned_start": "x"}
        refused = await coordinator.post(f"/referrals/{RID}/next-step", {**half, "key": key})
        assert refused.headers["location"] == f"/referrals/{RID}#next-step"
        assert posted == []  # not filled in right: nothing asked of the service

        form = {**half, "provider_org": "aspa-odense", "planned_start": "2026-10-05", "key": key}
        done = await coordinator.post(f"/referrals/{RID}/next-step", form)
        after = visible_text((await coordinator.get(done.headers["location"])).text)
        assert "Næste trin er foreslået" in after
        assert "Overlapper dette forløb" in after  # the relation in words
        assert "Mål: 1 nået, 1 delvist, 0 ikke nået" in after
        assert posted == [
            (
                "propose",
                key,
                {
                    "programme_code": "ASPA-UDV",
                    "provider_org": "aspa-odense",
                    "relation": "overlap",
                    "planned_start": "2026-10-05",
                },
            )
        ]
        # the coordinator proposed: only the caseworker is offered to refer on
        assert f"/handovers/{HID}/refer" not in (await coordinator.get(f"/referrals/{RID}")).text

        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        page = await caseworker.get(f"/referrals/{RID}")
        action = f"/referrals/{RID}/handovers/{HID}/refer"
        assert "Henvis videre som foreslået" in visible_text(page.text)
        key = form_key(page.text, action)
        done = await caseworker.post(action, {"key": key})
        assert "Deltageren er henvist videre." in (await caseworker.get(done.headers["location"])).text
        assert posted[-1] == ("refer", key, {})
        assert (await coordinator.post(action, {"key": "k"})).status_code == 403

        state["handover"], state["refuse"] = None, True
        late = await coordinator.post(f"/referrals/{RID}/next-step", {**form, "key": "another"})
        said = visible_text((await coordinator.get(late.headers["location"])).text)
        assert "Henvisningstjenesten svarede" in said


async def test_the_next_provider_sees_where_the_participant_came_from_in_words() -> None:
    state: dict[str, Any] = {"handover": None}
    async with _referral_service(state, []) as url, web_in_process(settings_for(url), ManualClock(NOW)) as people:
        aspa = await people()
        await aspa.sign_in("aspa-odense", "co-9", "coordinator")
        page = await aspa.get(f"/referrals/{NEXT}")
        text = visible_text(page.text)
        assert "Kommer fra" in text
        assert "RCA-FYS · rca-aalborg" in text
        assert 'for="next-programme"' not in page.text  # not a running course: no form
        assert raw_codes(text, also=every_code()) == []


async def test_the_caseworker_declines_a_proposal_with_a_reason_in_words() -> None:
    state: dict[str, Any] = {"handover": "proposed"}
    posted: list[tuple[str, str, Any]] = []
    async with (
        _referral_service(state, posted) as url,
        web_in_process(settings_for(url), ManualClock(NOW)) as people,
    ):
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        page = await caseworker.get(f"/referrals/{RID}")
        action = f"/referrals/{RID}/handovers/{HID}/decline"
        shown = visible_text(page.text)
        assert "Afvis forslaget" in shown
        assert "Borgeren er ikke klar" in shown  # the reasons in the select, in words
        assert f"/referrals/{RID}/handovers/{HID}/withdraw" not in page.text  # the provider's to withdraw
        assert raw_codes(shown, also=every_code()) == []
        key = form_key(page.text, action)

        odd = await caseworker.post(action, {"key": key, "reason": "I just do not like it"})
        assert "Vælg en begrundelse." in (await caseworker.get(odd.headers["location"])).text
        assert posted == []  # a reason not in the list: nothing asked of the service

        done = await caseworker.post(action, {"key": key, "reason": "participant_not_ready"})
        after = visible_text((await caseworker.get(done.headers["location"])).text)
        assert "Forslaget er afvist." in after
        assert "Afvist af sagsbehandleren" in after
        assert "Borgeren er ikke klar" in after
        assert posted == [("decline", key, {"reason": "participant_not_ready"})]
        assert "Afvis forslaget" not in after  # decided: no more forms for it

        again = await caseworker.post(action, {"key": "another", "reason": "other"})
        said = visible_text((await caseworker.get(again.headers["location"])).text)
        assert "Henvisningstjenesten svarede" in said  # the 409 in words, on the page it came from

        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        assert (await coordinator.post(action, {"key": "k", "reason": "other"})).status_code == 403


async def test_the_coordinator_withdraws_the_proposal_and_the_caseworker_cannot() -> None:
    state: dict[str, Any] = {"handover": "proposed"}
    posted: list[tuple[str, str, Any]] = []
    async with (
        _referral_service(state, posted) as url,
        web_in_process(settings_for(url), ManualClock(NOW)) as people,
    ):
        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        page = await coordinator.get(f"/referrals/{RID}")
        action = f"/referrals/{RID}/handovers/{HID}/withdraw"
        assert "Træk forslaget tilbage" in visible_text(page.text)
        assert f"/referrals/{RID}/handovers/{HID}/decline" not in page.text  # the caseworker's to decline
        key = form_key(page.text, action)
        done = await coordinator.post(action, {"key": key})
        after = visible_text((await coordinator.get(done.headers["location"])).text)
        assert "Forslaget er trukket tilbage." in after
        assert "Trukket tilbage af udbyderen" in after
        assert posted == [("withdraw", key, None)]
        assert raw_codes(after, also=every_code()) == []

        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        assert (await caseworker.post(action, {"key": "k"})).status_code == 403

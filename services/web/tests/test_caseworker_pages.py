"""The caseworker's own pages against stand-in services that record what they are asked: withdrawing
a referral before the course starts (a coded reason, the page's key so a double click is one
withdrawal, the service's refusal in words; nobody else sees the form), and the course as one
timeline (what the jobcentre was told, the messages, the weeks with absence), oldest first."""

from __future__ import annotations

import contextlib
import re
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
from forlob_testkit.web import settings_for, visible_text, web_in_process

RID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
P = "dk.forlob.partner."
TOLD = [
    {"type": P + "referral.received.v1", "time": "2026-11-02T09:00:00Z", "data": {"legal_basis": "LAB-32-1-2"}},
    {"type": P + "referral.accepted.v1", "time": "2026-11-03T10:00:00Z", "data": {"intake_date": "2026-11-09"}},
    {
        "type": P + "programme.started.v1",
        "time": "2026-11-09T07:00:00Z",
        "data": {"start_date": "2026-11-09", "planned_end_date": "2027-02-05"},
    },
    {
        "type": P + "absence.unexplained.v1",
        "time": "2026-11-17T12:00:00Z",
        "data": {"expected_at": "2026-11-17T07:00:00Z", "minutes_missed": 240},
    },
    {"type": P + "programme.ended.v1", "time": "2026-11-27T15:00:00Z", "data": {"outcome": "education"}},
]
MESSAGES = [
    {
        "id": "m1",
        "side": "provider",
        "author_id": "kp-1",
        "text": "Ida is settling in",
        "posted_at": "2026-11-12T13:00:00Z",
    }
]
STATEMENT = {
    "referral_id": RID,
    "weeks": [
        {"week_start": "2026-11-09", "agreed_hours": 16.0, "attended_hours": 16.0, "absent_hours": 0.0},
        {"week_start": "2026-11-16", "agreed_hours": 16.0, "attended_hours": 12.0, "absent_hours": 4.0},
    ],
    "totals": {"weeks": 2, "agreed_hours": 32.0, "attended_hours": 28.0, "attendance_rate": 0.875},
}


@contextlib.asynccontextmanager
async def _referral_service(state: dict[str, Any], posted: list[tuple[str, Any]]) -> AsyncIterator[str]:
    async def referral(request: Request) -> JSONResponse:
        body = {"id": RID, "programme_code": "RCA-UDV-13", "provider_org": "rca-aalborg", "state": state["now"]}
        return JSONResponse(body | {"received_at": "2026-11-20T09:00:00+00:00", "participant": {"name": "Ida Lund"}})

    async def withdraw(request: Request) -> JSONResponse:
        posted.append((request.headers.get("idempotency-key", ""), await request.json()))
        if state["now"] == "started":
            problem = {"type": "about:blank", "title": "Conflict", "status": 409, "detail": "the course has started"}
            return JSONResponse(problem, status_code=409, media_type="application/problem+json")
        state["now"] = "withdrawn"
        return JSONResponse({"id": RID, "state": "withdrawn"})

    async def told(request: Request) -> JSONResponse:
        return JSONResponse(TOLD)

    async def messages(request: Request) -> JSONResponse:
        return JSONResponse({"referral_id": RID, "your_side": "referrer", "messages": MESSAGES})

    async def statement(request: Request) -> JSONResponse:
        return JSONResponse(STATEMENT)

    async def nothing(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "not found"}, status_code=404)

    app = Starlette(
        routes=[
            Route("/referrals/{rid}", referral),
            Route("/referrals/{rid}/withdraw", withdraw, methods=["POST"]),
            Route("/referrals/{rid}/told", told),
            Route("/referrals/{rid}/messages", messages),
            Route("/statements/{rid}", statement),
            Route("/{path:path}", nothing),
        ]
    )
    async with serving_app(app) as url:
        yield url


async def test_the_caseworker_withdraws_from_the_referral_page() -> None:
    state, posted = {"now": "waitlisted"}, []  # type: ignore[var-annotated]
    async with (
        _referral_service(state, posted) as url,
        web_in_process(settings_for(url), ManualClock(NOW)) as people,
    ):
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        page = await caseworker.get(f"/referrals/{RID}")
        assert f'action="/referrals/{RID}/withdraw"' in page.text
        assert 'for="withdraw-reason"' in page.text
        assert raw_codes(visible_text(page.text), also=every_code()) == []  # the reasons in words
        key = re.search(r'/withdraw">.*?name="key" value="([^"]+)"', page.text, re.S)
        assert key, "the form carries a key drawn with the page"

        unknown = await caseworker.post(f"/referrals/{RID}/withdraw", {"reason_code": "bored", "key": key.group(1)})
        assert unknown.headers["location"] == f"/referrals/{RID}"
        assert posted == []  # refused by the page: nothing asked of the service

        done = await caseworker.post(f"/referrals/{RID}/withdraw", {"reason_code": "moved", "key": key.group(1)})
        assert done.headers["location"] == f"/referrals/{RID}"
        after = await caseworker.get(done.headers["location"])
        assert "Henvisningen er trukket tilbage." in after.text
        assert "/withdraw" not in after.text  # withdrawn: no form any more
        assert posted == [(key.group(1), {"reason_code": "moved"})]

        state["now"] = "started"  # the course started meanwhile: the service's refusal, in words
        late = await caseworker.post(f"/referrals/{RID}/withdraw", {"reason_code": "moved", "key": "another"})
        assert "Henvisningstjenesten svarede" in visible_text((await caseworker.get(late.headers["location"])).text)

        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        state["now"] = "received"
        assert "/withdraw" not in (await coordinator.get(f"/referrals/{RID}")).text
        refused = await coordinator.post(f"/referrals/{RID}/withdraw", {"reason_code": "moved"})
        assert refused.status_code == 403


async def test_the_caseworker_reads_the_course_as_one_timeline() -> None:
    state, posted = {"now": "ended"}, []  # type: ignore[var-annotated]
    async with (
        _referral_service(state, posted) as url,
        web_in_process(settings_for(url), ManualClock(NOW)) as people,
    ):
        caseworker = await people()
        await caseworker.sign_in("jobcenter-aalborg", "cw-7", "caseworker")
        assert f'href="/referrals/{RID}/timeline"' in (await caseworker.get(f"/referrals/{RID}")).text
        page = await caseworker.get(f"/referrals/{RID}/timeline")
        assert page.status_code == 200, page.text
        read = visible_text(page.text)
        order = [
            "Henvisningen modtaget",
            "Optaget på forløbet · 09.11.2026",
            "Forløbet startede · 09.11.2026 - 05.02.2027",
            "Tilbudsstedet · Ida is settling in",
            "Fravær i ugen · 4,0 / 16,0 h",  # only the week with absence, in Danish numbers
            "Uforklaret fravær",
            "Forløbet sluttede · Uddannelse",
        ]
        places = [read.find(text) for text in order]
        assert -1 not in places, (order, read)
        assert places == sorted(places), read  # oldest first
        assert "0,0 / 16,0" not in read
        assert raw_codes(read, also=every_code()) == [], read

        coordinator = await people()
        await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
        assert (await coordinator.get(f"/referrals/{RID}/timeline")).status_code == 403

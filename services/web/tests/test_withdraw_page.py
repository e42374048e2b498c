"""The caseworker withdraws a referral from its page, before the course starts: a coded reason, the
page's key (a double click is one withdrawal), the service's refusal in words; nobody else sees
the form. Against a stand-in referral service that records what it is asked."""

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
from forlob_shared.ops.dpo import SERVICES
from forlob_shared.texts import every_code, raw_codes
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.web import visible_text, web_in_process
from forlob_web.settings import WebSettings

RID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


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

    async def nothing(request: Request) -> JSONResponse:
        return JSONResponse({"detail": "not found"}, status_code=404)

    app = Starlette(
        routes=[
            Route("/referrals/{rid}", referral),
            Route("/referrals/{rid}/withdraw", withdraw, methods=["POST"]),
            Route("/{path:path}", nothing),
        ]
    )
    async with serving_app(app) as url:
        yield url


def _settings(url: str) -> WebSettings:
    return WebSettings(environment="test", **{f"{s}_url": url for s in SERVICES})  # type: ignore[arg-type]


async def test_the_caseworker_withdraws_from_the_referral_page() -> None:
    state, posted = {"now": "waitlisted"}, []  # type: ignore[var-annotated]
    async with _referral_service(state, posted) as url, web_in_process(_settings(url), ManualClock(NOW)) as people:
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

"""The DPO's page against services that answer as the four do: the lookup by identity number, the
export per service and category, the download, and an erasure refusal in the reader's words."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forlob_shared.dpo import DataCategory, export_part
from forlob_shared.ops.dpo import SERVICES
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.web import web_in_process
from forlob_web.settings import WebSettings

PID = "5b0c1f43-3c0e-4b8a-9f59-0d1c2a7e6b11"
CATEGORY = DataCategory("things", "what is held", "five years", "Art. 6(1)(e)", "erased")


@contextlib.asynccontextmanager
async def _services(seen: list[tuple[str, str, Any]]) -> AsyncIterator[str]:
    async def lookup(request: Request) -> JSONResponse:
        seen.append(("lookup", request.headers["authorization"], await request.json()))
        return JSONResponse({"participant_ids": [PID]})

    async def export(request: Request) -> JSONResponse:
        from datetime import UTC, datetime
        from uuid import UUID

        part = export_part("referral", UUID(PID), [CATEGORY], {"things": [{"a": 1}, {"a": 2}]}, datetime.now(UTC))
        return JSONResponse(part)

    async def erasure(request: Request) -> JSONResponse:
        body = {"type": "https://x/erasure-refused", "title": "held", "status": 409}
        body |= {"reason": "retention_period", "hold_ends": "2031-12-07"}
        return JSONResponse(body, status_code=409, media_type="application/problem+json")

    app = Starlette(
        routes=[
            Route("/dpo/participants/lookup", lookup, methods=["POST"]),
            Route("/dpo/participants/{pid}/export", export),
            Route("/dpo/participants/{pid}/erasure", erasure, methods=["POST"]),
        ]
    )
    async with serving_app(app) as url:
        yield url


async def test_the_dpo_finds_shows_downloads_and_hears_why_erasure_must_wait() -> None:
    seen: list[tuple[str, str, Any]] = []
    async with _services(seen) as url:
        settings = WebSettings(environment="test", **{f"{s}_url": url for s in SERVICES})  # type: ignore[arg-type]
        async with web_in_process(settings) as people:
            coordinator = await people()
            await coordinator.sign_in("rca-aalborg", "co-3", "coordinator")
            assert (await coordinator.get("/dpo")).status_code == 403

            dpo = await people()
            await dpo.sign_in("rca-aalborg", "dpo-1", "dpo")
            home = await dpo.get("/dpo", headers={"Accept-Language": "en"})
            assert 'href="/dpo"' in home.text  # in the menu for the DPO
            found = await dpo.post("/dpo/lookup", {"identity_number": "2110625629", "purpose": "access request"})
            assert found.headers["location"] == f"/dpo/participants/{PID}"
            assert seen[0][2] == {"identity_number": "2110625629", "purpose": "access request"}
            assert seen[0][1].startswith("Bearer ")

            page = await dpo.get(found.headers["location"])
            assert page.status_code == 200
            assert page.text.count('id="referral-things"') == 1
            assert "five years" in page.text
            download = await dpo.get(f"/dpo/participants/{PID}/export.json")
            assert download.headers["content-disposition"].startswith("attachment")
            document = json.loads(download.text)
            assert sorted(document["participants"][0]["services"]) == sorted(SERVICES)

            refused = await dpo.post(f"/dpo/participants/{PID}/erasure")
            assert refused.status_code == 303
            shown = await dpo.get(refused.headers["location"])  # Danish: the language of the request
            assert "Kan ikke slettes før 2031-12-07" in shown.text
            assert "opbevaringsperioden udløber" in shown.text  # the reason code, in words

"""The coordinator's intake board: new referrals, seats and intake dates; accept or reject."""

from __future__ import annotations

import asyncio
import uuid
from uuid import UUID

from fastapi import APIRouter, Request, Response

from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import DecisionForm, RejectForm
from forlob_web.routes.parts import act, part
from forlob_web.session import flash

router = APIRouter(include_in_schema=False)

REJECT_REASONS = ["not_target_group", "no_capacity_long_term", "duplicate", "other_offer_better", "other"]


@router.get("/intake")
async def intake(request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, "coordinator")
    api = web.api(user)
    new, catalogue = await asyncio.gather(
        part(request, api.get("referral", "/referrals", state="received", limit=200)),
        part(request, api.get("referral", "/programmes")),
    )
    if new.data is not None:
        new.data = [r for r in new.data if r["provider_org"] == user.org]
    programmes = catalogue.data or []
    lists, calendars = await asyncio.gather(
        asyncio.gather(
            *(part(request, api.get("referral", f"/programmes/{p['code']}/waiting-list")) for p in programmes)
        ),
        asyncio.gather(*(part(request, api.get("referral", f"/programmes/{p['code']}/intakes")) for p in programmes)),
    )
    return web.render(
        request,
        "intake.html",
        new=new,
        catalogue=catalogue,
        boards=list(zip(programmes, lists, calendars, strict=True)),
        reasons=REJECT_REASONS,
        key=lambda: str(uuid.uuid4()),
    )


@router.post("/intake/{referral_id}/accept")
async def accept(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, DecisionForm)
    call = web.api(user).post("referral", f"/referrals/{referral_id}/accept", idempotency_key=form.idempotency_key())
    result, response = await act(request, "/intake", call)
    if result is not None:
        if result["state"] == "waitlisted":
            flash(
                request,
                t("intake.waitlisted", position=result.get("waitlist_position"), date=result.get("estimated_start")),
            )
        else:
            flash(request, t("intake.accepted", date=result.get("intake_date")))
    return response


@router.post("/intake/{referral_id}/reject")
async def reject(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, RejectForm)
    body = {"reason_code": form.reason_code}
    call = web.api(user).post(
        "referral", f"/referrals/{referral_id}/reject", body, idempotency_key=form.idempotency_key()
    )
    _, response = await act(request, "/intake", call, t("intake.rejected"))
    return response

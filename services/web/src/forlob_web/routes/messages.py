"""The messages about one referral between the provider and the caseworker: the thread (opening
it is the read receipt of the other side's messages) and the compose form. The e-mail that tells
the other side links here."""

from __future__ import annotations

import uuid
from uuid import UUID

from fastapi import APIRouter, Request, Response

from forlob_web.deps import CurrentWeb, Words, signed_in
from forlob_web.routes.parts import act
from forlob_web.session import checked_form

router = APIRouter(include_in_schema=False)

PARTIES = ("caseworker", "coordinator", "contact_person", "team_leader")


@router.get("/referrals/{referral_id}/messages")
async def thread(referral_id: UUID, request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, *PARTIES)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    found = await api.get("referral", f"/referrals/{referral_id}/messages")
    return web.render(request, "messages.html", referral=referral, thread=found, key=str(uuid.uuid4()))


@router.post("/referrals/{referral_id}/messages")
async def send(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *PARTIES)
    form = await checked_form(request)
    text, key = form.get("text"), form.get("key")
    body = {"text": text.strip() if isinstance(text, str) else ""}
    call = web.api(user).post(
        "referral", f"/referrals/{referral_id}/messages", body, idempotency_key=key if isinstance(key, str) else None
    )
    _, response = await act(request, f"/referrals/{referral_id}/messages", call, t("messages.sent"))
    return response

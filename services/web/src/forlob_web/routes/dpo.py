"""The data protection officer's page: find a participant, see and download everything the four
services hold about them (GDPR Art. 15), and ask for their erasure (Art. 17), whose refusal while
a legal hold applies is shown in the reader's language with the day the hold ends."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_shared.ops.dpo import SERVICES
from forlob_shared.texts import code_text
from forlob_web.client import ApiError, ServiceDown
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import DpoLookupForm, Form
from forlob_web.routes.parts import part, problem_words
from forlob_web.session import flash
from forlob_web.web import language

router = APIRouter(include_in_schema=False)


@router.get("/dpo")
async def dpo_home(request: Request, web: CurrentWeb) -> Response:
    signed_in(request, "dpo")
    return web.render(request, "dpo.html", export=None, participant_id=None)


@router.post("/dpo/lookup")
async def lookup(request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, "dpo")
    form = await posted(request, DpoLookupForm)
    if form.participant.strip():
        try:
            return RedirectResponse(f"/dpo/participants/{UUID(form.participant.strip())}", status_code=303)
        except ValueError:
            flash(request, problem_words(request, ApiError("web", 422, "participant id")), "error")
            return RedirectResponse("/dpo", status_code=303)
    body = {"identity_number": form.identity_number, "purpose": form.purpose}
    try:
        found = await web.api(user).post("referral", "/dpo/participants/lookup", body)
    except (ApiError, ServiceDown) as exc:
        if isinstance(exc, ApiError) and exc.status in {401, 403}:
            raise
        flash(request, problem_words(request, exc), "error")
        return RedirectResponse("/dpo", status_code=303)
    return RedirectResponse(f"/dpo/participants/{found['participant_ids'][0]}", status_code=303)


async def _parts(request: Request, web: CurrentWeb, participant_id: UUID) -> dict[str, object]:
    api = web.api(signed_in(request, "dpo"))

    async def one(service: str) -> object:
        try:
            return await api.get(service, f"/dpo/participants/{participant_id}/export")
        except ApiError as exc:
            if exc.status == 404 and service != "referral":  # nothing held there: an answer too
                return {"service": service, "participant_id": str(participant_id), "categories": []}
            raise

    answers = await asyncio.gather(*(part(request, one(s)) for s in SERVICES))
    return dict(zip(SERVICES, answers, strict=True))


@router.get("/dpo/participants/{participant_id}")
async def show(participant_id: UUID, request: Request, web: CurrentWeb) -> Response:
    parts = await _parts(request, web, participant_id)
    return web.render(request, "dpo.html", export=parts, participant_id=str(participant_id), dumps=_pretty)


@router.get("/dpo/participants/{participant_id}/export.json")
async def download(participant_id: UUID, request: Request, web: CurrentWeb) -> Response:
    parts = await _parts(request, web, participant_id)
    missing = [s for s, p in parts.items() if getattr(p, "error", None)]
    if missing:  # a partial export is no answer to an access request: say which service is missing
        flash(request, ", ".join(missing), "error")
        return RedirectResponse(f"/dpo/participants/{participant_id}", status_code=303)
    document = {
        "kind": "forlob.access-export.v1",
        "assembled_at": web.clock.now().astimezone(UTC).isoformat(),
        "participants": [
            {"participant_id": str(participant_id), "services": {s: getattr(p, "data", None) for s, p in parts.items()}}
        ],
    }
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="access-export-{participant_id}.json"'},
    )


@router.post("/dpo/participants/{participant_id}/erasure")
async def erase(participant_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "dpo")
    await posted(request, Form)
    back = RedirectResponse(f"/dpo/participants/{participant_id}", status_code=303)
    try:
        await web.api(user).post("referral", f"/dpo/participants/{participant_id}/erasure")
    except ApiError as exc:
        if exc.status == 409 and "reason" in exc.extensions:
            reason = code_text("erasure_hold", str(exc.extensions["reason"]), language(request))
            until = exc.extensions.get("hold_ends")
            text = t("dpo.refused_until", day=until, reason=reason) if until else t("dpo.refused", reason=reason)
            flash(request, text, "error")
            return back
        if exc.status in {401, 403, 404}:
            raise
        flash(request, problem_words(request, exc), "error")
        return back
    except ServiceDown as exc:
        flash(request, problem_words(request, exc), "error")
        return back
    flash(request, t("dpo.erased"))
    return back


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)

"""The course record of one referral: follow-up talks, meetings and specialist notes, with the
forms of those who write them. The referral service decides who may read what (a specialist note
only reaches a page its reader may see); these pages keep nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from forlob_web.client import Api
from forlob_web.deps import CurrentWeb, Words, signed_in
from forlob_web.routes.parts import Part, act, part
from forlob_web.session import checked_form, flash
from forlob_web.web import Web

router = APIRouter(include_in_schema=False)

# The codes the forms offer, in the referral service's order (forlob_referral.domain.course_record).
TOPICS = [
    "attendance_hours",
    "work_tasks",
    "health_situation",
    "wellbeing_social",
    "goals_progress",
    "work_placement",
    "practical_matters",
    "next_step",
]
MEETING_KINDS = ["start_meeting", "follow_up", "status_meeting", "closing_meeting"]
PLACES = ["on_site", "at_jobcentre", "video_call", "phone_call"]
SPECIALISMS = ["physician", "psychologist", "physiotherapist"]
READERS = ("caseworker", "coordinator", "contact_person", "team_leader", "workshop_lead", "specialist")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _key(form: FormData) -> str | None:
    return _text(form, "key") or None


def _staff_ids(form: FormData) -> list[str]:
    """Those ticked in the chooser, or typed (comma-separated) when the directory did not answer."""
    typed = [v for v in form.getlist("staff_ids") if isinstance(v, str)]
    return list(dict.fromkeys(s.strip() for v in typed for s in v.split(",") if s.strip()))


async def _colleagues(request: Request, api: Api) -> Part:
    """The organisation's active staff from the notifications service's directory (ids and roles):
    the web keeps no list of its own."""
    found = await part(request, api.get("notifications", "/colleagues"))
    if found.data is not None:
        found.data = sorted(found.data, key=lambda m: (m["role"], m["staff_id"]))
    return found


def _aware(web: Web, local: str) -> str:
    """A ``datetime-local`` field is the provider's wall time: the API takes it with its offset."""
    try:
        return datetime.fromisoformat(local).replace(tzinfo=web.zone).isoformat()
    except ValueError:
        return local  # the referral service refuses it with words for the page


@router.get("/referrals/{referral_id}/record")
async def course_record(referral_id: UUID, request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, *READERS)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    record = await api.get("referral", f"/referrals/{referral_id}/record")
    may_talk = user.has("coordinator", "contact_person")
    colleagues = await _colleagues(request, api) if may_talk else Part()
    return web.render(
        request,
        "record.html",
        referral=referral,
        record=record,
        topics=TOPICS,
        meeting_kinds=MEETING_KINDS,
        places=PLACES,
        specialisms=SPECIALISMS,
        today=web.now().date().isoformat(),
        key=lambda: str(uuid.uuid4()),
        may_talk=may_talk,
        colleagues=colleagues,
        may_book=user.has("coordinator"),
        may_note=user.has("specialist"),
        may_message=user.has("caseworker", "coordinator", "contact_person", "team_leader"),
    )


def _back(referral_id: UUID) -> str:
    return f"/referrals/{referral_id}/record"


@router.post("/referrals/{referral_id}/record/talks")
async def add_talk(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "coordinator", "contact_person")
    form = await checked_form(request)
    api = web.api(user)
    staff_ids = _staff_ids(form)
    known = (await _colleagues(request, api)).data
    unknown = [s for s in staff_ids if known and s not in {m["staff_id"] for m in known}]
    if unknown:  # not one of the organisation's staff: say so before anything is written
        flash(request, t("record.unknown_staff", ids=", ".join(unknown)), "error")
        return RedirectResponse(_back(referral_id), status_code=303)
    body = {
        "held_on": _text(form, "held_on"),
        "staff_ids": staff_ids,
        "topics": [v for v in form.getlist("topics") if isinstance(v, str)],
        "next_steps": _text(form, "next_steps"),
    }
    call = api.post("referral", f"/referrals/{referral_id}/record/talks", body, idempotency_key=_key(form))
    _, response = await act(request, _back(referral_id), call, t("record.talk_saved"))
    return response


@router.post("/referrals/{referral_id}/record/meetings")
async def add_meeting(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "coordinator")
    form = await checked_form(request)
    body = {
        "kind": _text(form, "kind"),
        "starts_at": _aware(web, _text(form, "starts_at")),
        "place": _text(form, "place"),
        "caseworker_invited": _text(form, "caseworker_invited") == "yes",
    }
    path = f"/referrals/{referral_id}/record/meetings"
    call = web.api(user).post("referral", path, body, idempotency_key=_key(form))
    _, response = await act(request, _back(referral_id), call, t("record.meeting_booked"))
    return response


@router.post("/referrals/{referral_id}/record/meetings/{meeting_id}/settle")
async def settle(referral_id: UUID, meeting_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "coordinator")
    form = await checked_form(request)
    path = f"/referrals/{referral_id}/record/meetings/{meeting_id}/settle"
    call = web.api(user).post("referral", path, {"status": _text(form, "status")}, idempotency_key=_key(form))
    _, response = await act(request, _back(referral_id), call, t("record.meeting_settled"))
    return response


@router.post("/referrals/{referral_id}/record/specialist-notes")
async def add_note(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "specialist")
    form = await checked_form(request)
    body = {"specialism": _text(form, "specialism"), "text": _text(form, "text")}
    path = f"/referrals/{referral_id}/record/specialist-notes"
    call = web.api(user).post("referral", path, body, idempotency_key=_key(form))
    _, response = await act(request, _back(referral_id), call, t("record.note_saved"))
    return response


@router.post("/referrals/{referral_id}/record/specialist-notes/{note_id}/attach")
async def attach(referral_id: UUID, note_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "coordinator")
    form = await checked_form(request)
    path = f"/referrals/{referral_id}/record/specialist-notes/{note_id}/attach"
    call = web.api(user).post("referral", path, idempotency_key=_key(form))
    _, response = await act(request, _back(referral_id), call, t("record.note_attached"))
    return response

"""The caseworker's referrals: the list, the referral form, and one referral with its closing note
and attendance statement (both organisations of the referral may read it)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web import timeline
from forlob_web.client import Api, ApiError, ServiceDown
from forlob_web.closing_note_pdf import closing_note_pdf
from forlob_web.deps import CurrentWeb, Lang, Words, posted, signed_in
from forlob_web.forms import REFERRAL_FIELDS, SMS_CHANNELS, SMS_LANGUAGES, ReferralForm, WithdrawForm
from forlob_web.routes.handover import DECLINE_REASONS
from forlob_web.routes.parts import Part, act, part, problem_words, programme_names
from forlob_web.routes.text_messages import SMS_ROLES, SMS_STATES
from forlob_web.session import flash
from forlob_web.web import Web

router = APIRouter(include_in_schema=False)

# The closing note is for the caseworker who reads it and the coordinator who writes it (the
# referral service's GET /referrals/{id}/closing-note; docs/security.md).
NOTE_ROLES = ("caseworker", "coordinator")
# A course's phase, spells and clarification result: both organisations read them (the referral
# service's GET /referrals/{id}/employment); employers' names are the provider's register only.
WORK_READERS = ("caseworker", "coordinator", "contact_person", "team_leader")
# The next step (referring on): the jobcentre's caseworker and the providers' coordinators.
NEXT_STEP_ROLES = ("caseworker", "coordinator")


@router.get("/referrals")
async def my_referrals(request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, "caseworker")
    found = await part(request, web.api(user).get("referral", "/referrals", limit=500))
    if found.data is not None:
        found.data = [r for r in found.data if r["caseworker_id"] == user.staff and r["referring_org"] == user.org]
    return web.render(request, "referrals.html", referrals=found)


def _referral_form(web: Web, request: Request, status: int = 200, **values: Any) -> Response:
    values.setdefault("values", {"participant.identity_scheme": "dk_cpr"})
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("key", str(uuid.uuid4()))
    return web.render(request, "referral_form.html", status, fields=REFERRAL_FIELDS, **values)


@router.get("/referrals/new")
async def new_referral(request: Request, web: CurrentWeb) -> Response:
    signed_in(request, "caseworker")
    return _referral_form(web, request)


@router.post("/referrals/new")
async def create_referral(request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "caseworker")
    form = await posted(request, ReferralForm)
    values, key = form.values(), form.idempotency_key()
    errors = {name: t(message) for name, message in form.problems().items()}
    if errors:
        return _referral_form(web, request, 422, values=values, errors=errors, message=t("referrals.fix"), key=key)
    try:
        created = await web.api(user).post("referral", "/referrals", form.body(), idempotency_key=key)
    except ServiceDown as exc:
        return _referral_form(web, request, 503, values=values, message=problem_words(request, exc), key=key)
    except ApiError as exc:
        if exc.status == 401:
            raise
        errors = {}
        for location, message in exc.field_errors().items():
            for name in REFERRAL_FIELDS:
                if location == name or location.startswith(name + "."):
                    errors.setdefault(name, message)
        status = exc.status if 400 <= exc.status < 500 else 502
        # Another attempt must be a new request: the refused one is stored under its key.
        words = problem_words(request, exc)
        return _referral_form(web, request, status, values=values, errors=errors, message=words)
    flash(request, t("referrals.created"))
    return RedirectResponse(f"/referrals/{created['id']}", status_code=303)


@router.get("/referrals/{referral_id}")
async def referral_detail(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    note = Part()
    if referral.get("has_closing_note") and user.has(*NOTE_ROLES):
        note = await part(request, api.get("referral", f"/referrals/{referral_id}/closing-note"))
    elif referral.get("has_closing_note"):  # a contact person from the inbox: the course, not the note
        note = Part(error=t("forbidden.text"))
    statement = await part(request, api.get("reporting", f"/statements/{referral_id}"))
    work = Part()
    if referral.get("course") and user.has(*WORK_READERS):
        work = await part(request, api.get("referral", f"/referrals/{referral_id}/employment"))
    handovers = Part()
    if user.has(*NEXT_STEP_ROLES):
        handovers = await part(request, api.get("referral", f"/referrals/{referral_id}/handovers"))
    sms = Part()
    if user.has(*SMS_ROLES) and referral.get("state") in SMS_STATES and user.org == referral.get("provider_org"):
        sms = await part(request, api.get("referral", f"/referrals/{referral_id}/sms-consent"))
    withdrawable = user.has("caseworker") and referral.get("state") in WITHDRAWABLE
    return web.render(
        request,
        "referral.html",
        referral=referral,
        note=note,
        statement=statement,
        work=work,
        handovers=handovers,
        sms=sms,
        sms_languages=SMS_LANGUAGES,
        sms_channels=SMS_CHANNELS,
        withdraw_reasons=WITHDRAW_REASONS if withdrawable else (),
        decline_reasons=DECLINE_REASONS,
        key=lambda: str(uuid.uuid4()),
    )


@router.get("/referrals/{referral_id}/timeline")
async def referral_timeline(referral_id: UUID, request: Request, web: CurrentWeb, lang: Lang) -> Response:
    """The referral's course as one timeline, for the caseworker (forlob_web.timeline)."""
    user = signed_in(request, "caseworker")
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    told, messages, statement = await asyncio.gather(
        part(request, api.get("notifications", f"/referrals/{referral_id}/told")),
        part(request, api.get("referral", f"/referrals/{referral_id}/messages")),
        part(request, api.get("reporting", f"/statements/{referral_id}")),
    )
    # Which programme a next step is, by name: the catalogue's, else the page shows its code.
    names = await programme_names(api, timeline.next_step_programmes(told.data or []))
    found = timeline.entries(
        told.data or [],
        (messages.data or {}).get("messages", []),
        statement.data,
        web.words(lang),
        web.zone,
        names,
    )
    missing = [p.error for p in (told, messages, statement) if p.error]
    return web.render(request, "timeline.html", referral=referral, entries=found, missing=missing)


# The states a referral may be withdrawn from (the referral service decides; a 409 is shown).
WITHDRAWABLE = ("received", "accepted", "waitlisted")
WITHDRAW_REASONS = ("participant_declined", "circumstances_changed", "other_offer", "moved", "illness", "other")


@router.post("/referrals/{referral_id}/withdraw")
async def withdraw(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """The caseworker withdraws before the course starts, with a coded reason."""
    user = signed_in(request, "caseworker")
    form = await posted(request, WithdrawForm)
    back = f"/referrals/{referral_id}"
    if form.reason_code not in WITHDRAW_REASONS:
        flash(request, t("course.fix"), "error")
        return RedirectResponse(back, status_code=303)
    call = web.api(user).post(
        "referral",
        f"/referrals/{referral_id}/withdraw",
        {"reason_code": form.reason_code},
        idempotency_key=form.idempotency_key(),
    )
    _, response = await act(request, back, call, t("referral.withdrawn"))
    return response


@router.get("/referrals/{referral_id}/closing-note/print")
async def closing_note_print(referral_id: UUID, request: Request, web: CurrentWeb) -> Response:
    """The closing note with its attendance statement and chart, to print or save as PDF (the
    page's print style leaves out the menu and links)."""
    user = signed_in(request, *NOTE_ROLES)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    note, statement = await asyncio.gather(
        part(request, api.get("referral", f"/referrals/{referral_id}/closing-note")),
        part(request, api.get("reporting", f"/statements/{referral_id}")),
    )
    return web.render(request, "closing_note_print.html", referral=referral, note=note, statement=statement)


@router.get("/referrals/{referral_id}/closing-note.pdf")
async def closing_note_as_pdf(referral_id: UUID, request: Request, web: CurrentWeb, lang: Lang) -> Response:
    """The printable closing note as a PDF for the case file (made for the reader, never kept)."""
    user = signed_in(request, *NOTE_ROLES)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    note, statement, chart = await asyncio.gather(
        part(request, api.get("referral", f"/referrals/{referral_id}/closing-note")),
        part(request, api.get("reporting", f"/statements/{referral_id}")),
        _chart_png(api, referral_id, lang),
    )
    document = closing_note_pdf(referral, note.data, statement.data, web.words(lang), chart)
    filename = f"closing-note-{str(referral_id)[:8]}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(document, media_type="application/pdf", headers=headers)


async def _chart_png(api: Api, referral_id: UUID, lang: str) -> bytes | None:
    """The statement's chart for the PDF; the note goes out without it if reporting cannot draw it."""
    try:
        upstream = await api.request("reporting", "GET", f"/statements/{referral_id}/chart.png", params={"lang": lang})
    except (ApiError, ServiceDown):
        return None
    return upstream.content


@router.get("/referrals/{referral_id}/statement/chart.svg")
async def statement_chart(referral_id: UUID, request: Request, web: CurrentWeb, lang: Lang) -> Response:
    """The statement's chart from reporting, in the reader's language (reporting decides who may see it)."""
    user = signed_in(request)
    upstream = await web.api(user).request(
        "reporting", "GET", f"/statements/{referral_id}/chart.svg", params={"lang": lang}
    )
    headers = {"Cache-Control": "private, max-age=60", "Vary": "Cookie, Accept-Language"}
    return Response(upstream.content, media_type="image/svg+xml", headers=headers)

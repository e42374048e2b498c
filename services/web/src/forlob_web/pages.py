"""The pages: alert inbox, today's attendance, intake board, referrals, figures.

Each page asks the services with the signed-in person's token, so it shows exactly what the
services let that person's organisation and roles see. A part whose service does not answer
says so in words and the rest of the page still works. Names come from the single-referral
call, the only place the referral service shows them; lists, logs and URLs carry ids only.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.datastructures import FormData

from forlob_shared.logging import get_logger
from forlob_web.app import language, web_of
from forlob_web.client import Api, ApiError, ServiceDown
from forlob_web.i18n import translator
from forlob_web.session import User, checked_form, flash, require_user

router = APIRouter(include_in_schema=False)
log = get_logger("forlob.web.pages")
T = TypeVar("T")

ABSENCE_REASONS = ["illness", "specialist_appointment", "holiday", "approved_leave", "internship", "other"]
REJECT_REASONS = ["not_target_group", "no_capacity_long_term", "duplicate", "other_offer_better", "other"]
CHARTS = ("waiting-list", "occupancy", "attendance", "outcomes")
INBOX_ROLES = ("contact_person", "team_leader", "workshop_lead", "coordinator", "caseworker")
ATTENDANCE_ROLES = ("workshop_lead", "contact_person", "coordinator", "team_leader")
FIGURES_ROLES = ("team_leader", "coordinator", "caseworker", "admin")
# The closing note is for the caseworker who reads it and the coordinator who writes it (the
# referral service's GET /referrals/{id}/closing-note; docs/security.md).
NOTE_ROLES = ("caseworker", "coordinator")


@dataclass
class Part:
    """One part of a page: its data, or why it is missing, in words."""

    data: Any = None
    error: str | None = None


def _words(request: Request, exc: ApiError | ServiceDown) -> str:
    t = translator(language(request))
    if isinstance(exc, ServiceDown):
        return t("down", service=t(f"service.{exc.service}"))
    return t("error.api", service=t(f"service.{exc.service}"), words=str(exc))


async def part(request: Request, call: Awaitable[Any]) -> Part:
    try:
        return Part(await call)
    except ServiceDown as exc:
        return Part(error=_words(request, exc))
    except ApiError as exc:
        if exc.status == 401:
            raise
        return Part(error=_words(request, exc))


def _allowed(request: Request, user: User, roles: tuple[str, ...]) -> Response | None:
    if user.has(*roles):
        return None
    t = translator(language(request))
    return web_of(request).render(request, "error.html", 403, title=t("forbidden"), message=t("forbidden.text"))


async def participant_names(api: Api, referral_ids: set[str]) -> dict[str, str]:
    """Names by referral id, from the single-referral call (the only one that shows them)."""

    async def one(rid: str) -> tuple[str, str | None]:
        try:
            referral = await api.get("referral", f"/referrals/{rid}")
        except (ApiError, ServiceDown) as exc:
            if isinstance(exc, ApiError) and exc.status == 401:
                raise
            return rid, None
        person = referral.get("participant") or {}
        return rid, person.get("name")

    found = await asyncio.gather(*(one(rid) for rid in referral_ids))
    return {rid: name for rid, name in found if name}


async def _act(request: Request, back: str, call: Awaitable[T], ok: str | None = None) -> tuple[T | None, Response]:
    """Run an action; a refusal or a service that is down becomes a message on the page it came from."""
    redirect = RedirectResponse(back, status_code=303)
    try:
        result = await call
    except ServiceDown as exc:
        flash(request, _words(request, exc), "error")
        return None, redirect
    except ApiError as exc:
        if exc.status in {401, 403, 404}:
            raise
        flash(request, _words(request, exc), "error")
        return None, redirect
    if ok:
        flash(request, ok)
    return result, redirect


# -- alert inbox ----------------------------------------------------------------------------------


@router.get("/inbox")
async def inbox(request: Request) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, INBOX_ROLES):
        return refused
    web = web_of(request)
    api = web.api(user)
    alerts = await part(request, api.get("notifications", "/inbox", state="open"))
    ids = {a["referral_id"] for a in alerts.data or [] if a.get("referral_id")}
    names = await participant_names(api, ids)
    return web.render(request, "inbox.html", alerts=alerts, names=names)


@router.post("/inbox/{alert_id}/acknowledge")
async def acknowledge(alert_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    note = str(form.get("note") or "").strip()
    t = translator(language(request))
    api = web_of(request).api(user)
    body = {"note": note} if note else None
    _, response = await _act(
        request, "/inbox", api.post("notifications", f"/alerts/{alert_id}/acknowledge", body), t("inbox.acknowledged")
    )
    return response


@router.get("/alerts/{alert_id}")
async def alert_page(alert_id: UUID, request: Request) -> Response:
    """One alert: what e-mails link to. Another organisation's alert (or none) is not found."""
    user = require_user(request)
    web = web_of(request)
    api = web.api(user)
    alert = await api.get("notifications", f"/alerts/{alert_id}")
    names = await participant_names(api, {alert["referral_id"]} if alert.get("referral_id") else set())
    return web.render(request, "alert.html", alert=alert, names=names)


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge_on_its_page(alert_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    note = str(form.get("note") or "").strip()
    t = translator(language(request))
    call = (
        web_of(request)
        .api(user)
        .post("notifications", f"/alerts/{alert_id}/acknowledge", {"note": note} if note else None)
    )
    _, response = await _act(request, f"/alerts/{alert_id}", call, t("inbox.acknowledged"))
    return response


@router.get("/inbox/stream")
async def inbox_stream(request: Request) -> Response:
    """The notifications service's stream, passed through with this person's token, each change
    rendered as the inbox's own HTML fragment (so the page needs no template of its own)."""
    user = require_user(request)
    web = web_of(request)
    api = web.api(user)
    lang = language(request)
    csrf = request.session.get("csrf", "")
    fragment = web.templates.get_template("_alert.html")

    async def render(alert: dict[str, Any]) -> str:
        names = await participant_names(api, {alert["referral_id"]} if alert.get("referral_id") else set())
        html = fragment.render(**web.words(lang), csrf=csrf, alert=alert, names=names, fresh=True)
        return json.dumps({"id": alert["id"], "open": alert["state"] == "open", "html": html})

    async def events() -> AsyncIterator[str]:
        try:
            async with api.stream("notifications", "/inbox/stream") as upstream:
                if upstream.status_code == 401:
                    yield "event: signin\ndata: {}\n\n"
                    return
                if upstream.status_code != 200:
                    yield "event: down\ndata: {}\n\n"
                    return
                event, data = "message", []
                async for line in upstream.aiter_lines():
                    if line.startswith(":"):
                        yield ": ping\n\n"  # keeps proxies from closing a quiet stream
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "":
                        if event == "ready":
                            yield "event: ready\ndata: {}\n\n"
                        elif event.startswith("alert.") and data:
                            yield f"event: alert\ndata: {await render(json.loads(''.join(data)))}\n\n"
                        event, data = "message", []
        except (ServiceDown, ApiError):
            yield "event: down\ndata: {}\n\n"
        except Exception as exc:  # noqa: BLE001  (the upstream went away: the page reconnects)
            log.info("inbox.stream_ended", error=type(exc).__name__)
            yield "event: down\ndata: {}\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


# -- today's attendance ---------------------------------------------------------------------------


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@router.get("/attendance")
async def attendance(request: Request, day: date | None = None) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, ATTENDANCE_ROLES):
        return refused
    web = web_of(request)
    api = web.api(user)
    now = web.now()
    today = now.date()
    day = day or today
    slots = await part(request, api.get("attendance", f"/days/{day.isoformat()}"))
    rows = sorted((slots.data or {}).get("slots", []), key=lambda s: (s["expected_start"], s["participant_id"]))
    names = await participant_names(api, {s["referral_id"] for s in rows})
    missing = [
        s
        for s in rows
        if s["state"] == "absent"
        or (s["state"] == "expected" and (_parse_time(s["expected_start"]) or now) <= now and day == today)
    ]
    return web.render(
        request,
        "attendance.html",
        slots=slots,
        rows=rows,
        missing=missing,
        names=names,
        day=day,
        today=today,
        reasons=ABSENCE_REASONS,
    )


def _back_to_day(form: FormData) -> str:
    try:
        return f"/attendance?day={date.fromisoformat(str(form.get('day'))).isoformat()}"
    except ValueError:
        return "/attendance"


@router.post("/attendance/{participant_id}/check-in")
async def check_in(participant_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    t = translator(language(request))
    call = web_of(request).api(user).post("attendance", f"/participants/{participant_id}/check-in")
    result, response = await _act(request, _back_to_day(form), call)
    if result is not None:
        late = result.get("minutes_late")
        flash(request, t("attendance.checked_in") + (" " + t("attendance.late", minutes=late) if late else ""))
    return response


@router.post("/attendance/{participant_id}/check-out")
async def check_out(participant_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    t = translator(language(request))
    call = web_of(request).api(user).post("attendance", f"/participants/{participant_id}/check-out")
    _, response = await _act(request, _back_to_day(form), call, t("attendance.checked_out"))
    return response


@router.post("/attendance/{participant_id}/absence")
async def report_absence(participant_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    t = translator(language(request))
    day = str(form.get("day") or "")
    body = {"reason": str(form.get("reason") or ""), "first_day": day, "last_day": day}
    call = web_of(request).api(user).post("attendance", f"/participants/{participant_id}/absences", body)
    _, response = await _act(request, _back_to_day(form), call, t("attendance.absence_reported"))
    return response


# -- intake board ---------------------------------------------------------------------------------


@router.get("/intake")
async def intake(request: Request) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, ("coordinator",)):
        return refused
    web = web_of(request)
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
async def accept(referral_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    t = translator(language(request))
    key = str(form.get("key") or "") or None
    call = web_of(request).api(user).post("referral", f"/referrals/{referral_id}/accept", idempotency_key=key)
    result, response = await _act(request, "/intake", call)
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
async def reject(referral_id: UUID, request: Request) -> Response:
    user = require_user(request)
    form = await checked_form(request)
    t = translator(language(request))
    key = str(form.get("key") or "") or None
    body = {"reason_code": str(form.get("reason_code") or "")}
    call = web_of(request).api(user).post("referral", f"/referrals/{referral_id}/reject", body, idempotency_key=key)
    _, response = await _act(request, "/intake", call, t("intake.rejected"))
    return response


# -- referrals (caseworker) -----------------------------------------------------------------------

REFERRAL_FIELDS = (
    "provider_org",
    "programme_code",
    "participant.name",
    "participant.identity_number",
    "participant.identity_scheme",
    "goals",
    "wished_start",
    "wished_weekly_hours",
    "legal_basis",
    "legal_context",
)


@router.get("/referrals")
async def my_referrals(request: Request) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, ("caseworker",)):
        return refused
    web = web_of(request)
    found = await part(request, web.api(user).get("referral", "/referrals", limit=500))
    if found.data is not None:
        found.data = [r for r in found.data if r["caseworker_id"] == user.staff and r["referring_org"] == user.org]
    return web.render(request, "referrals.html", referrals=found)


def _referral_form(request: Request, status: int = 200, **values: Any) -> Response:
    values.setdefault("values", {"participant.identity_scheme": "dk_cpr"})
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("key", str(uuid.uuid4()))
    return web_of(request).render(request, "referral_form.html", status, fields=REFERRAL_FIELDS, **values)


@router.get("/referrals/new")
async def new_referral(request: Request) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, ("caseworker",)):
        return refused
    return _referral_form(request)


def _goals(text: str) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("-") and goals:
            goals[-1]["sub_goals"].append(line.lstrip("- ").strip())
        else:
            goals.append({"text": line, "sub_goals": []})
    return goals


@router.post("/referrals/new")
async def create_referral(request: Request) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, ("caseworker",)):
        return refused
    form = await checked_form(request)
    t = translator(language(request))
    values = {name: str(form.get(name) or "").strip() for name in REFERRAL_FIELDS}
    key = str(form.get("key") or "") or str(uuid.uuid4())
    errors: dict[str, str] = {
        name: t("field.required")
        for name in ("provider_org", "programme_code", "participant.name", "participant.identity_number")
        if not values[name]
    }
    hours: float | None = None
    if values["wished_weekly_hours"]:
        try:
            hours = float(values["wished_weekly_hours"].replace(",", "."))
        except ValueError:
            errors["wished_weekly_hours"] = t("field.not_a_number")
    if values["wished_start"]:
        try:
            date.fromisoformat(values["wished_start"])
        except ValueError:
            errors["wished_start"] = t("field.not_a_date")
    if errors:
        return _referral_form(request, 422, values=values, errors=errors, message=t("referrals.fix"), key=key)
    body: dict[str, Any] = {
        "programme_code": values["programme_code"],
        "provider_org": values["provider_org"],
        "participant": {
            "name": values["participant.name"],
            "identity_number": values["participant.identity_number"].replace("-", "").replace(" ", ""),
            "identity_scheme": values["participant.identity_scheme"] or "dk_cpr",
        },
        "goals": _goals(values["goals"]),
        "wished_start": values["wished_start"] or None,
        "wished_weekly_hours": hours,
        "legal_basis": values["legal_basis"] or None,
        "legal_context": values["legal_context"] or None,
    }
    try:
        created = await web_of(request).api(user).post("referral", "/referrals", body, idempotency_key=key)
    except ServiceDown as exc:
        return _referral_form(request, 503, values=values, message=_words(request, exc), key=key)
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
        return _referral_form(request, status, values=values, errors=errors, message=_words(request, exc))
    flash(request, t("referrals.created"))
    return RedirectResponse(f"/referrals/{created['id']}", status_code=303)


@router.get("/referrals/{referral_id}")
async def referral_detail(referral_id: UUID, request: Request) -> Response:
    user = require_user(request)
    web = web_of(request)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    note = Part()
    if referral.get("has_closing_note") and user.has(*NOTE_ROLES):
        note = await part(request, api.get("referral", f"/referrals/{referral_id}/closing-note"))
    elif referral.get("has_closing_note"):  # a contact person from the inbox: the course, not the note
        note = Part(error=translator(language(request))("forbidden.text"))
    statement = await part(request, api.get("reporting", f"/statements/{referral_id}"))
    return web.render(request, "referral.html", referral=referral, note=note, statement=statement)


# -- figures --------------------------------------------------------------------------------------


def _period(start: date | None, end: date | None) -> dict[str, str]:
    period = {}
    if start:
        period["from"] = start.isoformat()
    if end:
        period["to"] = end.isoformat()
    return period


def _flatten(row: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, value in row.items():
        if isinstance(value, dict):
            out += _flatten(value, f"{prefix}{name}.")
        else:
            out.append((f"{prefix}{name}", value))
    return out


@router.get("/figures")
async def figures(request: Request, start: date | None = None, end: date | None = None) -> Response:
    user = require_user(request)
    if refused := _allowed(request, user, FIGURES_ROLES):
        return refused
    web = web_of(request)
    period = _period(start, end)
    found = await part(request, web.api(user).get("reporting", "/figures", **period))
    rows = [_flatten(r) for r in (found.data or {}).get("rows", [])]
    query = "&".join(f"{k}={v.isoformat()}" for k, v in (("start", start), ("end", end)) if v)
    return web.render(request, "figures.html", found=found, rows=rows, start=start, end=end, query=query, charts=CHARTS)


@router.get("/figures/chart/{name}.{fmt}")
async def chart(name: str, fmt: str, request: Request, start: date | None = None, end: date | None = None) -> Response:
    user = require_user(request)
    if name not in CHARTS or fmt not in {"svg", "png"}:
        raise ApiError("reporting", 404, "Not found")
    upstream = (
        await web_of(request)
        .api(user)
        .request(
            "reporting",
            "GET",
            f"/charts/{name}.{fmt}",
            params={**_period(start, end), "lang": language(request)},
        )
    )
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    # The words are in the reader's language: a switch must not show the last language's copy.
    headers = {"Cache-Control": "private, max-age=60", "Vary": "Cookie, Accept-Language"}
    return Response(upstream.content, media_type=media, headers=headers)


@router.get("/figures.csv")
async def figures_csv(request: Request, start: date | None = None, end: date | None = None) -> Response:
    user = require_user(request)
    params = {**_period(start, end), "format": "csv"}
    upstream = await web_of(request).api(user).request("reporting", "GET", "/figures", params=params)
    disposition = upstream.headers.get("content-disposition") or 'attachment; filename="figures.csv"'
    return Response(upstream.content, media_type="text/csv", headers={"Content-Disposition": disposition})

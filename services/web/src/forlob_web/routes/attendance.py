"""The day's attendance: who is expected, who is missing now; check in, check out, absence."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response

from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import AbsenceForm, DayForm
from forlob_web.routes.parts import act, part, participant_names
from forlob_web.session import flash

router = APIRouter(include_in_schema=False)

ABSENCE_REASONS = ["illness", "specialist_appointment", "holiday", "approved_leave", "internship", "other"]
ATTENDANCE_ROLES = ("workshop_lead", "contact_person", "coordinator", "team_leader")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@router.get("/attendance")
async def attendance(request: Request, web: CurrentWeb, day: date | None = None) -> Response:
    user = signed_in(request, *ATTENDANCE_ROLES)
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
        key=lambda: str(uuid.uuid4()),
    )


@router.post("/attendance/{participant_id}/check-in")
async def check_in(participant_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, DayForm)
    call = web.api(user).post(
        "attendance", f"/participants/{participant_id}/check-in", idempotency_key=form.idempotency_key()
    )
    result, response = await act(request, form.back(), call)
    if result is not None:
        late = result.get("minutes_late")
        flash(request, t("attendance.checked_in") + (" " + t("attendance.late", minutes=late) if late else ""))
    return response


@router.post("/attendance/{participant_id}/check-out")
async def check_out(participant_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, DayForm)
    call = web.api(user).post(
        "attendance", f"/participants/{participant_id}/check-out", idempotency_key=form.idempotency_key()
    )
    _, response = await act(request, form.back(), call, t("attendance.checked_out"))
    return response


@router.post("/attendance/{participant_id}/absence")
async def report_absence(participant_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request)
    form = await posted(request, AbsenceForm)
    call = web.api(user).post(
        "attendance", f"/participants/{participant_id}/absences", form.body(), idempotency_key=form.idempotency_key()
    )
    _, response = await act(request, form.back(), call, t("attendance.absence_reported"))
    return response

"""A contact person's week of meetings (meetings-shaped courses: IPS, clarification, conversation
courses): each planned meeting marked held (duration and coded topics) or cancelled by the
participant (with a reason) in one tap from a phone; one left alone past its time is detected as
missed by the attendance service, as a missed arrival is. And one participant's meetings with the
form that plans the next. The facts are the attendance service's; names the referral service's."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web import shapes_api
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.routes.parts import act, attempt, part, participant_names
from forlob_web.session import flash
from forlob_web.shape_forms import (
    CANCEL_REASONS,
    PLACES,
    TOPICS,
    BackForm,
    MeetingCancelForm,
    MeetingHeldForm,
    PlanMeetingForm,
)
from forlob_web.web import Web, language

router = APIRouter(include_in_schema=False)

MEETING_ROLES = ("contact_person", "team_leader", "coordinator")


def _monday(web: Web, text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else web.now().date()
    except ValueError:
        day = web.now().date()
    return day - timedelta(days=day.weekday())


def _local_day(web: Web, meeting: dict[str, Any]) -> str:
    return datetime.fromisoformat(str(meeting["starts_at"])).astimezone(web.zone).date().isoformat()


def _minutes(meeting: dict[str, Any]) -> int:
    try:
        start = datetime.fromisoformat(str(meeting["starts_at"]))
        end = datetime.fromisoformat(str(meeting["ends_at"]))
    except (KeyError, ValueError):
        return 60
    return max(1, int((end - start).total_seconds() // 60))


def _choices() -> dict[str, Any]:
    return {
        "topics": TOPICS,
        "places": PLACES,
        "cancel_reasons": CANCEL_REASONS,
        "key": lambda: str(uuid.uuid4()),  # each form its own Idempotency-Key
    }


@router.get("/meetings")
async def week_of_meetings(
    request: Request, web: CurrentWeb, week: str | None = Query(default=None, max_length=10)
) -> Response:
    """The reader's meetings of one week (Monday to Sunday), by day, earliest first."""
    user = signed_in(request, *MEETING_ROLES)
    api = web.api(user)
    monday = _monday(web, week)
    days = [monday + timedelta(days=i) for i in range(7)]
    found = await part(request, shapes_api.meetings_of_staff(api, user.staff, days[0], days[-1]))
    meetings = sorted(found.data or [], key=lambda m: str(m["starts_at"]))
    by_day: dict[str, list[dict[str, Any]]] = {d.isoformat(): [] for d in days}
    for meeting in meetings:
        by_day.setdefault(_local_day(web, meeting), []).append(meeting)
    names = await participant_names(api, {str(m["referral_id"]) for m in meetings if m.get("referral_id")})
    return web.render(
        request,
        "meetings.html",
        found=found,
        days=[(d.isoformat(), d.weekday(), by_day.get(d.isoformat(), [])) for d in days],
        names=names,
        minutes=_minutes,
        today=web.now().date().isoformat(),
        back=f"/meetings?week={monday.isoformat()}",
        previous=(monday - timedelta(days=7)).isoformat(),
        next=(monday + timedelta(days=7)).isoformat(),
        **_choices(),
    )


@router.get("/referrals/{referral_id}/meetings")
async def meetings_of_one(referral_id: UUID, request: Request, web: CurrentWeb) -> Response:
    """One participant's meetings, newest first, and the next one planned from here."""
    user = signed_in(request, *MEETING_ROLES)
    return await _participant_page(web, request, referral_id, user.staff)


async def _participant_page(
    web: Web, request: Request, referral_id: UUID, staff: str, status: int = 200, **values: Any
) -> Response:
    user = signed_in(request, *MEETING_ROLES)
    api = web.api(user)
    referral = await api.get("referral", f"/referrals/{referral_id}")
    found = await part(request, shapes_api.meetings_of_referral(api, str(referral_id)))
    meetings = sorted(found.data or [], key=lambda m: str(m["starts_at"]), reverse=True)
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("values", {"place": "provider"})
    return web.render(
        request,
        "meetings_of_one.html",
        status,
        referral=referral,
        found=found,
        meetings=meetings,
        names={str(referral_id): (referral.get("participant") or {}).get("name")},
        minutes=_minutes,
        today=web.now().date().isoformat(),
        back=f"/referrals/{referral_id}/meetings",
        staff=staff,
        **_choices(),
        **values,
    )


async def _meeting_action(
    request: Request,
    t: Callable[..., str],
    form: BackForm,
    problems: dict[str, Any],
    call: Callable[[], Coroutine[Any, Any, Any]],
    done: str,
) -> Response:
    """A tap on a meeting: a mistake or a refusal is said on the page it came from, in words."""
    back = form.back_to("/meetings")
    if problems:
        flash(request, " ".join(t(p.key, **p.values) for p in problems.values()), "error")
        return RedirectResponse(back, status_code=303)
    _, response = await act(request, back, call(), t(done))
    return response


@router.post("/meetings/{meeting_id}/held")
async def held(meeting_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *MEETING_ROLES)
    form = await posted(request, MeetingHeldForm, lists=("topics",))
    problems = form.problems()
    body = {} if problems else form.body(web.zone)
    api = web.api(user)
    return await _meeting_action(
        request,
        t,
        form,
        problems,
        lambda: shapes_api.meeting_held(api, str(meeting_id), body, form.idempotency_key()),
        "meeting.recorded_held",
    )


@router.post("/meetings/{meeting_id}/cancel")
async def cancelled(meeting_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *MEETING_ROLES)
    form = await posted(request, MeetingCancelForm)
    problems = form.problems()
    api = web.api(user)
    return await _meeting_action(
        request,
        t,
        form,
        problems,
        lambda: shapes_api.meeting_cancelled(api, str(meeting_id), form.body(), form.idempotency_key()),
        "meeting.recorded_cancelled",
    )


@router.post("/meetings/{meeting_id}/move")
async def move(meeting_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """A planned meeting at another time or place; a mistake or a refusal is said on the page it came from."""
    user = signed_in(request, *MEETING_ROLES)
    form = await posted(request, PlanMeetingForm)
    problems = form.problems(web.now().date())
    body = {} if problems else form.body(web.zone, user.staff)
    api = web.api(user)
    return await _meeting_action(
        request,
        t,
        form,
        problems,
        lambda: shapes_api.move_meeting(api, str(meeting_id), body),
        "meeting.moved",
    )


@router.post("/referrals/{referral_id}/meetings")
async def plan(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """Plan a meeting with the participant, held by the reader; mistakes next to their fields."""
    user = signed_in(request, *MEETING_ROLES)
    form = await posted(request, PlanMeetingForm)
    problems = form.problems(web.now().date())
    typed = form.model_dump(exclude={"key", "back"})
    if problems:
        errors = {name: t(p.key, **p.values) for name, p in problems.items()}
        return await _participant_page(
            web, request, referral_id, user.staff, 422, errors=errors, message=t("course.fix"), values=typed
        )
    api = web.api(user)
    call = shapes_api.plan_meeting(api, str(referral_id), form.body(web.zone, user.staff), form.idempotency_key())
    _, message, fields, status = await attempt(request, call)
    if message is not None:
        return await _participant_page(
            web, request, referral_id, user.staff, status, errors=fields, message=message, values=typed
        )
    day = web.words(language(request))["day_text"](form.day)
    flash(request, t("meeting.planned", day=day, at=form.start))
    return RedirectResponse(form.back_to(f"/referrals/{referral_id}/meetings"), status_code=303)

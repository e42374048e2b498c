"""The coordinator's courses: start a course from an accepted referral on the week grid, extend or
shorten it, change the agreed hours, end it with the outcome and the closing note; and move a
referral on the waiting list. Every action calls the referral service (forlob_web.client) with an
Idempotency-Key drawn with the page; the pages keep nothing of their own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import RedirectResponse

from forlob_shared.events.common import Outcome
from forlob_web.client import Api, ApiError, ServiceDown
from forlob_web.course_forms import ATTAINMENTS, PLACES, ClosingMeetingForm, EndCourseForm, StartCourseForm
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import AgreementForm, KeyedForm, MoveForm, RescheduleForm, day_of
from forlob_web.i18n import code_words
from forlob_web.routes.parts import act, part, problem_words
from forlob_web.session import flash
from forlob_web.shape_forms import CADENCES, CadenceAgreementForm, CadenceStartForm, whole
from forlob_web.shapes_api import shape_of
from forlob_web.web import Web, language
from forlob_web.week_grid import WINDOWS_PER_DAY, Problem, grid_of, open_days, opening_windows, weekly_hours

router = APIRouter(include_in_schema=False)

OUTCOMES = [o.value for o in Outcome]
# What a change of a meetings course is called: its agreement is how often they meet, not hours.
MEETINGS_WORDS = {"course.agreed": "cadence.changed"}
PROGRAMME_CODE = Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _words(t: Callable[..., str], problems: dict[str, Problem]) -> dict[str, str]:
    return {name: t(p.key, **p.values) for name, p in problems.items()}


async def _course_facts(api: Api, referral_id: UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    """The referral (another organisation's is not found: the 404 page) and its programme."""
    referral = await api.get("referral", f"/referrals/{referral_id}")
    programme = await api.get("referral", f"/programmes/{referral['programme_code']}")
    return referral, programme


def _goals(referral: dict[str, Any]) -> list[dict[str, Any]]:
    return list(referral.get("goals") or [])


def _zone(programme: dict[str, Any]) -> ZoneInfo:
    """The programme's zone: a meeting's wall time is the provider's."""
    return ZoneInfo(programme.get("timezone") or "Europe/Copenhagen")


@router.get("/courses")
async def courses(request: Request, web: CurrentWeb) -> Response:
    """To start (accepted) and running (started), of the coordinator's own organisation."""
    user = signed_in(request, "coordinator")
    api = web.api(user)
    accepted, started = await asyncio.gather(
        part(request, api.get("referral", "/referrals", state="accepted", limit=200)),
        part(request, api.get("referral", "/referrals", state="started", limit=200)),
    )
    for found in (accepted, started):
        if found.data is not None:
            found.data = [r for r in found.data if r["provider_org"] == user.org]
    return web.render(request, "courses.html", accepted=accepted, started=started)


def _start_page(
    web: Web, request: Request, referral: dict[str, Any], programme: dict[str, Any], **values: Any
) -> Response:
    """The start: the week grid for a timetabled course, how often they meet for a meetings
    course, and for outreach no start at all (its cases are opened on the outreach pages)."""
    status = values.pop("status", 200)
    opening = opening_windows(programme.get("opening_hours") or [])
    values.setdefault(
        "values",
        {
            "start_date": referral.get("intake_date") or "",
            "weeks": str(programme["default_weeks"]),
            "cadence": "weekly",
        },
    )
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("key", str(uuid.uuid4()))
    return web.render(
        request,
        "course_start.html",
        status,
        referral=referral,
        programme=programme,
        days=open_days(opening),
        windows=range(1, WINDOWS_PER_DAY + 1),
        shape=shape_of(programme),
        cadences=CADENCES,
        **values,
    )


@router.get("/courses/{referral_id}/start")
async def start_form(referral_id: UUID, request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, "coordinator")
    referral, programme = await _course_facts(web.api(user), referral_id)
    return _start_page(web, request, referral, programme)


async def _call(request: Request, call: Any) -> tuple[Any, str | None, dict[str, str], int]:
    """A course action: its answer, else the refusal in words, its fields and the page's status.
    401, 403 and 404 go on to the error pages (sign in, not allowed, not found)."""
    try:
        return await call, None, {}, 200
    except ServiceDown as exc:
        return None, problem_words(request, exc), {}, 503
    except ApiError as exc:
        if exc.status in {401, 403, 404}:
            raise
        status = exc.status if 400 <= exc.status < 500 else 502
        return None, problem_words(request, exc), exc.field_errors(), status


@router.post("/courses/{referral_id}/start")
async def start(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, "coordinator")
    form = await posted(request, StartCourseForm)
    api = web.api(user)
    referral, programme = await _course_facts(api, referral_id)
    shape = shape_of(programme)
    if shape == "outreach":
        refusal = t("course.outreach_has_no_start")
        return _start_page(web, request, referral, programme, status=409, message=refusal)
    if shape == "meetings":
        return await _start_meetings(request, web, t, api, referral, programme)
    typed = {**form.model_dump(exclude={"grid", "key"}), **form.grid}
    opening = opening_windows(programme["opening_hours"])
    windows, problems = form.problems(opening, programme["default_weeks"])
    again = {"values": typed, "key": form.idempotency_key()}
    if problems:
        errors = _words(t, problems)
        return _start_page(
            web, request, referral, programme, status=422, errors=errors, message=t("course.fix"), **again
        )
    weeks = form.course_weeks(programme["default_weeks"]) or programme["default_weeks"]
    body = form.body(windows, weeks, _goals(referral), _zone(programme))
    started, message, fields, status = await _call(
        request, api.post("referral", f"/referrals/{referral_id}/start", body, idempotency_key=form.idempotency_key())
    )
    if started is None:
        # Another attempt is a new request: the refused one is kept under its key.
        again["key"] = str(uuid.uuid4())
        return _start_page(web, request, referral, programme, status=status, errors=fields, message=message, **again)
    words = web.words(language(request))
    day, hours = words["day_text"], words["decimal"](weekly_hours(windows))
    meeting = f"{day(form.closing_meeting)} {form.closing_meeting_time}"
    flash(request, t("course.started", date=day(form.start_date), meeting=meeting, hours=hours))
    return RedirectResponse(f"/courses/{referral_id}", status_code=303)


async def _start_meetings(
    request: Request, web: Web, t: Callable[..., str], api: Api, referral: dict[str, Any], programme: dict[str, Any]
) -> Response:
    """A meetings course starts with its cadence (weekly, every other week, one by one) and no week grid."""
    form = await posted(request, CadenceStartForm)
    rid = referral["id"]
    again = {"values": form.model_dump(exclude={"key"}), "key": form.idempotency_key()}
    problems = form.problems()
    if problems:
        errors = _words(t, problems)
        return _start_page(
            web, request, referral, programme, status=422, errors=errors, message=t("course.fix"), **again
        )
    weeks = whole(form.weeks) or programme["default_weeks"]
    started, message, fields, status = await _call(
        request,
        api.post(
            "referral",
            f"/referrals/{rid}/start",
            form.body(weeks, _goals(referral)),
            idempotency_key=form.idempotency_key(),
        ),
    )
    if started is None:
        again["key"] = str(uuid.uuid4())
        return _start_page(web, request, referral, programme, status=status, errors=fields, message=message, **again)
    day = web.words(language(request))["day_text"]
    cadence = code_words(language(request))("cadence_kind", form.cadence)
    flash(request, t("course.started_meetings", date=day(form.start_date), cadence=cadence, days=form.gap()))
    return RedirectResponse(f"/courses/{rid}", status_code=303)


def _course_page(
    web: Web, request: Request, referral: dict[str, Any], programme: dict[str, Any], **values: Any
) -> Response:
    status = values.pop("status", 200)
    course = referral.get("course") or {}
    values.setdefault("form", None)
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("values", {})
    grid = grid_of(course.get("schedule") or [])
    opening = opening_windows(programme["opening_hours"])
    return web.render(
        request,
        "course.html",
        status,
        referral=referral,
        course=course,
        programme=programme,
        grid=grid,
        days=open_days(opening),
        windows=range(1, WINDOWS_PER_DAY + 1),
        outcomes=OUTCOMES,
        attainments=ATTAINMENTS,
        places=PLACES,
        goals=_goals(referral),
        key=lambda: str(uuid.uuid4()),
        today=web.now().date().isoformat(),
        shape=shape_of(programme),
        cadences=CADENCES,
        **values,
    )


@router.get("/courses/{referral_id}")
async def course_page(referral_id: UUID, request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, "coordinator")
    referral, programme = await _course_facts(web.api(user), referral_id)
    if not referral.get("course"):
        return RedirectResponse(f"/courses/{referral_id}/start", status_code=303)
    return _course_page(web, request, referral, programme)


def _start_of(referral: dict[str, Any]) -> date | None:
    return day_of(str((referral.get("course") or {}).get("start_date") or ""))


async def _course_action(
    request: Request,
    web: Web,
    t: Callable[..., str],
    referral_id: UUID,
    form_name: str,
    form: KeyedForm,
    check: Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Problem], Any]],
    path: str,
    done: str,
    also: KeyedForm | None = None,
) -> Response:
    """One change of a running course: checked here first, then the referral service's answer.
    ``also``: the same post read as another form (a meetings course's cadence), to draw it again."""
    user = signed_in(request, "coordinator")
    api = web.api(user)
    referral, programme = await _course_facts(api, referral_id)
    values = also.model_dump(exclude={"key"}) if also else {}
    values |= {**form.model_dump(exclude={"grid", "attainment", "key"}), **getattr(form, "grid", {})}
    values |= getattr(form, "attainment", {})
    problems, body = check(referral, programme)
    page = {"form": form_name, "values": values}
    if problems:
        return _course_page(
            web, request, referral, programme, status=422, errors=_words(t, problems), message=t("course.fix"), **page
        )
    answer, message, fields, status = await _call(
        request, api.post("referral", f"/referrals/{referral_id}/{path}", body, idempotency_key=form.idempotency_key())
    )
    if answer is None:
        return _course_page(web, request, referral, programme, status=status, errors=fields, message=message, **page)
    if shape_of(programme) == "meetings":
        done = MEETINGS_WORDS.get(done, done)
    flash(request, t(done))
    return RedirectResponse(f"/courses/{referral_id}", status_code=303)


@router.post("/courses/{referral_id}/reschedule")
async def reschedule(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, "coordinator")
    form = await posted(request, RescheduleForm)

    def check(referral: dict[str, Any], programme: dict[str, Any]) -> tuple[dict[str, Problem], Any]:
        problems = form.problems()
        return problems, None if problems else form.body()

    return await _course_action(
        request, web, t, referral_id, "reschedule", form, check, "reschedule", "course.rescheduled"
    )


@router.post("/courses/{referral_id}/agreement")
async def agreement(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, "coordinator")
    form = await posted(request, AgreementForm)
    rhythm = await posted(request, CadenceAgreementForm)

    def check(referral: dict[str, Any], programme: dict[str, Any]) -> tuple[dict[str, Problem], Any]:
        if shape_of(programme) == "meetings":  # how often they meet, not a week's hours
            found = rhythm.problems(_start_of(referral))
            return found, None if found else rhythm.body()
        windows, problems = form.problems(opening_windows(programme["opening_hours"]), _start_of(referral))
        return problems, form.body(windows)

    return await _course_action(
        request, web, t, referral_id, "agreement", form, check, "agreement", "course.agreed", also=rhythm
    )


@router.post("/courses/{referral_id}/end")
async def end(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, "coordinator")
    form = await posted(request, EndCourseForm)

    def check(referral: dict[str, Any], programme: dict[str, Any]) -> tuple[dict[str, Problem], Any]:
        goals = _goals(referral)
        problems = form.problems(_start_of(referral), goals, set(OUTCOMES))
        return problems, None if problems else form.body(goals)

    return await _course_action(request, web, t, referral_id, "end", form, check, "end", "course.ended")


@router.post("/courses/{referral_id}/closing-meeting")
async def closing_meeting(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """Another day and time for the closing meeting, kept in the course record by the referral service."""
    signed_in(request, "coordinator")
    form = await posted(request, ClosingMeetingForm)

    def check(referral: dict[str, Any], programme: dict[str, Any]) -> tuple[dict[str, Problem], Any]:
        end = day_of(str((referral.get("course") or {}).get("planned_end_date") or ""))
        problems = form.problems(_start_of(referral), end)
        return problems, None if problems else form.body(_zone(programme))

    path = "record/closing-meeting"
    return await _course_action(
        request, web, t, referral_id, "closing", form, check, path, "course.closing_meeting_moved"
    )


@router.post("/intake/{code}/waiting-list/{referral_id}/move")
async def move(
    code: Annotated[str, PROGRAMME_CODE], referral_id: UUID, request: Request, web: CurrentWeb, t: Words
) -> Response:
    """A new place on the waiting list with its reason; a mistake is said on the intake board."""
    user = signed_in(request, "coordinator")
    form = await posted(request, MoveForm)
    problems = form.problems()
    if problems:
        flash(request, " ".join(_words(t, problems).values()), "error")
        return RedirectResponse("/intake", status_code=303)
    path = f"/programmes/{code}/waiting-list/{referral_id}/move"
    call = web.api(user).post("referral", path, form.body(), idempotency_key=form.idempotency_key())
    _, response = await act(request, "/intake", call, t("waiting.moved", position=form.position))
    return response

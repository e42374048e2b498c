"""Safety on home and street visits: one big button to start a visit (its kind, when it should be
over, the colleague along) and one to end it; the team leader sees every open visit of the team,
the overdue ones first. A visit not ended by its planned end plus a grace is the notifications
service's to alert about (visit_overdue, in the alert pages)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web import shapes_api
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.routes.parts import act, attempt, part
from forlob_web.session import flash
from forlob_web.shape_forms import VISIT_KINDS, EndVisitForm, StartVisitForm
from forlob_web.web import Web

router = APIRouter(include_in_schema=False)

VISIT_ROLES = ("contact_person", "workshop_lead", "team_leader", "coordinator")


def is_open(visit: dict[str, Any]) -> bool:
    return not visit.get("ended_at") and visit.get("state", "open") in {"open", "overdue", "started"}


def is_late(visit: dict[str, Any], now: datetime) -> bool:
    if visit.get("state") == "overdue" or visit.get("overdue"):
        return True
    try:
        return datetime.fromisoformat(str(visit["planned_end"])) < now
    except (KeyError, ValueError):
        return False


async def _page(web: Web, request: Request, status: int = 200, **values: Any) -> Response:
    user = signed_in(request, *VISIT_ROLES)
    found = await part(request, shapes_api.visits(web.api(user)))
    now = web.now()
    open_visits = [v for v in found.data or [] if is_open(v)]
    mine = next((v for v in open_visits if v.get("staff_id") == user.staff), None)
    team = (
        sorted(open_visits, key=lambda v: (not is_late(v, now), str(v.get("planned_end"))))
        if user.has("team_leader")
        else []
    )
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("values", {"kind": "home", "planned_end": (now + timedelta(hours=1)).strftime("%H:%M")})
    return web.render(
        request,
        "visits.html",
        status,
        found=found,
        mine=mine,
        team=team,
        late={str(v["id"]) for v in team if is_late(v, now)},
        leader=user.has("team_leader"),
        kinds=VISIT_KINDS,
        key=str(uuid.uuid4()),
        **values,
    )


@router.get("/visits")
async def visits(request: Request, web: CurrentWeb) -> Response:
    signed_in(request, *VISIT_ROLES)
    return await _page(web, request)


@router.post("/visits")
async def start(request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *VISIT_ROLES)
    form = await posted(request, StartVisitForm)
    now = web.now()
    problems = form.problems(now)
    typed = form.model_dump(exclude={"key"})
    if problems:
        errors = {name: t(p.key, **p.values) for name, p in problems.items()}
        return await _page(web, request, 422, errors=errors, message=t("course.fix"), values=typed)
    _, message, fields, status = await attempt(
        request, shapes_api.start_visit(web.api(user), form.body(now), form.idempotency_key())
    )
    if message is not None:
        return await _page(web, request, status, errors=fields, message=message, values=typed)
    flash(request, t("visit.started", at=form.planned_end))
    return RedirectResponse("/visits", status_code=303)


@router.post("/visits/{visit_id}/end")
async def end(visit_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *VISIT_ROLES)
    form = await posted(request, EndVisitForm)
    call = shapes_api.end_visit(web.api(user), str(visit_id), form.idempotency_key())
    _, response = await act(request, "/visits", call, t("visit.ended"))
    return response

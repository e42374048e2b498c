"""The outreach team's caseload: the cases of people of concern, overdue contacts first; one case
with a quick contact-attempt form (where, how, what came of it, try again in N days), its phase
(closing with a reason), the citizen's consent, and only after consent the identity and the
handover to another programme. Opening a case takes a working name and a description, never an
identity. The facts are the referral service's; the pages keep nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web import shapes_api
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.routes.parts import Part, attempt, part
from forlob_web.session import flash
from forlob_web.shape_forms import (
    ATTEMPT_OUTCOMES,
    CHANNELS,
    CLOSE_REASONS,
    CONSENT_METHODS,
    CONTACT_PLACES,
    PHASES,
    AttemptForm,
    ConsentForm,
    HandoverForm,
    IdentifyForm,
    OpenCaseForm,
    PhaseForm,
)
from forlob_web.web import Web
from forlob_web.week_grid import Problem

router = APIRouter(include_in_schema=False)

OUTREACH_ROLES = ("contact_person", "team_leader", "coordinator")


def due_day(case: dict[str, Any]) -> date | None:
    text = case.get("next_attempt_by")
    try:
        return date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def is_overdue(case: dict[str, Any], today: date) -> bool:
    if case.get("phase") == "closed":
        return False
    if case.get("overdue") is not None:
        return bool(case["overdue"])
    due = due_day(case)
    return due is not None and due < today


def caseload_order(cases: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Overdue first (longest overdue on top), then by the next attempt's day, then the closed."""
    return sorted(
        cases,
        key=lambda c: (
            c.get("phase") == "closed",
            not is_overdue(c, today),
            due_day(c) or date.max,
            str(c.get("working_name") or ""),
        ),
    )


@router.get("/outreach")
async def caseload(request: Request, web: CurrentWeb, closed: bool = False) -> Response:
    user = signed_in(request, *OUTREACH_ROLES)
    found = await part(request, shapes_api.outreach_cases(web.api(user), include_closed=closed))
    today = web.now().date()
    cases = caseload_order(found.data or [], today)
    return web.render(
        request,
        "outreach.html",
        found=found,
        cases=cases,
        overdue={str(c["id"]) for c in cases if is_overdue(c, today)},
        closed=closed,
    )


async def _outreach_programmes(web: Web, request: Request) -> Part:
    user = signed_in(request, *OUTREACH_ROLES)
    found = await part(request, shapes_api.programmes(web.api(user)))
    if found.data is not None:
        found.data = [p for p in found.data if shapes_api.shape_of(p) == "outreach"]
    return found


def _new_page(web: Web, request: Request, programmes: Part, status: int = 200, **values: Any) -> Response:
    values.setdefault("values", {})
    values.setdefault("errors", {})
    values.setdefault("message", None)
    return web.render(request, "outreach_new.html", status, programmes=programmes, key=str(uuid.uuid4()), **values)


@router.get("/outreach/new")
async def new_case(request: Request, web: CurrentWeb) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    return _new_page(web, request, await _outreach_programmes(web, request))


@router.post("/outreach/new")
async def open_case(request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *OUTREACH_ROLES)
    form = await posted(request, OpenCaseForm)
    programmes = await _outreach_programmes(web, request)
    codes = {str(p["code"]) for p in programmes.data or []}
    problems = form.problems(codes)
    typed = form.model_dump(exclude={"key"})
    if problems:
        errors = {name: t(p.key, **p.values) for name, p in problems.items()}
        return _new_page(web, request, programmes, 422, values=typed, errors=errors, message=t("course.fix"))
    opened, message, fields, status = await attempt(
        request, shapes_api.open_case(web.api(user), form.body(), form.idempotency_key())
    )
    if message is not None or not isinstance(opened, dict):
        return _new_page(web, request, programmes, status, values=typed, errors=fields, message=message)
    flash(request, t("outreach.opened", name=form.working_name))
    return RedirectResponse(f"/outreach/{opened['id']}", status_code=303)


async def _case_page(web: Web, request: Request, case_id: UUID, status: int = 200, **values: Any) -> Response:
    user = signed_in(request, *OUTREACH_ROLES)
    api = web.api(user)
    case = await shapes_api.outreach_case(api, str(case_id))
    # The case carries its attempts (``attempt_log``); the catalogue is for the handover's choice.
    attempts = Part(sorted(case.get("attempt_log") or [], key=lambda a: str(a.get("attempted_at")), reverse=True))
    programmes = await part(request, shapes_api.programmes(api))
    values.setdefault("form", None)
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("values", {})
    today = web.now().date()
    return web.render(
        request,
        "outreach_case.html",
        status,
        case=case,
        attempts=attempts,
        programmes=programmes,
        overdue=is_overdue(case, today),
        consented=bool(case.get("consent") or case.get("consent_record")),
        identified=bool(case.get("identified") or case.get("participant_id")),
        handed_over=next(iter(case.get("handover_referral_ids") or []), None),
        places=CONTACT_PLACES,
        channels=CHANNELS,
        outcomes=ATTEMPT_OUTCOMES,
        phases=PHASES,
        close_reasons=CLOSE_REASONS,
        consent_methods=CONSENT_METHODS,
        key=lambda: str(uuid.uuid4()),
        today=today.isoformat(),
        **values,
    )


@router.get("/outreach/{case_id}")
async def case_page(case_id: UUID, request: Request, web: CurrentWeb) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    return await _case_page(web, request, case_id)


async def _case_action(
    request: Request,
    web: Web,
    t: Callable[..., str],
    case_id: UUID,
    name: str,
    typed: dict[str, Any],
    problems: dict[str, Problem],
    body: Callable[[], dict[str, Any]],
    key: str,
    done: str,
) -> Response:
    """One step of a case: the person's mistakes next to their fields, the service's refusal in
    words above the form, else back to the case with what was done."""
    user = signed_in(request, *OUTREACH_ROLES)
    page = {"form": name, "values": typed}
    if problems:
        errors = {field: t(p.key, **p.values) for field, p in problems.items()}
        return await _case_page(web, request, case_id, 422, errors=errors, message=t("course.fix"), **page)
    _, message, fields, status = await attempt(
        request, shapes_api.case_action(web.api(user), str(case_id), name, body(), key)
    )
    if message is not None:
        return await _case_page(web, request, case_id, status, errors=fields, message=message, **page)
    flash(request, t(done))
    return RedirectResponse(f"/outreach/{case_id}", status_code=303)


@router.post("/outreach/{case_id}/attempts")
async def contact_attempt(case_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    form = await posted(request, AttemptForm)
    return await _case_action(
        request,
        web,
        t,
        case_id,
        "attempts",
        form.model_dump(exclude={"key"}),
        form.problems(),
        form.body,
        form.idempotency_key(),
        "outreach.attempt_recorded",
    )


@router.post("/outreach/{case_id}/phase")
async def phase(case_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    form = await posted(request, PhaseForm)
    return await _case_action(
        request,
        web,
        t,
        case_id,
        "phase",
        form.model_dump(exclude={"key"}),
        form.problems(),
        form.body,
        form.idempotency_key(),
        "outreach.phase_changed",
    )


@router.post("/outreach/{case_id}/consent")
async def consent(case_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    form = await posted(request, ConsentForm)
    now = web.now()
    return await _case_action(
        request,
        web,
        t,
        case_id,
        "consent",
        form.model_dump(exclude={"key"}),
        form.problems(now.date()),
        lambda: form.body(now),
        form.idempotency_key(),
        "outreach.consent_recorded",
    )


@router.post("/outreach/{case_id}/identify")
async def identify(case_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    form = await posted(request, IdentifyForm)
    return await _case_action(
        request,
        web,
        t,
        case_id,
        "identify",
        form.model_dump(exclude={"key", "identity_number"}),  # never drawn back into a page
        form.problems(),
        form.body,
        form.idempotency_key(),
        "outreach.identified",
    )


@router.post("/outreach/{case_id}/handover")
async def handover(case_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *OUTREACH_ROLES)
    form = await posted(request, HandoverForm)
    return await _case_action(
        request,
        web,
        t,
        case_id,
        "handover",
        form.model_dump(exclude={"key"}),
        form.problems(),
        form.body,
        form.idempotency_key(),
        "outreach.handed_over",
    )

"""The IPS consultant's caseload and one participant's work: each participant of the reader's
meetings courses with the phase (search, employed with support), the latest employer contact and
the job; and the participant's page that records an employer contact, a job or education started
or ended, and for a clarification course its result. The facts are the referral service's
(docs/referral.md#work-and-the-way-into-it); the pages keep nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web import employment_api, shapes_api
from forlob_web.client import Api
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.employment_forms import (
    AREAS,
    CONTACT_KINDS,
    DISCLOSURES,
    END_REASONS,
    RECOMMENDATIONS,
    SPELL_KINDS,
    ClarificationForm,
    EmployerContactForm,
    SpellEndForm,
    SpellForm,
)
from forlob_web.routes.employers import IPS_ROLES
from forlob_web.routes.parts import attempt, part
from forlob_web.session import flash
from forlob_web.web import Web
from forlob_web.week_grid import Problem

router = APIRouter(include_in_schema=False)


@router.get("/caseload")
async def caseload(request: Request, web: CurrentWeb) -> Response:
    """A contact person's own participants; a coordinator or team leader sees every consultant's.
    Two calls whatever the caseload's size: the caseload (names, work, latest contact) and the
    employer register for the employers' names."""
    user = signed_in(request, *IPS_ROLES)
    api = web.api(user)
    everyone = user.has("coordinator", "team_leader")
    found, employers = await asyncio.gather(
        part(request, employment_api.caseload(api, None if everyone else user.staff)),
        part(request, employment_api.employers(api)),
    )
    rows = [
        {**row, "job": employment_api.open_job(row.get("employment"))}
        for row in sorted(found.data or [], key=lambda row: row.get("participant_name") or "~")
    ]
    return web.render(
        request,
        "caseload.html",
        found=found,
        rows=rows,
        employer_names={e["id"]: e["name"] for e in employers.data or []},
        everyone=everyone,
    )


async def _employment_page(web: Web, request: Request, referral_id: UUID, status: int = 200, **values: Any) -> Response:
    user = signed_in(request, *IPS_ROLES)
    api = web.api(user)
    rid = str(referral_id)
    referral = await api.get("referral", f"/referrals/{rid}")
    work, contacts, employers, programmes = await asyncio.gather(
        part(request, employment_api.employment(api, rid)),
        part(request, employment_api.contacts_of(api, rid)),
        part(request, employment_api.employers(api)),
        part(request, shapes_api.programmes(api)),
    )
    programme: dict[str, Any] = next(
        (p for p in programmes.data or [] if p.get("code") == referral.get("programme_code")), {}
    )
    for name, default in (("form", None), ("errors", {}), ("message", None), ("values", {}), ("chosen", "")):
        values.setdefault(name, default)
    return web.render(
        request,
        "employment.html",
        status,
        referral=referral,
        work=work,
        contacts=contacts,
        employers=employers,
        employer_names={e["id"]: e["name"] for e in employers.data or []},
        clarification=programme.get("kind") in employment_api.CLARIFICATION_KINDS,
        contact_kinds=CONTACT_KINDS,
        spell_kinds=SPELL_KINDS,
        disclosures=DISCLOSURES,
        end_reasons=END_REASONS,
        recommendations=RECOMMENDATIONS,
        areas=AREAS,
        today=web.now().date().isoformat(),
        back=f"/referrals/{rid}/employment",
        key=lambda: str(uuid.uuid4()),
        **values,
    )


@router.get("/referrals/{referral_id}/employment")
async def employment_page(
    referral_id: UUID, request: Request, web: CurrentWeb, employer: UUID | None = Query(default=None)
) -> Response:
    """``employer``: the one just registered from here, chosen in the forms."""
    signed_in(request, *IPS_ROLES)
    return await _employment_page(web, request, referral_id, chosen=str(employer) if employer else "")


async def _action(
    request: Request,
    web: Web,
    t: Callable[..., str],
    referral_id: UUID,
    name: str,
    typed: dict[str, Any],
    problems: dict[str, Problem],
    call: Callable[[Api], Coroutine[Any, Any, Any]],
    done: str,
) -> Response:
    """One form of the page: a person's mistakes next to their fields, the service's refusal in
    words above the form and on the field it names, else back to the page with what was done."""
    user = signed_in(request, *IPS_ROLES)
    page = {"form": name, "values": typed}
    if problems:
        errors = {field: t(p.key, **p.values) for field, p in problems.items()}
        return await _employment_page(web, request, referral_id, 422, errors=errors, message=t("course.fix"), **page)
    _, message, fields, status = await attempt(request, call(web.api(user)))
    if message is not None:
        return await _employment_page(web, request, referral_id, status, errors=fields, message=message, **page)
    flash(request, t(done))
    return RedirectResponse(f"/referrals/{referral_id}/employment", status_code=303)


@router.post("/referrals/{referral_id}/employer-contacts")
async def employer_contact(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *IPS_ROLES)
    form = await posted(request, EmployerContactForm)
    body, key = form.body(str(referral_id)), form.idempotency_key()
    return await _action(
        request,
        web,
        t,
        referral_id,
        "contact",
        form.model_dump(exclude={"key"}),
        form.problems(),
        lambda api: employment_api.record_contact(api, body, key),
        "employment.contact_saved",
    )


@router.post("/referrals/{referral_id}/spells")
async def job_started(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *IPS_ROLES)
    form = await posted(request, SpellForm)
    problems, key = form.problems(), form.idempotency_key()
    body = {} if problems else form.body()
    return await _action(
        request,
        web,
        t,
        referral_id,
        "spell",
        form.model_dump(exclude={"key"}),
        problems,
        lambda api: employment_api.start_spell(api, str(referral_id), body, key),
        "employment.job_saved",
    )


@router.post("/referrals/{referral_id}/spells/{spell_id}/end")
async def job_ended(referral_id: UUID, spell_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, *IPS_ROLES)
    form = await posted(request, SpellEndForm)
    body, key = form.body(), form.idempotency_key()
    return await _action(
        request,
        web,
        t,
        referral_id,
        f"end-{spell_id}",
        form.model_dump(exclude={"key"}),
        form.problems(),
        lambda api: employment_api.end_spell(api, str(referral_id), str(spell_id), body, key),
        "employment.job_ended",
    )


@router.post("/referrals/{referral_id}/clarification-result")
async def clarification_result(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    signed_in(request, "coordinator", "contact_person")
    form = await posted(request, ClarificationForm, lists=("resources", "challenges"))
    problems, key = form.problems(), form.idempotency_key()
    body = {} if problems else form.body()
    return await _action(
        request,
        web,
        t,
        referral_id,
        "result",
        form.model_dump(exclude={"key"}),
        problems,
        lambda api: employment_api.give_result(api, str(referral_id), body, key),
        "result.given",
    )

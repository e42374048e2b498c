"""The provider's employer register: the list, an employer registered by its CVR or organisation
number (the referral service validates it; its refusal is shown on the number's field), and one
employer with the contacts made with it. The provider's staff only: the register is theirs, and
the referral service answers another organisation's employer with 404."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web import employment_api
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.employment_forms import SECTORS, EmployerForm
from forlob_web.routes.parts import attempt, part
from forlob_web.session import flash
from forlob_web.web import Web

router = APIRouter(include_in_schema=False)

# The referral service's ProviderStaff (api/employment.py): an IPS consultant is a contact person.
IPS_ROLES = ("contact_person", "coordinator", "team_leader")


def safe_back(back: str | None) -> str:
    """Only the pages' own paths: a form's way back is never another site."""
    ok = bool(back) and str(back).startswith("/") and not str(back).startswith("//") and "\\" not in str(back)
    return str(back) if ok else ""


async def _register_page(web: Web, request: Request, back: str, status: int = 200, **values: Any) -> Response:
    user = signed_in(request, *IPS_ROLES)
    found = await part(request, employment_api.employers(web.api(user)))
    values.setdefault("errors", {})
    values.setdefault("message", None)
    values.setdefault("values", {"country": "DK"})
    return web.render(
        request,
        "employers.html",
        status,
        found=found,
        sectors=SECTORS,
        back=back,
        key=str(uuid.uuid4()),
        **values,
    )


@router.get("/employers")
async def employer_register(
    request: Request, web: CurrentWeb, back: str | None = Query(default=None, max_length=300)
) -> Response:
    signed_in(request, *IPS_ROLES)
    return await _register_page(web, request, safe_back(back))


@router.post("/employers")
async def register_employer(request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *IPS_ROLES)
    form = await posted(request, EmployerForm)
    back = safe_back(form.back)
    typed = form.model_dump(exclude={"key", "back"})
    problems = form.problems()
    if problems:
        errors = {name: t(p.key, **p.values) for name, p in problems.items()}
        return await _register_page(web, request, back, 422, errors=errors, message=t("course.fix"), values=typed)
    call = employment_api.register(web.api(user), form.body(), form.idempotency_key())
    created, message, fields, status = await attempt(request, call)
    if isinstance(created, str):  # PERSONAL_NUMBER: a sole trader's personnummer, in words, never quoted
        errors = {"number": t("employers.personal_number")}
        return await _register_page(web, request, back, 422, errors=errors, message=t("course.fix"), values=typed)
    if message is not None or created is None:
        errors = {name.replace(".", "_"): words for name, words in fields.items()}
        return await _register_page(web, request, back, status, errors=errors, message=message, values=typed)
    flash(request, t("employers.registered"))
    if back:  # back to the form it was registered from, with the new employer chosen
        joiner = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{joiner}employer={created['id']}", status_code=303)
    return RedirectResponse(f"/employers/{created['id']}", status_code=303)


@router.get("/employers/{employer_id}")
async def one_employer(employer_id: UUID, request: Request, web: CurrentWeb) -> Response:
    user = signed_in(request, *IPS_ROLES)
    found = await employment_api.employer(web.api(user), str(employer_id))
    contacts = sorted(found.get("contacts") or [], key=lambda c: str(c["day"]), reverse=True)
    return web.render(request, "employer.html", employer=found, contacts=contacts)

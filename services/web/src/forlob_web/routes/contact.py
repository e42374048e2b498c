"""The contact person's day: a contact attempt and its outcome recorded from the alert's page (the
page the e-mail links to), the day list per workshop and per contact person, and the week of the
participants they follow. The facts are the attendance service's (the day's slots) and the
referral service's (who follows whom, which workshop, the names); the pages keep nothing."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from forlob_shared.events.common import AbsenceReason
from forlob_web.client import Api, ApiError, ServiceDown
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import ContactAttemptForm
from forlob_web.i18n import code_words
from forlob_web.routes.parts import part, participant_names, problem_words
from forlob_web.session import flash
from forlob_web.web import Web, language

router = APIRouter(include_in_schema=False)

STAFF_ROLES = ("contact_person", "workshop_lead", "coordinator", "team_leader")
CONTACT_OUTCOMES = ["called_no_answer", "reached", "reason_given", "contact_reestablished"]
REASONS = [r.value for r in AbsenceReason]
GROUPINGS = ("workshop", "contact_person")


async def alert_page(
    web: Web, request: Request, api: Api, alert_id: UUID, status: int = 200, **values: Any
) -> Response:
    """One alert's page (forlob_web.routes.alerts draws it too), with the contact attempt's form."""
    alert = await api.get("notifications", f"/alerts/{alert_id}")
    names = await participant_names(api, {alert["referral_id"]} if alert.get("referral_id") else set())
    values.setdefault("contact_errors", {})
    values.setdefault("contact_message", None)
    values.setdefault("contact_values", {})
    return web.render(
        request,
        "alert.html",
        status,
        alert=alert,
        names=names,
        contact_outcomes=CONTACT_OUTCOMES,
        absence_reasons=REASONS,
        **values,
    )


@router.post("/alerts/{alert_id}/contact")
async def record_contact(alert_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """The attempt and its outcome in one step, about the absence the alert is for."""
    user = signed_in(request, *STAFF_ROLES)
    form = await posted(request, ContactAttemptForm)
    api = web.api(user)
    alert = await api.get("notifications", f"/alerts/{alert_id}")
    absence_id = (alert.get("facts") or {}).get("absence_id")
    errors: dict[str, str] = {}
    if form.outcome not in CONTACT_OUTCOMES:
        errors["outcome"] = t("contact.outcome_missing")
    if form.reason and form.reason not in REASONS:
        errors["reason"] = t("contact.reason_unknown")
    if form.outcome == "reason_given" and not form.reason:
        errors["reason"] = t("contact.reason_needed")
    typed = {"outcome": form.outcome, "reason": form.reason}
    if errors or not absence_id:
        message = t("course.fix") if errors else t("contact.no_absence")
        return await alert_page(
            web, request, api, alert_id, 422, contact_errors=errors, contact_message=message, contact_values=typed
        )
    try:
        await api.post(
            "attendance", f"/absences/{absence_id}/contacts", form.body(), idempotency_key=form.idempotency_key()
        )
    except (ApiError, ServiceDown) as exc:
        if isinstance(exc, ApiError) and exc.status in {401, 403, 404}:
            raise
        status = 503 if isinstance(exc, ServiceDown) else (exc.status if 400 <= exc.status < 500 else 502)
        fields = exc.field_errors() if isinstance(exc, ApiError) else {}
        return await alert_page(
            web,
            request,
            api,
            alert_id,
            status,
            contact_errors=fields,
            contact_message=problem_words(request, exc),
            contact_values=typed,
        )
    flash(request, t("contact.recorded", outcome=_code(request, form.outcome)))
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


def _code(request: Request, outcome: str) -> str:
    return code_words(language(request))("contact_outcome", outcome)


async def _referrals(api: Api, ids: set[str]) -> dict[str, dict[str, Any]]:
    """The single referral per id (names, contact person, workshop); one that cannot be read is left out."""

    async def one(rid: str) -> tuple[str, dict[str, Any] | None]:
        try:
            return rid, await api.get("referral", f"/referrals/{rid}")
        except (ApiError, ServiceDown) as exc:
            if isinstance(exc, ApiError) and exc.status == 401:
                raise
            return rid, None

    found = await asyncio.gather(*(one(rid) for rid in ids))
    return {rid: referral for rid, referral in found if referral}


def _group_key(referral: dict[str, Any] | None, by: str) -> str:
    course = (referral or {}).get("course") or {}
    if by == "workshop":
        return str((course.get("plan") or {}).get("workshop") or "")
    return str(course.get("contact_person_id") or "")


def _day(web: Web, text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else web.now().date()
    except ValueError:
        return web.now().date()


@router.get("/day-list")
async def day_list(
    request: Request,
    web: CurrentWeb,
    day: str | None = Query(default=None, max_length=10),
    by: str = Query(default="workshop", pattern="^(workshop|contact_person)$"),
) -> Response:
    """The day's expected participants, grouped by workshop or by contact person."""
    user = signed_in(request, *STAFF_ROLES)
    api = web.api(user)
    when = _day(web, day)
    found = await part(request, api.get("attendance", f"/days/{when.isoformat()}"))
    slots = (found.data or {}).get("slots", [])
    referrals = await _referrals(api, {s["referral_id"] for s in slots})
    groups: dict[str, list[dict[str, Any]]] = {}
    for slot in sorted(slots, key=lambda s: s["expected_start"]):
        groups.setdefault(_group_key(referrals.get(slot["referral_id"]), by), []).append(slot)
    names = {rid: (r.get("participant") or {}).get("name") for rid, r in referrals.items()}
    return web.render(
        request,
        "day_list.html",
        day=when.isoformat(),
        by=by,
        groupings=GROUPINGS,
        found=found,
        groups=sorted(groups.items(), key=lambda g: (g[0] == "", g[0])),
        names=names,
        mine=user.staff,
    )


@router.get("/following")
async def following(
    request: Request, web: CurrentWeb, week: str | None = Query(default=None, max_length=10)
) -> Response:
    """The week (Monday to Sunday) of the participants whose contact person is the reader."""
    user = signed_in(request, *STAFF_ROLES)
    api = web.api(user)
    monday = _day(web, week)
    monday -= timedelta(days=monday.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    lists = await asyncio.gather(*(part(request, api.get("attendance", f"/days/{d.isoformat()}")) for d in days))
    problem = next((p.error for p in lists if p.error), None)
    slots = [s for p in lists for s in (p.data or {}).get("slots", [])]
    referrals = await _referrals(api, {s["referral_id"] for s in slots})
    mine = {rid: r for rid, r in referrals.items() if _group_key(r, "contact_person") == user.staff}
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {rid: {} for rid in mine}
    for slot in slots:
        if slot["referral_id"] in rows:
            rows[slot["referral_id"]].setdefault(slot["day"], []).append(slot)
    names = {rid: (r.get("participant") or {}).get("name") for rid, r in mine.items()}
    return web.render(
        request,
        "following.html",
        days=[d.isoformat() for d in days],
        rows=sorted(rows.items(), key=lambda r: str(names.get(r[0]) or r[0])),
        names=names,
        problem=problem,
        previous=(monday - timedelta(days=7)).isoformat(),
        next=(monday + timedelta(days=7)).isoformat(),
    )

"""The next step from the referral page (docs/referral.md#referring-on-the-next-step): the
coordinator proposes it (and may withdraw the proposal), the caseworker refers on (as proposed, or
directly) or declines the proposal with a coded reason. The referral service decides; its refusal
is shown on the page in words."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_shared.events.handover import DeclineReason
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import DeclineForm, KeyedForm, NextStepForm
from forlob_web.routes.parts import act
from forlob_web.session import flash

router = APIRouter(include_in_schema=False)

# The caseworker's reasons for declining, in the select's order (the shared catalogue has their words).
DECLINE_REASONS = tuple(r.value for r in DeclineReason)


@router.post("/referrals/{referral_id}/next-step")
async def next_step(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """The coordinator's form proposes; the caseworker's refers on directly."""
    user = signed_in(request, "caseworker", "coordinator")
    form = await posted(request, NextStepForm)
    back = f"/referrals/{referral_id}#next-step"
    body = form.body()
    if body is None:
        flash(request, t("next_step.fix"), "error")
        return RedirectResponse(back, status_code=303)
    caseworker = user.has("caseworker")
    path = f"/referrals/{referral_id}/refer-on" if caseworker else f"/referrals/{referral_id}/handovers"
    call = web.api(user).post("referral", path, body, idempotency_key=form.idempotency_key())
    words = t("next_step.referred") if caseworker else t("next_step.proposed")
    _, response = await act(request, back, call, words)
    return response


@router.post("/referrals/{referral_id}/handovers/{handover_id}/refer")
async def refer_as_proposed(
    referral_id: UUID, handover_id: UUID, request: Request, web: CurrentWeb, t: Words
) -> Response:
    user = signed_in(request, "caseworker")
    form = await posted(request, KeyedForm)
    call = web.api(user).post("referral", f"/handovers/{handover_id}/refer", {}, idempotency_key=form.idempotency_key())
    _, response = await act(request, f"/referrals/{referral_id}#next-step", call, t("next_step.referred"))
    return response


@router.post("/referrals/{referral_id}/handovers/{handover_id}/decline")
async def decline(referral_id: UUID, handover_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """The referring caseworker declines the provider's proposal; a reason not in the list asks nothing."""
    user = signed_in(request, "caseworker")
    form = await posted(request, DeclineForm)
    back = f"/referrals/{referral_id}#next-step"
    if form.reason not in DECLINE_REASONS:
        flash(request, t("next_step.choose_reason"), "error")
        return RedirectResponse(back, status_code=303)
    call = web.api(user).post(
        "referral", f"/handovers/{handover_id}/decline", {"reason": form.reason}, idempotency_key=form.idempotency_key()
    )
    _, response = await act(request, back, call, t("next_step.declined"))
    return response


@router.post("/referrals/{referral_id}/handovers/{handover_id}/withdraw")
async def withdraw(referral_id: UUID, handover_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    """The proposing provider's coordinator takes the proposal back."""
    user = signed_in(request, "coordinator")
    form = await posted(request, KeyedForm)
    call = web.api(user).post(
        "referral", f"/handovers/{handover_id}/withdraw", None, idempotency_key=form.idempotency_key()
    )
    _, response = await act(request, f"/referrals/{referral_id}#next-step", call, t("next_step.withdrawn"))
    return response

"""The participant's consent to text messages, from the referral page: the provider's staff who
meet the participant record their yes (number, language, how it was given) or withdraw it. The
referral service keeps the number and judges it; the page only ever shows it masked, and a refused
number is said in words without repeating it (docs/sms.md)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from forlob_web.client import ApiError
from forlob_web.deps import CurrentWeb, Words, posted, signed_in
from forlob_web.forms import SmsConsentForm, SmsWithdrawForm
from forlob_web.routes.parts import act
from forlob_web.session import flash

router = APIRouter(include_in_schema=False)

# Who records it: the staff who meet the participant (the referral service's rule, shown here so
# the page offers the section only to them).
SMS_ROLES = ("coordinator", "contact_person", "team_leader")
# While the participant is expected, before or during the course.
SMS_STATES = ("accepted", "waitlisted", "started")


def _back(referral_id: UUID) -> str:
    return f"/referrals/{referral_id}#text-messages"


@router.post("/referrals/{referral_id}/sms-consent")
async def record_consent(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *SMS_ROLES)
    form = await posted(request, SmsConsentForm)
    body = form.body()
    if body is None:
        flash(request, t("sms.fix"), "error")
        return RedirectResponse(_back(referral_id), status_code=303)
    call = web.api(user).post(
        "referral", f"/referrals/{referral_id}/sms-consent", body, idempotency_key=form.idempotency_key()
    )

    def refused_number(exc: ApiError) -> str | None:
        # The service's own words name the rule in English; the number is ours to say no to in the
        # reader's language (never repeating it).
        named = {*exc.field_errors(), exc.extensions.get("field")}  # the schema's check or the rule's
        return t("sms.number_refused") if exc.status == 422 and "mobile_number" in named else None

    _, response = await act(request, _back(referral_id), call, t("sms.recorded"), refused_number)
    return response


@router.post("/referrals/{referral_id}/sms-consent/withdraw")
async def withdraw_consent(referral_id: UUID, request: Request, web: CurrentWeb, t: Words) -> Response:
    user = signed_in(request, *SMS_ROLES)
    form = await posted(request, SmsWithdrawForm)
    body = form.body()
    if body is None:
        flash(request, t("sms.fix"), "error")
        return RedirectResponse(_back(referral_id), status_code=303)
    call = web.api(user).post(
        "referral", f"/referrals/{referral_id}/sms-consent/withdraw", body, idempotency_key=form.idempotency_key()
    )
    _, response = await act(request, _back(referral_id), call, t("sms.withdrawn"))
    return response

"""A participant's consent to text messages (number and language), and the monthly count of
messages for the gateway's invoice (docs/sms.md).

The provider's staff who meet the participant record the consent: coordinator, contact person,
team leader; only the providing organisation sees it (anyone else gets 404). A view shows the
number masked; it never stands in a URL, an answer or a log. Every POST takes an Idempotency-Key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from forlob_referral.api.deps import UoW
from forlob_referral.api.keyed import keyed_runner
from forlob_referral.application.sms_consent import ConsentView, OptIn, consent, opt_in, opt_out
from forlob_referral.application.sms_inbound import usage
from forlob_referral.domain.sms import ConsentChange
from forlob_referral.domain.sms_catalogue import SmsLanguage
from forlob_shared.events.sms import SmsConsentChannel, SmsConsentStatus
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey

router = APIRouter(tags=["text messages"])

ProviderStaff = Annotated[Principal, requires("coordinator", "contact_person", "team_leader")]
Accounts = Annotated[Principal, requires("coordinator", "team_leader")]

_run = keyed_runner(status.HTTP_200_OK)


class OptInIn(BaseModel):
    mobile_number: str = Field(
        min_length=6, max_length=24, description="Danish or Swedish mobile number, with or without +45 / +46"
    )
    language: SmsLanguage = Field(description="the language the participant reads best")
    channel: SmsConsentChannel = Field(description="how the consent was given: in_person, phone or web")


class OptOutIn(BaseModel):
    channel: SmsConsentChannel = Field(description="how the participant withdrew it: in_person, phone or web")


class ConsentChangeOut(BaseModel):
    status: SmsConsentStatus
    channel: SmsConsentChannel
    changed_by: str | None
    changed_at: datetime

    @classmethod
    def of(cls, c: ConsentChange) -> ConsentChangeOut:
        return cls(status=c.status, channel=c.channel, changed_by=c.changed_by, changed_at=c.changed_at)


class ConsentOut(BaseModel):
    referral_id: UUID
    status: SmsConsentStatus | None = Field(description="None: never asked")
    language: SmsLanguage | None
    mobile_number_masked: str | None = Field(description="country code and last two digits only")
    channel: SmsConsentChannel | None
    changed_by: str | None
    changed_at: datetime | None
    history: list[ConsentChangeOut]

    @classmethod
    def of(cls, v: ConsentView) -> ConsentOut:
        return cls(
            referral_id=v.referral_id,
            status=v.status,
            language=v.language,
            mobile_number_masked=v.mobile_number_masked,
            channel=v.channel,
            changed_by=v.changed_by,
            changed_at=v.changed_at,
            history=[ConsentChangeOut.of(c) for c in v.history],
        )


class UsageOut(BaseModel):
    month: str
    provider_org: str
    messages: int
    parts: int


def _render(view: ConsentView) -> Any:
    return ConsentOut.of(view).model_dump(mode="json")


@router.get("/referrals/{referral_id}/sms-consent", summary="The participant's consent to text messages")
async def get_consent(referral_id: UUID, principal: ProviderStaff, uow: UoW) -> ConsentOut:
    return ConsentOut.of(await consent(uow, principal, referral_id))


@router.post(
    "/referrals/{referral_id}/sms-consent",
    response_model=ConsentOut,
    summary="Record the participant's consent to text messages, with their mobile number and language",
)
async def post_opt_in(
    referral_id: UUID, body: OptInIn, principal: ProviderStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = OptIn(mobile_number=body.mobile_number, language=body.language, channel=body.channel)
    # The fingerprint of the key is the body; the stored answer holds the masked number only.
    return await _run(request, uow, principal, key, body, lambda u: opt_in(u, principal, referral_id, command), _render)


@router.post(
    "/referrals/{referral_id}/sms-consent/withdraw",
    response_model=ConsentOut,
    summary="Withdraw the consent to text messages (honoured at once)",
)
async def post_opt_out(
    referral_id: UUID, body: OptOutIn, principal: ProviderStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request, uow, principal, key, body, lambda u: opt_out(u, principal, referral_id, body.channel), _render
    )


@router.get("/sms/usage", summary="Text messages sent in a month, and their parts, for your organisation")
async def get_usage(
    principal: Accounts,
    uow: UoW,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", examples=["2026-12"])],
) -> list[UsageOut]:
    return [
        UsageOut(month=month, provider_org=u.provider_org, messages=u.messages, parts=u.parts)
        for u in await usage(uow, month, principal.org)
    ]

"""The data protection officer's routes (GDPR Art. 15, 17 and the audit): the provider's DPO only.

Looking a participant up by identity number is a POST, so the number never stands in a URL (and
so in an access log); it is audited and rate-limited like any identity read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from forlob_referral.api.deps import Runtime, UoW
from forlob_referral.application.dpo import audit_trail, export_participant, find_participants, request_erasure
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.inputs import AwareMoment
from forlob_shared.http.ratelimit import IDENTITY_READS_LIMIT

router = APIRouter(prefix="/dpo", tags=["data protection"])

DPO = Annotated[Principal, requires("dpo")]


class LookupIn(BaseModel):
    identity_number: str = Field(min_length=6, max_length=20)
    purpose: str = Field(min_length=3, max_length=500, examples=["access request of 2 December"])


class LookupOut(BaseModel):
    participant_ids: list[UUID]


class ErasureOut(BaseModel):
    participant_id: UUID
    status: str = Field(description="erased: the personal data is gone; the other services follow by event")
    erased_at: str
    referral_ids: list[UUID]


@router.post(
    "/participants/lookup",
    summary="The pseudonymous participant id behind an identity number (an audited identity read)",
    dependencies=[IDENTITY_READS_LIMIT],
)
async def lookup(body: LookupIn, principal: DPO, uow: UoW) -> LookupOut:
    return LookupOut(participant_ids=await find_participants(uow, principal, body.identity_number, body.purpose))


@router.get("/participants/{participant_id}/export", summary="Everything this service holds about a participant")
async def export(participant_id: UUID, principal: DPO, uow: UoW, runtime: Runtime) -> dict[str, Any]:
    return await export_participant(uow, principal, participant_id, runtime.settings.retention_days)


@router.post(
    "/participants/{participant_id}/erasure",
    summary="Erase the participant's personal data, unless a legal hold keeps it (409 with the reason)",
)
async def erasure(participant_id: UUID, principal: DPO, uow: UoW, runtime: Runtime) -> ErasureOut:
    done = await request_erasure(uow, principal, participant_id, timedelta(days=runtime.settings.retention_days))
    return ErasureOut(
        participant_id=done.participant_id,
        status="erased",
        erased_at=done.erased_at.isoformat(),
        referral_ids=done.referral_ids,
    )


@router.get("/audit", summary="Identity reads and waiting-list moves of your organisation's referrals")
async def audit(
    principal: DPO,
    uow: UoW,
    participant: Annotated[UUID | None, Query()] = None,
    since: Annotated[AwareMoment | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    return await audit_trail(uow, principal, participant, since, limit)

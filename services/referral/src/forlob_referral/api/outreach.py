"""Outreach cases: the team's contact work with people who did not ask (docs/referral.md#outreach-cases).

Only the team's own organisation sees a case; everyone else gets 404. Every POST takes an
``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from forlob_referral.api.deps import UoW
from forlob_referral.api.keyed import keyed_runner
from forlob_referral.api.outreach_schemas import (
    AttemptIn,
    CaseIn,
    CaseOut,
    CaseSummaryOut,
    ConsentIn,
    HandoverIn,
    IdentifyIn,
    PhaseIn,
)
from forlob_referral.api.schemas import ReferralOut
from forlob_referral.application.outreach import (
    CaseView,
    HandOver,
    OpenCase,
    RecordAttempt,
    caseload,
    change_phase,
    get_case,
    hand_over,
    identify_case,
    open_case,
    record_attempt,
    record_consent,
)
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey

router = APIRouter(prefix="/outreach/cases", tags=["outreach cases"])

# The outreach team: its contact people do the work, its coordinator and team leader follow it.
OutreachStaff = Annotated[Principal, requires("contact_person", "coordinator", "team_leader")]


def _render_case(view: CaseView) -> Any:
    return CaseOut.of(view).model_dump(mode="json")


_run = keyed_runner(status.HTTP_200_OK)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Open a case about a person of concern: a working name, no identity",
)
async def post_case(
    body: CaseIn, principal: OutreachStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = OpenCase(
        programme_code=body.programme_code,
        working_name=body.working_name,
        description=body.description,
        staff_id=body.staff_id,
        next_within_days=body.next_within_days,
        next_attempt_by=body.next_attempt_by,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: open_case(u, principal, command),
        _render_case,
        status.HTTP_201_CREATED,
    )


@router.get("", summary="The team's caseload: overdue contacts first")
async def get_caseload(
    principal: OutreachStaff,
    uow: UoW,
    include_closed: Annotated[bool, Query(description="also the closed cases")] = False,
) -> list[CaseSummaryOut]:
    return [CaseSummaryOut.of(v) for v in await caseload(uow, principal, include_closed=include_closed)]


@router.get("/{case_id}", summary="One case with its contact attempts and phases")
async def get_one(case_id: UUID, principal: OutreachStaff, uow: UoW) -> CaseOut:
    return CaseOut.of(await get_case(uow, principal, case_id))


@router.post(
    "/{case_id}/attempts",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseOut,
    summary="Record a contact attempt and the next one's plan",
)
async def post_attempt(
    case_id: UUID, body: AttemptIn, principal: OutreachStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = RecordAttempt(
        place=body.place,
        channel=body.channel,
        outcome=body.outcome,
        attempted_at=body.attempted_at,
        note=body.note,
        next_within_days=body.next_within_days,
        next_attempt_by=body.next_attempt_by,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: record_attempt(u, principal, case_id, command),
        _render_case,
        status.HTTP_201_CREATED,
    )


@router.post(
    "/{case_id}/phase", response_model=CaseOut, summary="Move the case to another phase; closing needs a reason"
)
async def post_phase(
    case_id: UUID, body: PhaseIn, principal: OutreachStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: change_phase(u, principal, case_id, body.phase, body.close_reason, body.helped_on_to),
        _render_case,
    )


@router.post("/{case_id}/consent", response_model=CaseOut, summary="Record the citizen's consent to be identified")
async def post_consent(
    case_id: UUID, body: ConsentIn, principal: OutreachStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: record_consent(u, principal, case_id, body.method, body.given_at),
        _render_case,
    )


@router.post(
    "/{case_id}/identify", response_model=CaseOut, summary="After consent: take the identity number (validated)"
)
async def post_identify(
    case_id: UUID, body: IdentifyIn, principal: OutreachStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        # The stored fingerprint of an Idempotency-Key is a hash; the number itself is not kept there.
        body.model_dump(mode="json"),
        lambda u: identify_case(u, principal, case_id, body.name, body.identity_number, body.identity_scheme),
        _render_case,
    )


@router.post(
    "/{case_id}/handover",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    summary="Hand the identified case over: a referral to a programme, carrying the history's facts",
)
async def post_handover(
    case_id: UUID, body: HandoverIn, principal: OutreachStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = HandOver(
        programme_code=body.programme_code,
        provider_org=body.provider_org,
        goals=tuple(body.goals),
        wished_start=body.wished_start,
        wished_weekly_hours=body.wished_weekly_hours,
        legal_basis=body.legal_basis,
        legal_context=body.legal_context,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: hand_over(u, principal, case_id, command),
        lambda view: ReferralOut.of(view).model_dump(mode="json"),
        status.HTTP_201_CREATED,
    )

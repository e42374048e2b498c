"""Referring on from a running course to the next programme, and the handover meeting
(docs/referral.md#referring-on-the-next-step).

The provider's coordinator proposes a next step (and may withdraw it); the referring caseworker
refers on, from the proposal or directly, or declines the proposal with a coded reason, and so
keeps the decision as with any referral. A handover is read by its
parties only: the jobcentre, the course's provider, and the next provider once it has the referral
(the next provider never sees a proposal, nor the referral it came from). Every POST takes an
``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from forlob_referral.api.deps import Caseworker, Coordinator, Parties, UoW
from forlob_referral.api.handover_schemas import (
    DeclineIn,
    DirectReferOnIn,
    HandoverOut,
    HandoversOut,
    MeetingIn,
    ProposalIn,
    ReferOnIn,
)
from forlob_referral.api.keyed import keyed_runner
from forlob_referral.application.handover import (
    HandoverView,
    decline_proposal,
    get_handover,
    handovers_of,
    plan_meeting,
    propose_next_step,
    record_meeting_held,
    refer_on,
    refer_on_as_proposed,
    withdraw_proposal,
)
from forlob_shared.http.auth import Principal
from forlob_shared.http.idempotency import IdempotencyKey

router = APIRouter(tags=["referring on"])

_run = keyed_runner(status.HTTP_201_CREATED)


def _render(viewer: Principal) -> Any:
    return lambda view: HandoverOut.of_view(view, viewer.org).model_dump(mode="json")


@router.post(
    "/referrals/{referral_id}/handovers",
    status_code=status.HTTP_201_CREATED,
    response_model=HandoverOut,
    summary="Propose the next step for a running course (coordinator); the caseworker decides",
)
async def post_proposal(
    referral_id: UUID, body: ProposalIn, principal: Coordinator, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    attainment = tuple(body.goal_attainment) if body.goal_attainment is not None else None
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: propose_next_step(u, principal, referral_id, body.step(), attainment),
        _render(principal),
    )


@router.post(
    "/referrals/{referral_id}/refer-on",
    status_code=status.HTTP_201_CREATED,
    response_model=HandoverOut,
    summary="Refer on from a running course to the next programme (caseworker): a new referral",
)
async def post_refer_on(
    referral_id: UUID, body: DirectReferOnIn, principal: Caseworker, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: refer_on(u, principal, referral_id, body.step(), body.command()),
        _render(principal),
    )


@router.post(
    "/handovers/{handover_id}/refer",
    status_code=status.HTTP_201_CREATED,
    response_model=HandoverOut,
    summary="Refer on as the provider proposed (caseworker): a new referral",
)
async def post_refer(
    handover_id: UUID, body: ReferOnIn, principal: Caseworker, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: refer_on_as_proposed(u, principal, handover_id, body.command()),
        _render(principal),
    )


@router.post(
    "/handovers/{handover_id}/decline",
    response_model=HandoverOut,
    summary="Decline the provider's proposal, with a coded reason (caseworker); another next step may follow",
)
async def post_decline(
    handover_id: UUID, body: DeclineIn, principal: Caseworker, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: decline_proposal(u, principal, handover_id, body.reason),
        _render(principal),
        status.HTTP_200_OK,
    )


@router.post(
    "/handovers/{handover_id}/withdraw",
    response_model=HandoverOut,
    summary="Withdraw a next step the provider proposed and nobody decided (coordinator)",
)
async def post_withdraw(
    handover_id: UUID, principal: Coordinator, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        None,
        lambda u: withdraw_proposal(u, principal, handover_id),
        _render(principal),
        status.HTTP_200_OK,
    )


@router.post(
    "/handovers/{handover_id}/meeting",
    response_model=HandoverOut,
    summary="Plan (or plan again) the handover meeting of both providers and the caseworker",
)
async def post_meeting(
    handover_id: UUID, body: MeetingIn, principal: Parties, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: plan_meeting(u, principal, handover_id, body.starts_at, body.parties()),
        _render(principal),
        status.HTTP_200_OK,
    )


@router.post("/handovers/{handover_id}/meeting/held", response_model=HandoverOut, summary="The meeting was held")
async def post_meeting_held(
    handover_id: UUID, principal: Parties, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        None,
        lambda u: record_meeting_held(u, principal, handover_id),
        _render(principal),
        status.HTTP_200_OK,
    )


@router.get("/handovers/{handover_id}", summary="One handover, as its viewer may read it")
async def get_one(handover_id: UUID, principal: Parties, uow: UoW) -> HandoverOut:
    view: HandoverView = await get_handover(uow, principal, handover_id)
    return HandoverOut.of_view(view, principal.org)


@router.get("/referrals/{referral_id}/handovers", summary="The next steps from a course, and where it came from")
async def get_of_referral(referral_id: UUID, principal: Parties, uow: UoW) -> HandoversOut:
    return HandoversOut.of(await handovers_of(uow, principal, referral_id), principal.org)

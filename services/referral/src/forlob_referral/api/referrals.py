"""Referrals: the caseworker refers and withdraws; the provider's coordinator decides, starts,
changes and ends the course. Both organisations of a referral read it; nobody else knows it exists.
Every POST takes an ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from forlob_referral.api.deps import Caseworker, Coordinator, CourseStaff, Horizon, Parties, UoW
from forlob_referral.api.keyed import keyed_runner
from forlob_referral.api.record_schemas import ClosingMeetingIn
from forlob_referral.api.schemas import (
    CODE,
    AgreementIn,
    EndIn,
    IdentityOut,
    ReferralIn,
    ReferralOut,
    RejectIn,
    RescheduleIn,
    StartIn,
    WithdrawIn,
)
from forlob_referral.application.course import (
    ChangeAgreement,
    EndCourse,
    StartCourse,
    change_agreement,
    end_course,
    read_closing_note,
    reschedule_course,
    start_course,
)
from forlob_referral.application.intake import accept_referral, reject_referral
from forlob_referral.application.record import BookMeeting
from forlob_referral.application.referrals import (
    ReceiveReferral,
    ReferralView,
    get_referral,
    list_referrals,
    read_identity,
    receive_referral,
    withdraw_referral,
)
from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_referral.domain.course_record import MeetingKind
from forlob_referral.domain.records import ClosingNote
from forlob_referral.domain.referral import State
from forlob_shared.http.auth import Principal
from forlob_shared.http.idempotency import IdempotencyKey
from forlob_shared.http.inputs import Offset
from forlob_shared.http.ratelimit import IDENTITY_READS_LIMIT

router = APIRouter(prefix="/referrals", tags=["referrals"])


def _render(view: ReferralView) -> Any:
    return ReferralOut.of(view).model_dump(mode="json")


async def _run(
    request: Request,
    uow: ReferralUnitOfWork,
    principal: Principal,
    key: str | None,
    body: dict[str, Any],
    use_case: Callable[[ReferralUnitOfWork], Awaitable[ReferralView]],
    status_code: int = status.HTTP_200_OK,
) -> Response:
    return await _write(request, uow, principal, key, body, use_case, _render, status_code)


_write = keyed_runner(status.HTTP_200_OK)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    summary="Refer a participant to a provider's programme (caseworker)",
)
async def create_referral(
    body: ReferralIn, principal: Caseworker, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = ReceiveReferral(
        programme_code=body.programme_code,
        provider_org=body.provider_org,
        participant_name=body.participant.name,
        identity_number=body.participant.identity_number,
        identity_scheme=body.participant.identity_scheme,
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
        lambda u: receive_referral(u, principal, command),
        status.HTTP_201_CREATED,
    )


@router.get("", summary="Referrals your organisation made or provides, newest first")
async def list_visible(
    principal: Parties,
    uow: UoW,
    state: State | None = None,
    programme_code: Annotated[str | None, Query(pattern=CODE)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[ReferralOut]:
    referrals = await list_referrals(
        uow, principal, state=state, programme_code=programme_code, limit=limit, offset=offset
    )
    # A list shows the pseudonymous facts; names are on the single referral.
    return [ReferralOut.of(ReferralView(r, None)) for r in referrals]


@router.get("/{referral_id}", summary="One referral, if your organisation referred or provides it")
async def read_referral(referral_id: UUID, principal: CourseStaff, uow: UoW, horizon: Horizon) -> ReferralOut:
    return ReferralOut.of(await get_referral(uow, principal, referral_id, horizon))


@router.get(
    "/{referral_id}/identity",
    summary="The participant's identity number: a separate call, audited with its purpose",
    dependencies=[IDENTITY_READS_LIMIT],  # limited per caller, counted and watched per organisation
)
async def read_identity_number(
    referral_id: UUID,
    principal: Parties,
    uow: UoW,
    purpose: Annotated[str, Query(min_length=3, max_length=500, examples=["contact the municipality"])],
) -> IdentityOut:
    participant = await read_identity(uow, principal, referral_id, purpose)
    return IdentityOut(
        referral_id=referral_id,
        name=participant.name,
        identity_scheme=participant.scheme,
        identity_number=participant.identity_number,
    )


@router.get("/{referral_id}/closing-note", summary="The closing note of an ended course")
async def closing_note(referral_id: UUID, principal: Parties, uow: UoW) -> ClosingNote:
    return await read_closing_note(uow, principal, referral_id)


@router.post(
    "/{referral_id}/withdraw", response_model=ReferralOut, summary="Withdraw before the course starts (caseworker)"
)
async def withdraw(
    referral_id: UUID,
    body: WithdrawIn,
    principal: Caseworker,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: withdraw_referral(u, principal, referral_id, body.reason_code, horizon),
    )


@router.post(
    "/{referral_id}/accept",
    response_model=ReferralOut,
    summary="Accept: the first intake day with a free seat, or the waiting list when full (coordinator)",
)
async def accept(
    referral_id: UUID, principal: Coordinator, uow: UoW, horizon: Horizon, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(request, uow, principal, key, {}, lambda u: accept_referral(u, principal, referral_id, horizon))


@router.post("/{referral_id}/reject", response_model=ReferralOut, summary="Reject with a reason code (coordinator)")
async def reject(
    referral_id: UUID,
    body: RejectIn,
    principal: Coordinator,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: reject_referral(u, principal, referral_id, body.reason_code, horizon),
    )


@router.post(
    "/{referral_id}/start",
    response_model=ReferralOut,
    summary="Start the course: agreed schedule, contact person, plan (coordinator)",
)
async def start(
    referral_id: UUID,
    body: StartIn,
    principal: Coordinator,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    command = StartCourse(
        start_date=body.start_date,
        schedule=tuple(body.schedule),
        contact_person_id=body.contact_person_id,
        team_leader_id=body.team_leader_id,
        weeks=body.weeks,
        plan=body.plan,
        cadence=body.cadence,
        closing_meeting=_closing(body.closing_meeting),
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: start_course(u, principal, referral_id, command, horizon),
    )


def _closing(meeting: ClosingMeetingIn | None) -> BookMeeting | None:
    if meeting is None:
        return None
    return BookMeeting(MeetingKind.CLOSING, meeting.starts_at, meeting.place, meeting.caseworker_invited)


@router.post(
    "/{referral_id}/reschedule",
    response_model=ReferralOut,
    summary="Extend or shorten the course by agreement, within the programme's limits (coordinator)",
)
async def reschedule(
    referral_id: UUID,
    body: RescheduleIn,
    principal: Coordinator,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: reschedule_course(u, principal, referral_id, body.weeks, horizon),
    )


@router.post(
    "/{referral_id}/agreement",
    response_model=ReferralOut,
    summary="Change the agreed weekly hours or the contact person (coordinator)",
)
async def agreement(
    referral_id: UUID,
    body: AgreementIn,
    principal: Coordinator,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    command = ChangeAgreement(
        effective_from=body.effective_from,
        schedule=tuple(body.schedule),
        contact_person_id=body.contact_person_id,
        team_leader_id=body.team_leader_id,
        cadence=body.cadence,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: change_agreement(u, principal, referral_id, command, horizon),
    )


@router.post(
    "/{referral_id}/end",
    response_model=ReferralOut,
    summary="End the course with an outcome and the closing note (coordinator)",
)
async def end(
    referral_id: UUID,
    body: EndIn,
    principal: Coordinator,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    command = EndCourse(
        end_date=body.end_date,
        outcome=body.outcome,
        closing_note=body.closing_note,
        first_job_date=body.first_job_date,
    )
    return await _run(
        request,
        uow,
        principal,
        key,
        body.model_dump(mode="json"),
        lambda u: end_course(u, principal, referral_id, command, horizon),
    )

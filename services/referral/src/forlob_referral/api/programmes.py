"""The programme catalogue, the waiting list and the flow, for the provider's coordinators."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from forlob_referral.api.deps import Coordinator, Horizon, UoW
from forlob_referral.api.schemas import (
    CODE,
    IntakeCalendarOut,
    MoveIn,
    ProgrammeIn,
    ProgrammeOut,
    WaitingListOut,
    WeekFlowOut,
)
from forlob_referral.application.catalogue import DefineProgramme, define_programme, get_programme, list_programmes
from forlob_referral.application.intake import intake_calendar, move_on_waiting_list, waiting_list, weekly_flow
from forlob_shared.http.auth import AnyMember
from forlob_shared.http.idempotency import IdempotencyKey, run_idempotent

router = APIRouter(prefix="/programmes", tags=["catalogue and waiting list"])

Code = Annotated[str, Path(pattern=CODE, examples=["RCA-UDV-13"])]


@router.put(
    "/{code}",
    summary="Create or change one of your organisation's programmes",
    responses={201: {"description": "created"}, 200: {"description": "changed"}},
)
async def put_programme(
    code: Code, body: ProgrammeIn, principal: Coordinator, uow: UoW, horizon: Horizon, response: Response
) -> ProgrammeOut:
    command = DefineProgramme(
        code=code,
        name=body.name,
        kind=body.kind,
        capacity=body.capacity,
        intake_weekdays=tuple(body.intake_weekdays),
        default_weeks=body.default_weeks,
        min_weeks=body.min_weeks,
        max_weeks=body.max_weeks,
        opening_hours=tuple(body.opening_hours),
        country=body.country,
        timezone=body.timezone,
        rules=body.rules,
        shape=body.shape,
    )
    programme, created = await define_programme(uow, principal, command, horizon)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return ProgrammeOut.of(programme)


@router.get("", summary="A provider's catalogue (default: your own organisation's)")
async def get_catalogue(
    principal: AnyMember,
    uow: UoW,
    provider_org: Annotated[str | None, Query(pattern=CODE)] = None,
) -> list[ProgrammeOut]:
    return [ProgrammeOut.of(p) for p in await list_programmes(uow, provider_org or principal.org)]


@router.get("/{code}", summary="One programme of a provider (default: your own organisation)")
async def get_one(
    code: Code,
    principal: AnyMember,
    uow: UoW,
    provider_org: Annotated[str | None, Query(pattern=CODE)] = None,
) -> ProgrammeOut:
    return ProgrammeOut.of(await get_programme(uow, provider_org or principal.org, code))


@router.get("/{code}/waiting-list", summary="The waiting list with positions, waits and estimated starts")
async def get_waiting_list(code: Code, principal: Coordinator, uow: UoW, horizon: Horizon) -> WaitingListOut:
    return WaitingListOut.of(await waiting_list(uow, principal, code, horizon))


@router.get("/{code}/intakes", summary="The next intake dates with the seats free on each")
async def get_intakes(
    code: Code,
    principal: Coordinator,
    uow: UoW,
    count: Annotated[int, Query(ge=1, le=52, description="how many intake dates, from today on")] = 8,
) -> IntakeCalendarOut:
    return IntakeCalendarOut.of(await intake_calendar(uow, principal, code, count))


@router.post(
    "/{code}/waiting-list/{referral_id}/move",
    summary="Move a referral on the waiting list, with a reason (audited)",
    response_model=WaitingListOut,
)
async def move(
    code: Code,
    referral_id: UUID,
    body: MoveIn,
    principal: Coordinator,
    uow: UoW,
    horizon: Horizon,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    response: Response = await run_idempotent(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=body.model_dump(mode="json"),
        status_code=200,
        render=lambda w: WaitingListOut.of(w).model_dump(mode="json"),
        use_case=lambda u: move_on_waiting_list(u, principal, code, referral_id, body.position, body.reason, horizon),
    )
    return response


@router.get("/{code}/flow", summary="Weekly inflow and outflow of the programme")
async def get_flow(
    code: Code,
    principal: Coordinator,
    uow: UoW,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
) -> list[WeekFlowOut]:
    return [WeekFlowOut.of(w) for w in await weekly_flow(uow, principal, code, weeks)]

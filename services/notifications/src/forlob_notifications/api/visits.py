"""Safety on visits: start one with its planned end, end it, see the open ones."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from forlob_notifications.api.deps import Opts, UoW
from forlob_notifications.api.directory import ID
from forlob_notifications.application import visits as app
from forlob_notifications.domain.visits import Visit
from forlob_shared.events.visits import VisitKind
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey, answer_idempotently
from forlob_shared.http.inputs import AwareMoment

router = APIRouter(tags=["visits"])

Visitor = Annotated[Principal, requires(*app.VISITOR_ROLES)]


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: VisitKind = Field(description="home | street | other", examples=["home"])
    planned_end: AwareMoment = Field(
        description="when the visit is planned to end (with its offset); in the future, at most 12 hours away",
        examples=["2026-12-02T15:30:00+01:00"],
    )
    colleague_id: str | None = Field(
        default=None, pattern=ID, description="the colleague along, if any (staff id)", examples=["kp-2"]
    )


class VisitOut(BaseModel):
    id: UUID
    org: str
    staff_id: str
    kind: str
    colleague_id: str | None
    started_at: datetime
    planned_end: datetime
    overdue_from: datetime = Field(description="the planned end plus the grace: not ended by then, it alerts")
    overdue: bool = Field(description="found overdue by the sweep (its alerts are raised)")
    ended_at: datetime | None
    ended_by: str | None

    @classmethod
    def of(cls, v: Visit) -> VisitOut:
        return cls(
            id=v.id,
            org=v.org,
            staff_id=v.staff_id,
            kind=v.kind.value,
            colleague_id=v.colleague_id,
            started_at=v.started_at,
            planned_end=v.planned_end,
            overdue_from=v.overdue_from,
            overdue=v.overdue_at is not None,
            ended_at=v.ended_at,
            ended_by=v.ended_by,
        )


@router.post(
    "/visits",
    status_code=201,
    response_model=VisitOut,
    summary="Set out on a home or street visit, with its planned end",
)
async def start_visit(
    body: VisitIn, principal: Visitor, uow: UoW, options: Opts, request: Request, key: IdempotencyKey
) -> Response:
    plan = app.VisitPlan(kind=body.kind, planned_end=body.planned_end, colleague_id=body.colleague_id)
    return await answer_idempotently(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=body,
        use_case=lambda u: app.start(u, options, principal, plan),
        out=VisitOut.of,
        status_code=201,
    )


@router.get("/visits", summary="Open visits you look out for: yours, your team's (team leaders: all)")
async def open_visits(principal: Visitor, uow: UoW, limit: int = Query(default=200, ge=1, le=500)) -> list[VisitOut]:
    return [VisitOut.of(v) for v in await app.open_visits(uow, principal, limit)]


@router.get("/visits/{visit_id}", summary="One visit you look out for")
async def get_visit(visit_id: UUID, principal: Visitor, uow: UoW) -> VisitOut:
    return VisitOut.of(await app.get(uow, principal, visit_id))


@router.post(
    "/visits/{visit_id}/end",
    response_model=VisitOut,
    summary="End a visit safely (the visitor, the colleague or a team leader); its alerts close; again: no change",
)
async def end_visit(visit_id: UUID, principal: Visitor, uow: UoW, request: Request, key: IdempotencyKey) -> Response:
    return await answer_idempotently(
        uow,
        request=request,
        org=principal.org,
        key=key,
        body=None,
        use_case=lambda u: app.end(u, principal, visit_id),
        out=VisitOut.of,
    )

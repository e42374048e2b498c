"""The meetings API: a meetings-shaped course's planned meetings, held or cancelled, and a
contact person's week. A course of another shape answers 409 ``wrong-shape``."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from forlob_attendance.api.deps import MeetingStaff, UoW
from forlob_attendance.api.meeting_schemas import MeetingCancelIn, MeetingHeldIn, MeetingIn, MeetingOut, MeetingsOut
from forlob_attendance.application.meetings import (
    MeetingPlan,
    MeetingRecord,
    cancel_meeting,
    hold_meeting,
    meetings_at,
    meetings_of_referral,
    move_meeting,
    plan_meeting,
)
from forlob_attendance.domain.meetings import CancelledBy
from forlob_shared.http.idempotency import IdempotencyKey, answer_idempotently
from forlob_shared.http.inputs import Day

router = APIRouter(tags=["meetings"])


@router.post(
    "/referrals/{referral_id}/meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingOut,
    summary="Plan a meeting in a meetings-shaped course: the participant is expected then",
)
async def meeting_plan(
    referral_id: UUID, body: MeetingIn, staff: MeetingStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    plan = MeetingPlan(body.starts_at, body.ends_at, body.place, body.staff_id)
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: plan_meeting(u, staff, referral_id, plan),
        out=MeetingOut.of,
        status_code=status.HTTP_201_CREATED,
    )


@router.get("/referrals/{referral_id}/meetings", summary="A course's meetings, by start")
async def meetings_of_course(referral_id: UUID, staff: MeetingStaff, uow: UoW) -> MeetingsOut:
    return MeetingsOut(meetings=[MeetingOut.of(v) for v in await meetings_of_referral(uow, staff.org, referral_id)])


@router.put("/meetings/{meeting_id}", summary="Move a planned meeting (the same meeting, a new time or place)")
async def meeting_move(meeting_id: UUID, body: MeetingIn, staff: MeetingStaff, uow: UoW) -> MeetingOut:
    plan = MeetingPlan(body.starts_at, body.ends_at, body.place, body.staff_id)
    return MeetingOut.of(await move_meeting(uow, staff, meeting_id, plan))


@router.post(
    "/meetings/{meeting_id}/held", response_model=MeetingOut, summary="The meeting took place, with its coded topics"
)
async def meeting_held(
    meeting_id: UUID, body: MeetingHeldIn, staff: MeetingStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    record = MeetingRecord(body.held_at, body.duration_minutes, tuple(body.topics))
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: hold_meeting(u, staff, meeting_id, record),
        out=MeetingOut.of,
    )


@router.post(
    "/meetings/{meeting_id}/cancel",
    response_model=MeetingOut,
    summary="Call off a planned meeting: no absence is detected for it",
)
async def meeting_cancel(
    meeting_id: UUID, body: MeetingCancelIn, staff: MeetingStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: cancel_meeting(u, staff, meeting_id, CancelledBy(body.cancelled_by), body.reason),
        out=MeetingOut.of,
    )


@router.get("/meetings", summary="Your organisation's meetings in a period (one staff member's week)")
async def meetings_list(
    staff: MeetingStaff,
    uow: UoW,
    first: Day = Query(alias="from"),
    last: Day = Query(alias="to"),
    staff_id: str | None = Query(default=None, max_length=100),
) -> MeetingsOut:
    return MeetingsOut(meetings=[MeetingOut.of(v) for v in await meetings_at(uow, staff.org, first, last, staff_id)])

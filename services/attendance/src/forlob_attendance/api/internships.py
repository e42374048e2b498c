"""Combined courses: internship days at a company in a course's agreed plan (a timetabled course;
another shape answers 409 ``wrong-shape``). Every POST takes an ``Idempotency-Key``."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from forlob_attendance.api.deps import MeetingStaff, UoW
from forlob_attendance.application.internships import InternshipPlan, Planned, internships_of, plan_internship
from forlob_attendance.domain.internship import InternshipDays
from forlob_shared.http.idempotency import IdempotencyKey, answer_idempotently
from forlob_shared.http.inputs import Day

router = APIRouter(tags=["internships"])


class InternshipIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employer_id: UUID = Field(description="the employer's id in the provider's register (referral service)")
    first_day: Day
    last_day: Day
    weekdays: list[int] = Field(min_length=1, max_length=7, description="0 = Monday ... 6 = Sunday")


class InternshipOut(BaseModel):
    internship_id: UUID
    employer_id: UUID
    first_day: date
    last_day: date
    weekdays: list[int]

    @classmethod
    def of(cls, i: InternshipDays) -> InternshipOut:
        return cls(
            internship_id=i.id,
            employer_id=i.employer_id,
            first_day=i.first_day,
            last_day=i.last_day,
            weekdays=list(i.weekdays),
        )


class PlannedOut(InternshipOut):
    referral_id: UUID
    slots_at_internship: int = Field(description="agreed windows already expected that moved to the internship")

    @classmethod
    def planned(cls, p: Planned) -> PlannedOut:
        return cls(
            **InternshipOut.of(p.internship).model_dump(),
            referral_id=p.referral_id,
            slots_at_internship=p.slots_at_internship,
        )


@router.post(
    "/referrals/{referral_id}/internships",
    status_code=status.HTTP_201_CREATED,
    response_model=PlannedOut,
    summary="Put weekdays of a period at a company internship in the agreed plan: attendance elsewhere",
)
async def internship_plan(
    referral_id: UUID, body: InternshipIn, staff: MeetingStaff, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    plan = InternshipPlan(body.employer_id, body.first_day, body.last_day, tuple(body.weekdays))
    return await answer_idempotently(
        uow,
        request=request,
        org=staff.org,
        key=key,
        body=body,
        use_case=lambda u: plan_internship(u, staff, referral_id, plan),
        out=PlannedOut.planned,
        status_code=status.HTTP_201_CREATED,
    )


@router.get("/referrals/{referral_id}/internships", summary="A course's internship days, by first day")
async def internships(referral_id: UUID, staff: MeetingStaff, uow: UoW) -> list[InternshipOut]:
    return [InternshipOut.of(i) for i in await internships_of(uow, staff, referral_id)]

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from forlob_notifications.api.deps import ColleagueReader, CourseReader, DirectoryKeeper, UoW
from forlob_notifications.application import directory
from forlob_notifications.domain.directory import Assignment, StaffMember
from forlob_shared.working_time import Window

router = APIRouter(tags=["directory"])

ID = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$"
StaffId = Annotated[str, Path(pattern=ID, description="the staff id (the 'sub' of their token)")]
Channel = Literal["email", "inbox"]
Role = Literal["contact_person", "team_leader", "coordinator", "caseworker", "admin", "specialist"]


class WindowModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: time
    end: time


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    email: str | None = Field(default=None, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$", examples=["kp1@rca.dk"])
    team_leader_id: str | None = Field(default=None, pattern=ID)
    working_hours: list[WindowModel] = Field(default_factory=list, max_length=50)
    channels: list[Channel] = Field(default_factory=lambda: list[Channel](["inbox", "email"]))
    country: Literal["DK", "SE"] = "DK"
    timezone: str = Field(default="", max_length=64)
    active: bool = True


class StaffOut(BaseModel):
    staff_id: str
    org: str
    role: str
    email: str | None
    team_leader_id: str | None
    working_hours: list[WindowModel]
    channels: list[str]
    country: str
    timezone: str
    active: bool

    @classmethod
    def of(cls, member: StaffMember) -> StaffOut:
        return cls(
            staff_id=member.staff_id,
            org=member.org,
            role=member.role,
            email=member.email,
            team_leader_id=member.team_leader_id,
            working_hours=[WindowModel(weekday=w.weekday, start=w.start, end=w.end) for w in member.working_hours],
            channels=member.channels,
            country=member.country,
            timezone=member.timezone,
            active=member.active,
        )


class ColleagueOut(BaseModel):
    staff_id: str
    role: str


class AssignmentOut(BaseModel):
    referral_id: UUID
    participant_id: UUID | None
    programme_code: str
    provider_org: str
    referring_org: str
    contact_person_id: str | None
    team_leader_id: str | None
    caseworker_id: str | None
    legal_basis: str | None
    escalation_minutes: int
    state: str

    @classmethod
    def of(cls, a: Assignment) -> AssignmentOut:
        return cls(
            referral_id=a.referral_id,
            participant_id=a.participant_id,
            programme_code=a.programme_code,
            provider_org=a.provider_org,
            referring_org=a.referring_org,
            contact_person_id=a.contact_person_id,
            team_leader_id=a.team_leader_id,
            caseworker_id=a.caseworker_id,
            legal_basis=a.legal_basis,
            escalation_minutes=a.escalation_minutes,
            state=a.state,
        )


@router.put("/staff/{staff_id}", summary="Add or change a staff member of your organisation")
async def put_staff(staff_id: StaffId, body: StaffIn, principal: DirectoryKeeper, uow: UoW) -> StaffOut:
    member = StaffMember(
        org=principal.org,
        staff_id=staff_id,
        role=body.role,
        email=body.email,
        team_leader_id=body.team_leader_id,
        working_hours=[Window(w.weekday, w.start, w.end) for w in body.working_hours],
        channels=list(dict.fromkeys(body.channels)),
        country=body.country,
        timezone=body.timezone,
        active=body.active,
    )
    return StaffOut.of(await directory.put_staff(uow, principal, member))


@router.get("/staff", summary="Your organisation's staff")
async def list_staff(principal: DirectoryKeeper, uow: UoW, role: Role | None = None) -> list[StaffOut]:
    return [StaffOut.of(m) for m in await directory.list_staff(uow, principal, role)]


@router.get("/colleagues", summary="Your organisation's active staff: ids and roles only, to choose from")
async def list_colleagues(principal: ColleagueReader, uow: UoW) -> list[ColleagueOut]:
    return [ColleagueOut(staff_id=m.staff_id, role=m.role) for m in await directory.list_colleagues(uow, principal)]


@router.get("/staff/{staff_id}", summary="One staff member of your organisation")
async def get_staff(staff_id: StaffId, principal: DirectoryKeeper, uow: UoW) -> StaffOut:
    return StaffOut.of(await directory.get_staff(uow, principal, staff_id))


@router.get("/assignments", summary="Courses of your organisation: contact person, team leader, caseworker")
async def list_assignments(
    principal: CourseReader,
    uow: UoW,
    staff_id: str | None = Query(default=None, pattern=ID),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[AssignmentOut]:
    return [AssignmentOut.of(a) for a in await directory.list_assignments(uow, principal, staff_id, limit)]


@router.get("/assignments/{referral_id}", summary="Who looks after one course")
async def get_assignment(referral_id: UUID, principal: CourseReader, uow: UoW) -> AssignmentOut:
    return AssignmentOut.of(await directory.get_assignment(uow, principal, referral_id))

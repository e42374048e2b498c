"""The specialist's desk (docs/referral.md#the-specialists-desk): what a specialist's home page reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from forlob_referral.api.deps import UoW
from forlob_referral.application.specialist import DeskCourse, DeskNote, specialist_desk
from forlob_referral.domain.course_record import Specialism
from forlob_shared.http.auth import Principal, requires

router = APIRouter(tags=["course record"])

Specialist = Annotated[Principal, requires("specialist")]


class DeskCourseOut(BaseModel):
    referral_id: UUID
    participant_name: str | None
    programme_code: str
    start_date: date | None
    planned_end_date: date | None
    closing_meeting_at: datetime | None = Field(description="the planned closing meeting, if booked")
    notes_by_me: int
    notes_total: int = Field(description="specialist notes on the course, by anyone")
    last_note_at: datetime | None = Field(description="when the caller last wrote a note for it")
    awaiting_note: bool = Field(description="the closing meeting is booked and no specialist note is written yet")

    @classmethod
    def of(cls, c: DeskCourse) -> DeskCourseOut:
        return cls(
            referral_id=c.referral.id,
            participant_name=c.participant_name,
            programme_code=c.referral.programme_code,
            start_date=c.referral.start_date,
            planned_end_date=c.referral.planned_end_date,
            closing_meeting_at=c.closing_meeting_at,
            notes_by_me=c.notes_by_me,
            notes_total=c.notes_total,
            last_note_at=c.last_note_at,
            awaiting_note=c.awaiting_note,
        )


class DeskNoteOut(BaseModel):
    id: UUID
    referral_id: UUID
    participant_name: str | None
    programme_code: str
    specialism: Specialism
    text: str
    written_at: datetime
    attached: bool

    @classmethod
    def of(cls, n: DeskNote) -> DeskNoteOut:
        note = n.note
        return cls(
            id=note.id,
            referral_id=note.referral_id,
            participant_name=n.participant_name,
            programme_code=n.programme_code,
            specialism=note.specialism,
            text=note.text,
            written_at=note.written_at,
            attached=note.attached,
        )


class SpecialistDeskOut(BaseModel):
    courses: list[DeskCourseOut] = Field(description="the provider's running courses, awaiting a note first")
    recent_notes: list[DeskNoteOut] = Field(description="the caller's own notes, newest first (at most 20)")


@router.get("/specialist-desk", summary="A specialist's courses and own notes (specialist)")
async def read_desk(principal: Specialist, uow: UoW) -> SpecialistDeskOut:
    desk = await specialist_desk(uow, principal)
    return SpecialistDeskOut(
        courses=[DeskCourseOut.of(c) for c in desk.courses],
        recent_notes=[DeskNoteOut.of(n) for n in desk.recent_notes],
    )

"""Request and response bodies of the course record and the messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from forlob_referral.application.messages import Thread
from forlob_referral.application.record import CourseRecord
from forlob_referral.domain.course_record import (
    FollowUpTalk,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlaceKind,
    Specialism,
    SpecialistNote,
    TalkTopic,
)
from forlob_referral.domain.messages import Message, Side

StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,64}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TalkIn(_In):
    held_on: date
    staff_ids: list[StaffId] = Field(min_length=1, max_length=10, examples=[["co-3", "cp-1"]])
    topics: list[TalkTopic] = Field(min_length=1, max_length=len(TalkTopic))
    next_steps: str = Field(min_length=1, max_length=4000, examples=["Try four days next week"])


class MeetingIn(_In):
    kind: MeetingKind
    starts_at: AwareDatetime
    place: PlaceKind
    caseworker_invited: bool = False


class ClosingMeetingIn(_In):
    """The closing meeting, agreed at the start (seed 002) for a day of the course; the caseworker
    takes part, so is invited unless said otherwise."""

    starts_at: AwareDatetime = Field(examples=["2026-08-27T10:00:00+02:00"])
    place: PlaceKind = PlaceKind.ON_SITE
    caseworker_invited: bool = True


class SettleIn(_In):
    status: MeetingStatus = Field(description="'held' or 'cancelled'")


class SpecialistNoteIn(_In):
    specialism: Specialism
    text: str = Field(min_length=1, max_length=8000)


class MessageIn(_In):
    text: str = Field(min_length=1, max_length=4000)


class TalkOut(BaseModel):
    id: UUID
    held_on: date
    staff_ids: list[str]
    topics: list[TalkTopic]
    next_steps: str
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, talk: FollowUpTalk) -> TalkOut:
        return cls(
            id=talk.id,
            held_on=talk.held_on,
            staff_ids=list(talk.staff_ids),
            topics=list(talk.topics),
            next_steps=talk.next_steps,
            recorded_by=talk.recorded_by,
            recorded_at=talk.recorded_at,
        )


class MeetingOut(BaseModel):
    id: UUID
    kind: MeetingKind
    starts_at: datetime
    place: PlaceKind
    caseworker_invited: bool
    status: MeetingStatus
    booked_by: str

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingOut:
        return cls(
            id=meeting.id,
            kind=meeting.kind,
            starts_at=meeting.starts_at,
            place=meeting.place,
            caseworker_invited=meeting.caseworker_invited,
            status=meeting.status,
            booked_by=meeting.booked_by,
        )


class SpecialistNoteOut(BaseModel):
    id: UUID
    specialism: Specialism
    author_id: str
    text: str
    written_at: datetime
    attached: bool
    attached_at: datetime | None

    @classmethod
    def of(cls, note: SpecialistNote) -> SpecialistNoteOut:
        return cls(
            id=note.id,
            specialism=note.specialism,
            author_id=note.author_id,
            text=note.text,
            written_at=note.written_at,
            attached=note.attached,
            attached_at=note.attached_at,
        )


class CourseRecordOut(BaseModel):
    referral_id: UUID
    talks: list[TalkOut]
    meetings: list[MeetingOut]
    specialist_notes: list[SpecialistNoteOut] = Field(description="only those the caller may read")

    @classmethod
    def of(cls, record: CourseRecord) -> CourseRecordOut:
        return cls(
            referral_id=record.referral_id,
            talks=[TalkOut.of(t) for t in record.talks],
            meetings=[MeetingOut.of(m) for m in record.meetings],
            specialist_notes=[SpecialistNoteOut.of(n) for n in record.notes],
        )


class MessageOut(BaseModel):
    id: UUID
    side: Side
    author_id: str
    text: str
    posted_at: datetime
    read_at: datetime | None = Field(description="when the other side first opened the thread after it")
    read_by: str | None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            id=message.id,
            side=message.side,
            author_id=message.author_id,
            text=message.text,
            posted_at=message.posted_at,
            read_at=message.read_at,
            read_by=message.read_by,
        )


class ThreadOut(BaseModel):
    referral_id: UUID
    your_side: Side
    messages: list[MessageOut]

    @classmethod
    def of(cls, thread: Thread) -> ThreadOut:
        return cls(
            referral_id=thread.referral_id, your_side=thread.side, messages=[MessageOut.of(m) for m in thread.messages]
        )

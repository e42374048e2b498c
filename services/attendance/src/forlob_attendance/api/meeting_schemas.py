"""Request and response bodies of the meetings API (meetings-shaped courses)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from forlob_attendance.application.meetings import MeetingView
from forlob_shared.events import AbsenceReason, MeetingPlace, MeetingTopic
from forlob_shared.http.inputs import AwareMoment


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeetingIn(_In):
    starts_at: AwareMoment
    ends_at: AwareMoment
    place: MeetingPlace
    staff_id: str | None = Field(
        default=None, max_length=100, description="who holds the meeting; the course's contact person if left out"
    )


class MeetingHeldIn(_In):
    held_at: AwareMoment | None = Field(default=None, description="when it began; now if left out")
    duration_minutes: int = Field(ge=0, le=720)
    topics: list[MeetingTopic] = Field(default_factory=list, max_length=len(MeetingTopic))


class MeetingCancelIn(_In):
    cancelled_by: Literal["participant", "provider"]
    reason: AbsenceReason | None = None


class MeetingOut(BaseModel):
    meeting_id: UUID
    referral_id: UUID
    participant_id: UUID
    day: date = Field(description="the meeting's local day")
    starts_at: datetime
    ends_at: datetime
    place: str | None
    staff_id: str | None
    state: str = Field(description="planned | held | missed | cancelled")
    held_at: datetime | None
    duration_minutes: int | None
    minutes_late: int | None
    topics: list[str]
    cancelled_by: str | None = Field(description="participant | provider, for a cancelled meeting")
    reason: str | None
    absence_id: UUID | None = Field(description="the absence detected when the meeting was missed")
    resolution: str | None = Field(description="late_arrival: held after it was detected missed")
    timezone: str

    @classmethod
    def of(cls, view: MeetingView) -> MeetingOut:
        return cls(**{**view.__dict__, "state": view.state.value})


class MeetingsOut(BaseModel):
    meetings: list[MeetingOut]

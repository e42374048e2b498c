"""Request and response bodies of the attendance API (apart from the database models)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from forlob_attendance.application.queries import SlotView
from forlob_attendance.application.registration import Registered, Reported
from forlob_shared.events import AbsenceReason
from forlob_shared.http.inputs import AwareMoment, Day


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegistrationIn(_In):
    at: AwareMoment | None = Field(default=None, description="when it happened; now if left out")


class DayListEntry(_In):
    participant_id: UUID
    at: AwareMoment | None = None


class DayListIn(_In):
    entries: list[DayListEntry] = Field(min_length=1, max_length=500)


class AbsenceReportIn(_In):
    reason: AbsenceReason
    first_day: Day
    last_day: Day


class ContactIn(_In):
    outcome: Literal["called_no_answer", "reached", "reason_given", "contact_reestablished"]
    reason: AbsenceReason | None = None
    at: AwareMoment | None = Field(default=None, description="when the contact happened; now if left out")


class RegisteredOut(BaseModel):
    participant_id: UUID
    referral_id: UUID
    slot_id: UUID
    day: date
    at: datetime
    minutes_late: int | None = None
    minutes_early: int | None = None
    attended_minutes: int | None = None
    absence_resolved: UUID | None = None

    @classmethod
    def of(cls, registered: Registered) -> RegisteredOut:
        return cls(**registered.__dict__)


class DayListOut(BaseModel):
    registered: list[RegisteredOut]


class ReportedOut(BaseModel):
    report_id: UUID
    referral_id: UUID
    excused_slots: int
    resolved_absences: list[UUID]

    @classmethod
    def of(cls, reported: Reported) -> ReportedOut:
        return cls(**reported.__dict__)


class ContactOut(BaseModel):
    contact_id: UUID


class SlotOut(BaseModel):
    slot_id: UUID
    participant_id: UUID
    referral_id: UUID
    day: date
    window_start: time
    window_end: time
    expected_start: datetime
    expected_end: datetime
    state: str = Field(description="expected | present | absent | excused | internship | cancelled")
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes_late: int | None
    minutes_early: int | None
    absence_id: UUID | None
    resolution: str | None = Field(description="late_arrival | reported, for a detected absence")
    reason: str | None
    timezone: str | None = Field(default=None, description="the course's IANA zone, in which its local times are shown")

    @classmethod
    def of(cls, view: SlotView) -> SlotOut:
        return cls(**view.__dict__)


class SlotsOut(BaseModel):
    slots: list[SlotOut]


ClosureReason = Literal["summer_closure", "staff_day", "other"]


class ClosureIn(_In):
    first_day: date
    last_day: date
    reason: ClosureReason
    start: time | None = Field(default=None, description="closed from this local time each day; whole days if left out")
    end: time | None = Field(default=None, description="closed until this local time each day")


class ClosureOut(BaseModel):
    closure_id: UUID
    first_day: date
    last_day: date
    reason: str
    start: time | None = None
    end: time | None = None


class ClosuresOut(BaseModel):
    closures: list[ClosureOut]
    customary_worked: list[str] = Field(description="customary closures this provider works on")


class CustomaryIn(_In):
    observed: bool = Field(description="false: the provider works on this customary closure")

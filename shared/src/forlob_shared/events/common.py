"""Value types several events share."""

from __future__ import annotations

from datetime import time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TimeWindow(BaseModel):
    """A weekly local-time window: weekday 0 = Monday ... 6 = Sunday."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    weekday: int = Field(ge=0, le=6)
    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError("a window must end after it starts")
        return self


class AttendanceRules(BaseModel):
    """The programme's rules for attendance and alerts, carried to the services that apply them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    absence_grace_minutes: int = Field(default=15, ge=0, le=240)
    breach_unexcused_absences: int = Field(default=3, ge=1, description="N unexcused absences ...")
    breach_window_working_days: int = Field(default=10, ge=1, description="... within M working days")
    breach_consecutive_days: int = Field(default=2, ge=1, description="or this many unexcused days in a row")
    escalation_minutes: int = Field(default=30, ge=1, description="working minutes before an alert escalates")


class Outcome(StrEnum):
    """How a course ended, coded the way the field reports it."""

    ORDINARY_EMPLOYMENT = "ordinary_employment"
    EDUCATION = "education"
    FLEX_JOB = "flex_job"
    SUBSIDISED_JOB = "subsidised_job"
    ANOTHER_PROGRAMME = "another_programme"
    RESOURCE_COURSE = "resource_course"
    PENSION = "pension"
    DROPPED_OUT = "dropped_out"
    MOVED = "moved"
    OTHER = "other"


class AbsenceReason(StrEnum):
    ILLNESS = "illness"
    INTERNSHIP = "internship"  # attendance elsewhere, not absence
    SPECIALIST_APPOINTMENT = "specialist_appointment"
    HOLIDAY = "holiday"
    APPROVED_LEAVE = "approved_leave"
    OTHER = "other"

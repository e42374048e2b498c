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


class ProgrammeShape(StrEnum):
    """What a programme expects of its participants, and so what the software may conclude.

    ``timetabled``: agreed weekly windows on course days; a missed window is an absence.
    ``meetings``: an agreed cadence of individual meetings; only a planned meeting is expected.
    ``outreach``: contact work with people who did not ask; nothing is expected of them.
    """

    TIMETABLED = "timetabled"
    MEETINGS = "meetings"
    OUTREACH = "outreach"


class CadenceKind(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    PLANNED = "planned"  # planned one by one, no fixed rhythm


class MeetingCadence(BaseModel):
    """How often a meetings-shaped course meets. ``max_days_between``: the longest gap between two
    meetings before the contact person is reminded that none is planned (7 weekly, 14 fortnightly;
    for meetings planned one by one the agreement sets it)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: CadenceKind
    max_days_between: int = Field(ge=1, le=92)

    @model_validator(mode="before")
    @classmethod
    def _default_gap(cls, value: object) -> object:
        if isinstance(value, dict) and value.get("max_days_between") is None:
            gap = {"weekly": 7, "fortnightly": 14}.get(str(value.get("kind")))
            if gap is not None:
                value = {**value, "max_days_between": gap}
        return value


class MeetingPlace(StrEnum):
    PROVIDER = "provider"
    HOME = "home"
    WORKPLACE = "workplace"
    PHONE = "phone"
    VIDEO = "video"
    OTHER = "other"


class MeetingTopic(StrEnum):
    """What a meeting was about, coded: the words stay with the service that holds personal data."""

    JOB_SEARCH = "job_search"
    EMPLOYER_CONTACT = "employer_contact"
    EDUCATION = "education"
    WORK_ABILITY = "work_ability"
    HEALTH = "health"
    FINANCES = "finances"
    HOUSING = "housing"
    DAILY_LIFE = "daily_life"
    NETWORK = "network"
    GOALS = "goals"
    FOLLOW_ALONG = "follow_along"
    OTHER = "other"


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

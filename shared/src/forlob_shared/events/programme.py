"""Events about a participant's course (its start, changes and end). Sequenced with the referral."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register
from forlob_shared.events.common import AttendanceRules, MeetingCadence, Outcome, ProgrammeShape, TimeWindow


class _CourseEvent(EventData):
    aggregate_type = "referral"

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str


@register
class ProgrammeStarted(_CourseEvent):
    routing_key = "programme.started.v1"
    description = "The course started: agreed weekly schedule, contact person and the programme's rules."

    start_date: date
    planned_end_date: date
    schedule: list[TimeWindow] = Field(description="the participant's agreed weekly attendance, local time")
    opening_hours: list[TimeWindow]
    timezone: str
    country: str
    contact_person_id: str = Field(description="staff id of the contact person at the provider")
    team_leader_id: str | None = None
    caseworker_id: str = Field(description="staff id of the referring caseworker")
    legal_basis: str | None = None
    rules: AttendanceRules
    started_at: datetime
    shape: ProgrammeShape = Field(
        default=ProgrammeShape.TIMETABLED, description="the programme's shape; meetings: schedule is empty"
    )
    cadence: MeetingCadence | None = Field(default=None, description="meetings-shaped courses: the agreed cadence")


@register
class ProgrammeRescheduled(_CourseEvent):
    routing_key = "programme.rescheduled.v1"
    description = "The course was extended or shortened by agreement."

    previous_end_date: date
    planned_end_date: date
    change: str = Field(description="extended | shortened")
    changed_at: datetime


@register
class AgreementChanged(_CourseEvent):
    routing_key = "programme.agreement_changed.v1"
    description = "The agreed weekly schedule or the contact person changed."

    effective_from: date
    schedule: list[TimeWindow]
    contact_person_id: str
    team_leader_id: str | None = None
    changed_at: datetime
    cadence: MeetingCadence | None = Field(default=None, description="meetings-shaped courses: the agreed cadence")


@register
class ProgrammeEnded(_CourseEvent):
    routing_key = "programme.ended.v1"
    description = "The course ended with an outcome; the closing note is ready for the caseworker."

    start_date: date
    end_date: date
    outcome: Outcome
    first_job_date: date | None = Field(default=None, description="first day in work or education, if any")
    ended_at: datetime

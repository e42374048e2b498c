"""Events about attendance and absence: facts in minutes and coded reasons, never judgements."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register
from forlob_shared.events.common import AbsenceReason


class _AttendanceEvent(EventData):
    partition_field = "referral_id"  # the course: an absence follows its course's start

    referral_id: UUID
    participant_id: UUID
    programme_code: str
    provider_org: str
    referring_org: str


@register
class CheckedIn(_AttendanceEvent):
    routing_key = "attendance.checked_in.v1"
    description = "The participant arrived."
    aggregate_type = "attendance"

    day: date
    checked_in_at: datetime
    expected_at: datetime | None = None
    minutes_late: int = Field(default=0, ge=0)


@register
class CheckedOut(_AttendanceEvent):
    routing_key = "attendance.checked_out.v1"
    description = "The participant left."
    aggregate_type = "attendance"

    day: date
    checked_out_at: datetime
    expected_end: datetime | None = None
    minutes_early: int = Field(default=0, ge=0)
    attended_minutes: int = Field(ge=0)


@register
class AbsenceReported(_AttendanceEvent):
    routing_key = "attendance.absence_reported.v1"
    description = "Absence reported in advance for a period (an internship day is attendance elsewhere)."
    aggregate_type = "attendance"

    report_id: UUID
    reason: AbsenceReason
    first_day: date
    last_day: date
    reported_at: datetime


@register
class InternshipPlanned(_AttendanceEvent):
    routing_key = "attendance.internship_planned.v1"
    description = (
        "A combined course's agreed plan: on these weekdays of this period the participant is at a "
        "company internship (the employer by its register id), attendance elsewhere, not absence."
    )
    aggregate_type = "attendance"

    internship_id: UUID
    employer_id: UUID = Field(description="the employer in the provider's register (referral service)")
    first_day: date
    last_day: date
    weekdays: list[int] = Field(description="0 = Monday ... 6 = Sunday")
    planned_at: datetime


@register
class AbsenceDetected(_AttendanceEvent):
    routing_key = "absence.detected.v1"
    description = "An expected arrival passed its start plus grace with no check-in and no reported absence."

    absence_id: UUID
    day: date
    expected_at: datetime
    detected_at: datetime
    expected_end: datetime | None = Field(
        default=None,
        description="the end of the agreed window the participant missed (the most minutes this absence can miss)",
    )
    meeting_id: UUID | None = Field(
        default=None, description="a planned meeting not attended; absent: an agreed window missed"
    )


@register
class AbsenceResolved(_AttendanceEvent):
    routing_key = "absence.resolved.v1"
    description = "A detected absence was explained: a late arrival, or an absence reported afterwards."

    absence_id: UUID
    resolution: str = Field(description="late_arrival | reported")
    minutes_late: int | None = None
    reason: AbsenceReason | None = None
    resolved_at: datetime


@register
class ContactRecorded(_AttendanceEvent):
    routing_key = "absence.contact_recorded.v1"
    description = "Staff recorded a contact attempt about an absence (coded, no free text)."

    absence_id: UUID
    outcome: str = Field(description="called_no_answer | reached | reason_given | contact_reestablished")
    reason: AbsenceReason | None = None
    recorded_at: datetime


@register
class AgreementBreached(_AttendanceEvent):
    routing_key = "attendance.agreement_breached.v1"
    description = "The attendance agreement was not kept (a programme rule was met); the jobcentre must hear."
    aggregate_type = "attendance"

    breach_id: UUID
    rule: str = Field(description="unexcused_in_window | consecutive_days")
    unexcused_absences: int
    window_first_day: date
    window_last_day: date
    absence_ids: list[UUID]
    detected_at: datetime


@register
class WeekSummarised(_AttendanceEvent):
    routing_key = "attendance.week_summarised.v1"
    description = "Agreed versus attended minutes for one participant and ISO week."
    aggregate_type = "attendance"

    week_start: date = Field(description="the Monday of the ISO week")
    agreed_minutes: int = Field(ge=0)
    attended_minutes: int = Field(ge=0)
    internship_minutes: int = Field(default=0, ge=0)
    absent_minutes: int = Field(ge=0)
    unexcused_absences: int = Field(default=0, ge=0)
    absences_by_reason: dict[str, int] = Field(default_factory=dict)
    summarised_at: datetime

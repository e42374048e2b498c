"""Events about meetings in a meetings-shaped course (IPS, clarification, conversation courses).

A planned meeting not attended is ``absence.detected.v1`` with its ``meeting_id``: the same
machinery, grace, alert and legal-basis policy as a missed window. Nothing is expected between
meetings. Pseudonymous ids and codes only; meeting notes' free text stays in the referral service.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from forlob_shared.events.attendance import _AttendanceEvent
from forlob_shared.events.base import register
from forlob_shared.events.common import AbsenceReason, MeetingPlace, MeetingTopic


class _MeetingEvent(_AttendanceEvent):
    aggregate_type = "attendance"

    meeting_id: UUID


@register
class MeetingPlanned(_MeetingEvent):
    routing_key = "meeting.planned.v1"
    description = "A meeting with the participant was planned (or moved: the same meeting_id, a new time)."

    starts_at: datetime
    ends_at: datetime
    place: MeetingPlace
    staff_id: str = Field(description="the provider's staff member who holds the meeting")
    planned_at: datetime


@register
class MeetingHeld(_MeetingEvent):
    routing_key = "meeting.held.v1"
    description = "The meeting took place; its topics are coded, its notes stay with the referral service."

    day: date
    held_at: datetime
    minutes_late: int = Field(default=0, ge=0)
    duration_minutes: int = Field(ge=0)
    topics: list[MeetingTopic] = Field(default_factory=list)
    recorded_at: datetime


@register
class MeetingCancelled(_MeetingEvent):
    routing_key = "meeting.cancelled.v1"
    description = (
        "A planned meeting was called off before it began: by the participant with a reason (not an "
        "absence), or by the provider."
    )

    cancelled_by: str = Field(description="participant | provider")
    reason: AbsenceReason | None = None
    cancelled_at: datetime


@register
class MeetingCadenceOverdue(_AttendanceEvent):
    routing_key = "meeting.cadence_overdue.v1"
    description = "No meeting is planned within the agreed interval after the last one: the contact person is reminded."
    aggregate_type = "attendance"

    last_meeting_day: date | None = Field(description="the last meeting held or planned; none: the course start")
    max_days_between: int = Field(ge=1)
    due_by: date = Field(description="the day by which the next meeting should have taken place")
    detected_at: datetime

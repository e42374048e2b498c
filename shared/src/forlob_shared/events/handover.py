"""Events about a participant's way on from one course to the next programme (DOMAIN.md, "Results
and what comes next": the next step should overlap with this one, or follow it without a gap).

Published in the previous course's order (subject and partition: its referral). Ids, codes and
dates only: the handover facts that cross to the next provider are coded (goal attainment counted,
the clarification's recommendation and areas), never the closing note's or the record's words.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import register
from forlob_shared.events.programme import _CourseEvent


class HandoverRelation(StrEnum):
    """How the next step lies against this course."""

    OVERLAP = "overlap"  # the next starts on a day of this course, before it ends
    SEQUENCE = "sequence"  # the next starts after this course's last day


@register
class CourseReferredOn(_CourseEvent):
    routing_key = "course.referred_on.v1"
    description = (
        "The referring caseworker referred the participant on from this course (the referral_id) to a next "
        "programme, at this or another provider: a new referral, overlapping this course or following it."
    )

    handover_id: UUID
    next_referral_id: UUID = Field(description="the new referral, received by the next provider")
    next_programme_code: str
    next_provider_org: str
    relation: HandoverRelation
    planned_start: date = Field(description="the next step's planned first day, in its provider's calendar")
    previous_start_date: date | None = Field(default=None, description="this course's first day")
    previous_planned_end: date = Field(description="this course's planned last day when it was referred on")
    proposed_by_provider: bool = Field(description="true: the provider's coordinator proposed it first")
    referred_at: datetime


@register
class HandoverMeetingPlanned(_CourseEvent):
    routing_key = "handover_meeting.planned.v1"
    description = (
        "A handover meeting between both providers and the caseworker was planned (or planned again) for a "
        "referral on; who takes part as staff ids and organisations."
    )

    handover_id: UUID
    next_referral_id: UUID
    next_provider_org: str
    starts_at: datetime
    timezone: str = Field(description="the course's zone, in which starts_at was given")
    staff_ids: list[str] = Field(description="the staff ids taking part")
    orgs: list[str] = Field(description="the organisations taking part")
    planned_at: datetime


@register
class HandoverMeetingHeld(_CourseEvent):
    routing_key = "handover_meeting.held.v1"
    description = "The handover meeting of a referral on was held."

    handover_id: UUID
    next_referral_id: UUID
    next_provider_org: str
    starts_at: datetime
    held_at: datetime

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


class DeclineReason(StrEnum):
    """Why the referring caseworker declined the provider's proposal: a closed set, so that no free
    text crosses (the caseworker's own notes stay in the jobcentre's system)."""

    ANOTHER_STEP_PLANNED = "another_step_planned"
    PARTICIPANT_NOT_READY = "participant_not_ready"
    NOT_THE_RIGHT_PROGRAMME = "not_the_right_programme"
    NO_LONGER_RELEVANT = "no_longer_relevant"
    OTHER = "other"


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


@register
class NextStepProposed(_CourseEvent):
    routing_key = "course.next_step_proposed.v1"
    description = (
        "The provider's coordinator proposed a next step for this running course (the referral_id); the "
        "referring caseworker decides: refers on as proposed, declines, or the coordinator withdraws it."
    )

    handover_id: UUID
    next_programme_code: str
    next_provider_org: str
    relation: HandoverRelation
    planned_start: date = Field(description="the proposed first day, in the next provider's calendar")
    previous_planned_end: date = Field(description="this course's planned last day when it was proposed")
    proposed_at: datetime


@register
class NextStepDeclined(_CourseEvent):
    routing_key = "course.next_step_declined.v1"
    description = (
        "The referring caseworker declined the provider's proposed next step, with a coded reason; the course "
        "may be referred on otherwise."
    )

    handover_id: UUID
    next_programme_code: str
    next_provider_org: str
    reason: DeclineReason
    declined_at: datetime


@register
class NextStepWithdrawn(_CourseEvent):
    routing_key = "course.next_step_withdrawn.v1"
    description = "The provider's coordinator withdrew a next step the provider had proposed and nobody decided."

    handover_id: UUID
    next_programme_code: str
    next_provider_org: str
    withdrawn_at: datetime

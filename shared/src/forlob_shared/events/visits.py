"""Events about staff safety on home and street visits. Staff ids only; never where, never whom."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register


class VisitKind(StrEnum):
    HOME = "home"
    STREET = "street"
    OTHER = "other"


class _VisitEvent(EventData):
    aggregate_type = "visit"

    visit_id: UUID
    provider_org: str
    staff_id: str


@register
class VisitStarted(_VisitEvent):
    routing_key = "visit.started.v1"
    description = "A staff member set out on a home or street visit, with its planned end and a colleague, if any."

    kind: VisitKind
    colleague_id: str | None = None
    planned_end: datetime
    started_at: datetime


@register
class VisitEnded(_VisitEvent):
    routing_key = "visit.ended.v1"
    description = "The staff member ended the visit safely."

    ended_at: datetime
    was_overdue: bool = Field(default=False, description="the visit had passed its planned end plus grace")


@register
class VisitOverdue(_VisitEvent):
    routing_key = "visit.overdue.v1"
    description = "A visit was not ended by its planned end plus grace: the team leader and the colleague are alerted."

    colleague_id: str | None = None
    planned_end: datetime
    detected_at: datetime

"""Events about a provider's programme catalogue."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from forlob_shared.events.base import EventData, register
from forlob_shared.events.common import AttendanceRules, ProgrammeShape, TimeWindow


@register
class ProgrammeDefined(EventData):
    routing_key = "catalogue.programme_defined.v1"
    description = "A provider created or changed a programme in its catalogue (capacity, intake, hours)."

    provider_org: str
    programme_code: str
    kind: str = Field(description="development_course | clarification | ips | outreach | physiotherapy | ...")
    capacity: int = Field(ge=0)
    intake_weekdays: list[int] = Field(description="0 = Monday")
    default_weeks: int
    min_weeks: int
    max_weeks: int
    opening_hours: list[TimeWindow]
    timezone: str
    country: str
    rules: AttendanceRules
    defined_at: datetime
    shape: ProgrammeShape = Field(
        default=ProgrammeShape.TIMETABLED,
        description="timetabled (agreed weekly windows) | meetings (an agreed cadence) | outreach (contact work)",
    )

"""Events about an organisation as a whole: when a provider is closed, who works there."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from forlob_shared.events.base import EventData, register


class DeclaredClosure(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    closure_id: str
    first_day: date
    last_day: date
    reason: str = Field(description="summer_closure | staff_day | other")
    start: time | None = Field(default=None, description="closed from this local time each day; whole days if null")
    end: time | None = Field(default=None, description="closed until this local time each day")


@register
class ProviderCalendarChanged(EventData):
    routing_key = "provider.calendar_changed.v1"
    description = (
        "A provider declared or withdrew a closure, or chose to work on (or keep) a customary closure. "
        "Carries the whole current state, so the newest event is all a consumer needs."
    )

    provider_org: str
    closures: list[DeclaredClosure] = Field(
        description="the provider's closures that end on or after 31 days before changed_at"
    )
    customary_worked: list[str] = Field(
        description="customary closures the provider works on: christmas_eve, new_years_eve, "
        "constitution_day_afternoon (DK), midsummer_eve (SE)"
    )
    changed_at: datetime


@register
class StaffChanged(EventData):
    routing_key = "staff.changed.v1"
    description = (
        "A staff member of an organisation was added to or changed in the staff directory: the id "
        "(the 'sub' of their token), the role and whether they are active; never an address or hours."
    )

    org: str
    staff_id: str
    role: str
    active: bool
    changed_at: datetime

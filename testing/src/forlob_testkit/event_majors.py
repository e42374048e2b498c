"""A test-only event type in the middle of a breaking change: ``testkit_fact.noted.v2`` retypes
v1's ``minutes`` (text) as an integer and supersedes it. Registered (readable by any consumer)
but not part of the catalogue (docs/events)."""

from __future__ import annotations

from uuid import UUID, uuid4

from forlob_shared.events.base import EventData, register
from forlob_shared.events.envelope import PendingEvent


@register
class FactNotedV1(EventData):
    routing_key = "testkit_fact.noted.v1"
    item_id: UUID
    minutes: str


def _downcast(new: FactNotedV2) -> FactNotedV1:
    return FactNotedV1(item_id=new.item_id, minutes=str(new.minutes))


def _upcast(old: FactNotedV1) -> FactNotedV2:
    return FactNotedV2(item_id=old.item_id, minutes=int(old.minutes))


@register(supersedes=FactNotedV1, downcast=_downcast, upcast=_upcast)
class FactNotedV2(EventData):
    routing_key = "testkit_fact.noted.v2"
    item_id: UUID
    minutes: int


FAMILY = "testkit_fact.noted"


def fact_noted(minutes: int, item_id: UUID | None = None) -> PendingEvent:
    """One fact, as the producer's new release emits it (the new major)."""
    item_id = item_id or uuid4()
    return PendingEvent(data=FactNotedV2(item_id=item_id, minutes=minutes), subject=str(item_id))

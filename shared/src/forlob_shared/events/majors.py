"""One fact, published as each major of its event type a service emits during a breaking change.

A breaking change to an event type is a new major (``x.y.v2``) registered with
``@register(supersedes=XyV1, downcast=...)``. The producer's application emits the new major
only; its outbox writes one row per major the service emits (``FORLOB_EVENT_MAJORS``, by
``<aggregate>.<event>``: every major of the chain unless the setting names some), from the one
fact: the same ``subject``, sequence number and ``factid`` in each. The oldest major emitted keeps
the fact's id as its event id, so a consumer that knows only that major (an older release, whose
inbox keys on the event id) sees exactly the events it saw before; the others get an id derived
from the fact's. A consumer of both majors records the fact in its inbox and applies it once.
Procedure: docs/operations.md, "A breaking change to an event type".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from uuid import uuid5

from forlob_shared.events.base import EventData, UnknownEventType, event_class, event_types, family, major, supersession
from forlob_shared.events.envelope import PendingEvent

# By ``<aggregate>.<event>``: the majors a service emits (a family not named: all of them).
EmittedMajors = Mapping[str, Collection[int]]


def emitted(event: PendingEvent, emits: EmittedMajors) -> list[PendingEvent]:
    """The rows ``event`` is written as: itself, or (its type superseding an older major) one per
    emitted major, oldest first, each carrying the fact's id."""
    step = supersession(type(event.data))
    if step is None:
        return [event]
    chain: list[EventData] = [event.data]
    while step is not None:
        chain.append(step.downcast(chain[-1]))
        if type(chain[-1]) is not step.old:
            raise TypeError(f"downcast to {step.old.routing_key} returned {type(chain[-1]).__name__}")
        step = supersession(step.old)
    wanted = emits.get(family(event.data.routing_key))
    picked = [data for data in reversed(chain) if wanted is None or major(data.routing_key) in wanted]
    if not picked:
        raise ValueError(
            f"{family(event.data.routing_key)}: the service emits none of its majors {sorted(wanted or [])}"
        )
    return [
        replace(event, data=data, id=event.id if n == 0 else uuid5(event.id, data.routing_key), fact_id=event.id)
        for n, data in enumerate(picked)
    ]


def check_emits(emits: EmittedMajors) -> None:
    """Refuse a setting that names an event type or a major the catalogue does not have (at the
    start, not at the first write of such an event)."""
    event_types()  # the catalogue's modules imported, so their types are registered
    for name, majors in emits.items():
        if not majors:
            raise ValueError(f"event majors: {name} emits no major")
        for n in majors:
            try:
                event_class(f"{name}.v{n}")
            except UnknownEventType:
                raise ValueError(f"event majors: no event type {name}.v{n}") from None

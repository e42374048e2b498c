"""The event catalogue's building blocks: versioned payloads and their registry.

Each payload is a pydantic model registered under its routing key
(``<aggregate>.<event>.v<major>``); the CloudEvents type is ``dk.forlob.`` plus that key.
Consumers ignore fields they do not know, so adding an optional field keeps the major version;
anything else is a new major published alongside the old one: the new major's class is
registered with ``supersedes=`` the old one and a ``downcast`` (new data -> old data), and the
outbox writes each fact once per major the service emits (:mod:`forlob_shared.events.majors`,
docs/operations.md "A breaking change to an event type").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, overload

from pydantic import BaseModel, ConfigDict

TYPE_PREFIX = "dk.forlob."
_ROUTING_KEY = re.compile(r"^[a-z_]+\.[a-z_]+\.v[1-9][0-9]*$")


class EventData(BaseModel):
    """The ``data`` of one event type. Subclasses set ``routing_key`` and register themselves."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    routing_key: ClassVar[str]
    description: ClassVar[str] = ""
    # The aggregate whose sequence numbers the event takes; by default the routing key's first
    # part. programme.* events set "referral": a course is its referral's life, in one order.
    aggregate_type: ClassVar[str | None] = None
    # The data field that names the event's partition (the CloudEvents ``partitionkey``): events
    # of one partition are consumed one after another in queue order, whichever service published
    # them. None: the subject. Attendance's events name the course (``referral_id``), so an
    # absence (subject: the absence) keeps its place behind its course's start.
    partition_field: ClassVar[str | None] = None
    # Whether its envelope must name the JSON Schema of its data (``PendingEvent.dataschema``).
    needs_dataschema: ClassVar[bool] = False

    @classmethod
    def aggregate(cls) -> str:
        return cls.aggregate_type or cls.routing_key.split(".", 1)[0]

    def partition_key(self, subject: str) -> str:
        """The ``partitionkey`` of this event published under ``subject``."""
        if self.partition_field is None:
            return subject
        return str(getattr(self, self.partition_field))

    @classmethod
    def cloudevent_type(cls) -> str:
        return TYPE_PREFIX + cls.routing_key

    @classmethod
    def envelope_attributes(cls, sequence: int) -> dict[str, Any]:
        """Extension attributes the envelope carries for this type (the partner contract writes
        ``sequence`` as the string the CloudEvents extension defines)."""
        return {"sequence": sequence}


class UnknownEventType(LookupError):
    pass


_REGISTRY: dict[str, type[EventData]] = {}

E = TypeVar("E", bound=type[EventData])


@dataclass(frozen=True)
class Supersession:
    """``new`` (the next major of an event type) supersedes ``old``: ``downcast`` turns a fact's
    new data into the old major's (the outbox publishes both during a change); ``upcast``, when
    given, the other way (a consumer of both majors applies old messages with its new handler)."""

    old: type[EventData]
    new: type[EventData]
    downcast: Callable[[Any], EventData]
    upcast: Callable[[Any], EventData] | None = None


# By the superseding (newer) class; empty unless an event type is in the middle of a change.
_SUPERSEDING: dict[type[EventData], Supersession] = {}


def major(routing_key: str) -> int:
    return int(routing_key.rsplit(".v", 1)[1])


def family(routing_key: str) -> str:
    """``<aggregate>.<event>``: the routing key without its major."""
    return routing_key.rsplit(".v", 1)[0]


@overload
def register(cls: E, /) -> E: ...
@overload
def register(
    *,
    supersedes: type[EventData],
    downcast: Callable[[Any], EventData],
    upcast: Callable[[Any], EventData] | None = None,
) -> Callable[[E], E]: ...
def register(
    cls: E | None = None,
    /,
    *,
    supersedes: type[EventData] | None = None,
    downcast: Callable[[Any], EventData] | None = None,
    upcast: Callable[[Any], EventData] | None = None,
) -> E | Callable[[E], E]:
    """Class decorator: add an event type to the catalogue. ``@register(supersedes=V1,
    downcast=...)`` on a new major says that it replaces ``V1`` and how a fact of it reads as one
    of ``V1``."""
    if cls is None:
        if supersedes is None or downcast is None:
            raise TypeError("register(...) takes supersedes= and downcast= together")
        old, down = supersedes, downcast

        def superseding(new: E) -> E:
            if family(new.routing_key) != family(old.routing_key) or major(new.routing_key) <= major(old.routing_key):
                raise ValueError(f"{new.routing_key} cannot supersede {old.routing_key}: not a later major of it")
            if _REGISTRY.get(old.routing_key) is not old:
                raise ValueError(f"{old.routing_key} is not registered")
            _add(new)
            _SUPERSEDING[new] = Supersession(old, new, down, upcast)
            return new

        return superseding
    return _add(cls)


def _add(cls: E) -> E:
    key = cls.routing_key
    if not _ROUTING_KEY.match(key):
        raise ValueError(f"routing key {key!r} is not <aggregate>.<event>.v<major>")
    if key in _REGISTRY and _REGISTRY[key] is not cls:
        raise ValueError(f"event type {key} registered twice")
    _REGISTRY[key] = cls
    return cls


def supersession(cls: type[EventData]) -> Supersession | None:
    """What ``cls`` supersedes (None: it is the only major published of its type)."""
    return _SUPERSEDING.get(cls)


def registered() -> Mapping[str, type[EventData]]:
    """The registry itself, by routing key, to read (not to change): the envelope's fast decode
    checks its cached choice of class against it on every message."""
    return _REGISTRY


def event_class(routing_key: str) -> type[EventData]:
    try:
        return _REGISTRY[routing_key]
    except KeyError:
        raise UnknownEventType(routing_key) from None


def event_class_for_type(cloudevent_type: str) -> type[EventData]:
    if not cloudevent_type.startswith(TYPE_PREFIX):
        raise UnknownEventType(cloudevent_type)
    return event_class(cloudevent_type.removeprefix(TYPE_PREFIX))


def event_types() -> dict[str, type[EventData]]:
    """Every registered event type, by routing key; but the test kit's (forlob_testkit.event_majors),
    readable by any consumer in a test yet no part of the published catalogue (docs/events)."""
    from forlob_shared.events import (  # noqa: F401  (importing registers each module's events)
        alerts,
        attendance,
        programme,
        referral,
    )

    return dict(sorted((k, c) for k, c in _REGISTRY.items() if not c.__module__.startswith("forlob_testkit.")))


def json_schema(cls: type[EventData]) -> dict[str, Any]:
    schema = cls.model_json_schema(mode="serialization")
    schema["$id"] = f"https://forlob.dk/events/{cls.routing_key}.json"
    schema["title"] = cls.cloudevent_type()
    if cls.description:
        schema["description"] = cls.description
    return schema

"""What a service consumes: a subscription's queue purpose, its handlers, and the event types it
may apply as a set (declarative batching).

A handler applies one event inside the consumer's transaction and never commits (the consumer
does, :mod:`forlob_shared.transaction_owner`). A batch function applies a run of consecutive
events of the types it is declared for, in order, and must have the same effect as their
handlers one by one: it exists because one statement for many rows is much cheaper than many
statements; the handlers still apply those types when a batch had to be taken apart.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from forlob_shared.events.base import EventData, supersession
from forlob_shared.events.envelope import Envelope

U = TypeVar("U")
Handler = Callable[[Envelope[Any], U], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope[Any]], U], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[U]):
    """One consuming purpose of a service: a queue ``<service>.<purpose>`` and its handlers."""

    purpose: str
    handlers: Mapping[type[EventData], Handler[U]]
    description: str = ""
    # More than one lane: messages of different partitions (courses) are handled concurrently,
    # those of one partition still one after another, in the order they arrived.
    lanes: int = 1
    # Event types that may be applied as a set, and the function that applies them: within a
    # consumer's batch, a run of consecutive events whose types map to the same function goes to
    # it at once (e.g. ``{ProgrammeStarted: start_courses}``); the rest go one by one, in order.
    batches: Mapping[type[EventData], BatchHandler[U]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unhandled = sorted(cls.routing_key for cls in self.batches if cls not in self.handlers)
        if unhandled:
            # A batch that must be taken apart (a rule broken in it) is applied by the handlers.
            raise ValueError(f"{self.purpose}: batched types without a handler: {', '.join(unhandled)}")

    @property
    def routing_keys(self) -> list[str]:
        return sorted(cls.routing_key for cls in self.handlers)

    @functools.cached_property
    def _by_type(self) -> dict[str, Handler[U]]:
        return {cls.cloudevent_type(): handler for cls, handler in self.handlers.items()}

    def handler_for(self, cloudevent_type: str) -> Handler[U] | None:
        """The handler of an event type (CloudEvents ``type``); None: this subscription takes none."""
        return self._by_type.get(cloudevent_type)


def both_majors(new: type[EventData], handler: Handler[U]) -> dict[type[EventData], Handler[U]]:
    """The handlers of a consumer of both majors of a type during a breaking change: ``handler``
    (written for the new major) applies the old major's messages too, upcast. The inbox applies
    each fact once, whichever major's message arrives first (forlob_shared.events.majors)."""
    step = supersession(new)
    if step is None or step.upcast is None:
        raise ValueError(f"{new.routing_key} supersedes no major with an upcast")
    upcast, new_type = step.upcast, new.cloudevent_type()

    async def old(envelope: Envelope[Any], uow: U) -> None:
        await handler(envelope.model_copy(update={"data": upcast(envelope.data), "type": new_type}), uow)

    return {step.old: old, new: handler}

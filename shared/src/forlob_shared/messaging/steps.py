"""A consumer's batch as steps in one transaction: which function applies which deliveries
(:func:`plan_steps`), and applying them with the consumer as the transaction's owner
(:func:`apply_steps`). Pure of the broker and the database, so the test kit's broker-free
consumer runs the very same code against a fake unit of work.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from forlob_shared.events.envelope import Envelope
from forlob_shared.messaging.subscription import BatchHandler, Subscription


class ConsumerTransaction(Protocol):
    """What the consumer needs of a unit of work (the real one and the fake both have it)."""

    def owned_by(self, owner: str) -> ContextManager[None]: ...

    async def stage(self) -> None: ...

    async def commit(self) -> None: ...


T = TypeVar("T", bound=ConsumerTransaction)


@dataclass(frozen=True)
class Step(Generic[T]):
    """Deliveries applied by one call: one event by its handler, or a run by a batch function."""

    envelopes: tuple[Envelope[Any], ...]
    apply: Callable[[T], Awaitable[None]]


def plan_steps(subscription: Subscription[Any], envelopes: Sequence[Envelope[Any]]) -> list[Step[Any]]:
    """Group consecutive events whose types share a batch function; the rest one by one, in order.

    A run of one goes to its handler (the same effect, by the batch function's contract).
    """
    steps: list[Step[Any]] = []
    run: list[Envelope[Any]] = []
    run_by: BatchHandler[Any] | None = None

    def end_run() -> None:
        if len(run) == 1:
            steps.append(_one(subscription, run[0]))
        elif run:
            steps.append(_together(run_by, tuple(run)))
        run.clear()

    for envelope in envelopes:
        batch = subscription.batches.get(type(envelope.data))
        if run and batch is not run_by:
            end_run()
        if batch is None:
            steps.append(_one(subscription, envelope))
            continue
        run.append(envelope)
        run_by = batch
    end_run()
    return steps


def _one(subscription: Subscription[Any], envelope: Envelope[Any]) -> Step[Any]:
    handler = subscription.handler_for(envelope.type)
    if handler is None:
        raise LookupError(f"{subscription.purpose} has no handler for {envelope.type}")

    async def apply(uow: Any) -> None:
        await handler(envelope, uow)

    return Step((envelope,), apply)


def _together(batch: BatchHandler[Any] | None, envelopes: tuple[Envelope[Any], ...]) -> Step[Any]:
    assert batch is not None  # a run of two or more always has its function

    async def apply(uow: Any) -> None:
        await batch(envelopes, uow)

    return Step(envelopes, apply)


def _untraced(step: Step[Any]) -> ContextManager[None]:
    return contextlib.nullcontext()


async def apply_steps(
    uow: T,
    steps: Sequence[Step[T]],
    owner: str,
    traced: Callable[[Step[T]], ContextManager[None]] = _untraced,
) -> None:
    """Apply ``steps`` in ``uow``'s transaction, each with commits refused (``owner`` commits),
    each one's events written to the outbox and its writes flushed before the next begins."""
    for step in steps:
        with uow.owned_by(owner), traced(step):
            await step.apply(uow)
        await uow.stage()

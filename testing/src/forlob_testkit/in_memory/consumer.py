"""A broker-free consumer for the fast tier: feeds envelopes to a service's subscriptions against
a fake unit of work (a :class:`~forlob_testkit.fakes.FakeUnitOfWork` subclass), with the real
consumer's semantics:

- an envelope is built with real CloudEvents fields (encoded and parsed again as on the wire,
  ``sequence`` rising per aggregate and subject, ``partitionkey`` as the outbox writes it);
- every subscription whose handlers take the type gets it (as its queue's bindings would);
- the inbox drops an event id a subscription has seen (``duplicate``), in the same transaction
  as the effect, so a delivery whose rule broke leaves no inbox row;
- one transaction per delivery, which the consumer owns: the handler's ``commit()`` raises
  :class:`~forlob_shared.transaction_owner.CommitOwnedByConsumer`;
- a :class:`~forlob_shared.errors.DomainError` becomes a recorded dead letter with the reason
  ``rule-violated:<code>``, nothing of the delivery kept; an unreadable body, ``invalid-message``.

Routing, batching and the transaction steps are the consumer's own
(:mod:`forlob_shared.messaging.steps`); any other exception (a bug) propagates, so the test fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from forlob_shared.clock import Clock, ManualClock
from forlob_shared.errors import DomainError
from forlob_shared.events.base import EventData
from forlob_shared.events.envelope import Envelope, InvalidEnvelope, PendingEvent, decode, encode
from forlob_shared.messaging.steps import apply_steps, plan_steps
from forlob_shared.messaging.subscription import Subscription
from forlob_shared.tracing import consuming
from forlob_testkit.fakes import FakeUnitOfWork

F = TypeVar("F", bound=FakeUnitOfWork)

INBOX_TABLE = "inbox"


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    reason: str
    detail: str
    envelope: Envelope[Any] | None  # None: the body was not a readable event


class InMemoryConsumer(Generic[F]):
    def __init__(
        self,
        subscriptions: Sequence[Subscription[Any]],
        uow_factory: Callable[[], F],
        *,
        service: str = "test",
        clock: Clock | None = None,
        source: str = "forlob/test",
    ) -> None:
        self._subscriptions = list(subscriptions)
        self._uow_factory = uow_factory
        self._service = service
        self._clock = clock or ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        self._source = source
        self._sequences: dict[tuple[str, str], int] = {}
        self.dead_letters: list[DeadLetter] = []

    def envelope(
        self,
        data: EventData,
        *,
        subject: str | None = None,
        event_id: UUID | None = None,
        referring_org: str | None = None,
        provider_org: str | None = None,
        traceparent: str | None = None,
    ) -> Envelope[Any]:
        """``data`` as the outbox would publish it next (``subject`` defaults to its referral),
        written under ``traceparent`` when given."""
        subject = subject or str(getattr(data, "referral_id", "") or "")
        if not subject:
            raise ValueError(f"{type(data).__name__} needs a subject")
        pending = PendingEvent(
            data=data,
            subject=subject,
            referring_org=referring_org or getattr(data, "referring_org", None),
            provider_org=provider_org or getattr(data, "provider_org", None),
            id=event_id or uuid4(),
        )
        key = (pending.aggregate_type, subject)
        self._sequences[key] = self._sequences.get(key, 0) + 1
        body = encode(
            pending, source=self._source, sequence=self._sequences[key], time=self._clock.now(), traceparent=traceparent
        )
        return decode(body)

    async def publish(self, data: EventData, **fields: Any) -> dict[str, str]:
        """Build the next envelope of ``data`` and deliver it; the outcome per subscription."""
        return await self.deliver(self.envelope(data, **fields))

    async def deliver(self, envelope: Envelope[Any]) -> dict[str, str]:
        """One delivery to each subscription that takes its type: ``processed``, ``duplicate`` or
        ``dead-lettered``, by purpose."""
        outcomes: dict[str, str] = {}
        for subscription in self._subscriptions:
            if subscription.handler_for(envelope.type) is not None:
                outcomes[subscription.purpose] = await self._apply(subscription, envelope)
        return outcomes

    async def deliver_body(self, body: bytes) -> dict[str, str]:
        """A message as it came off the wire: parsed first, as the real consumer does."""
        try:
            envelope = decode(body)
        except InvalidEnvelope as exc:
            self.dead_letters.append(DeadLetter(self._service, "invalid-message", str(exc), None))
            return {subscription.purpose: "dead-lettered" for subscription in self._subscriptions}
        return await self.deliver(envelope)

    async def _apply(self, subscription: Subscription[Any], envelope: Envelope[Any]) -> str:
        name = f"{self._service}.{subscription.purpose}"  # the inbox key, as the real consumer's
        try:
            async with self._uow_factory() as uow:
                seen: set[tuple[str, UUID]] = uow.store.table(INBOX_TABLE, set)
                if (name, envelope.id) in seen:
                    return "duplicate"
                seen.add((name, envelope.id))
                # In the consumer's CONSUMER span, as the real one (with traces on).
                await apply_steps(
                    uow, plan_steps(subscription, [envelope]), name, lambda step: consuming(step.envelopes, name, name)
                )
                await uow.commit()
                return "processed"
        except DomainError as exc:
            self.dead_letters.append(DeadLetter(name, f"rule-violated:{exc.code}", exc.detail, envelope))
            return "dead-lettered"

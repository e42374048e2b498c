"""Consume events: parse, deduplicate through the inbox, apply, commit, acknowledge after commit.

What happens to a message:

- it is not a readable CloudEvent, its ``data`` does not match its type, or no handler here
  takes its type → published to the dead-letter exchange at once with the reason in
  ``x-forlob-*`` headers (:mod:`~forlob_shared.messaging.dead_letters`), then acknowledged;
- the handler raises a :class:`~forlob_shared.errors.DomainError` (a broken rule) → the same;
- a transient failure (database or broker unreachable, serialisation conflict) → retried in
  process with back-off for as long as it lasts. The message is never negatively acknowledged
  for this, so RabbitMQ's delivery limit is never spent on an outage; the unacknowledged
  message holds a prefetch slot, which pauses consumption until the database is back;
- any other exception (a bug) → negatively acknowledged after a back-off, and dead-lettered by
  us with the error once the broker's delivery count is one short of the limit;
- already in the inbox (a redelivery) → acknowledged, no second effect. The inbox records the
  event's fact (``factid``, else its id): during a breaking change one fact comes as two majors
  of its type (:mod:`forlob_shared.events.majors`), and a consumer of both applies whichever
  arrives first and takes the other for a duplicate.

The consumer owns the transaction: handlers never commit (while one runs, ``commit()`` raises,
:mod:`forlob_shared.transaction_owner`). Deliveries go into lanes by their partition key
(:mod:`~forlob_shared.messaging.lanes`); a lane applies what has gathered in it in ONE
transaction: one inbox statement for the batch, the handlers in order (a run of events of types
the subscription batches goes to its batch function at once, :mod:`~forlob_shared.messaging.steps`),
each step's events written to the outbox and flushed (``uow.stage()``), one commit, then every
acknowledgement. If a handler in a batch breaks a rule or fails with a bug, nothing of the batch
is kept and its deliveries are applied again one transaction each, so each gets the outcome it
would have had alone; a transient failure retries the whole batch.

Delivery order is not what aio-pika hands over (aiormq runs each delivery in a task of its own):
:class:`DeliveryOrder` restores it by delivery tag before a delivery enters its lane.

The consumer takes deliveries from aio-pika directly (``queue.consume`` on a channel of the
service's :class:`~forlob_shared.messaging.consumer_connection.ConsumerConnection`), not through a
FastStream subscriber: everything FastStream's per-message path offers (decoding, dependency
injection, acknowledgement policy, logging) is done here already, and that path cost about three
times the CPU of the consume itself: 650 µs per message against 150-180 µs, because resolving a
``RabbitMessage`` argument runs a synchronous function in a worker thread for every message
(fast_depends ``run_in_threadpool``). FastStream still documents the subscriptions in the
service's AsyncAPI document (:mod:`forlob_shared.asyncapi`). Its ``retry=`` counter was never
used either: it has looped forever (faststream#1657, #1488).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue

from forlob_shared import metrics
from forlob_shared.background import pause
from forlob_shared.db import UnitOfWork
from forlob_shared.errors import DomainError
from forlob_shared.events.envelope import Envelope, InvalidEnvelope, decode
from forlob_shared.logging import bind_trace, get_logger, unbind_trace
from forlob_shared.messaging.acknowledgements import Acknowledgements
from forlob_shared.messaging.dead_letters import DETAIL_HEADER, REASON_HEADER, DeadLetters
from forlob_shared.messaging.delivery_order import DeliveryOrder
from forlob_shared.messaging.failures import backoff, delivery_count, is_transient
from forlob_shared.messaging.inbox import first_deliveries, first_delivery
from forlob_shared.messaging.lanes import Lanes
from forlob_shared.messaging.redelivery import RedeliveryInjection
from forlob_shared.messaging.steps import Step, apply_steps, plan_steps
from forlob_shared.messaging.subscription import BatchHandler, Handler, Subscription
from forlob_shared.messaging.topology import Topology
from forlob_shared.redaction import describe_error
from forlob_shared.tracing import consuming

__all__ = [
    "CANARY_HEADER",
    "DETAIL_HEADER",
    "REASON_HEADER",
    "BatchHandler",
    "ConsumerConfig",
    "EventConsumer",
    "Handler",
    "Subscription",
    "is_transient",
]

log = get_logger("forlob.consumer")

U = TypeVar("U", bound=UnitOfWork)

# A canary is a probe the service's watchdog puts straight into its own queue to see that the
# consumer really receives messages; it is acknowledged and otherwise ignored.
CANARY_HEADER = "x-forlob-canary"

# Seconds a consumer waits for the broker to confirm its cancellation when it stops.
CANCEL_TIMEOUT = 2.0


@dataclass
class ConsumerConfig:
    service: str
    topology: Topology
    prefetch: int = 64
    delivery_limit: int = 10
    backoff_max: float = 30.0
    batch_size: int = 64  # deliveries applied in one transaction at most (1: one transaction each)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    # A fault a test injects (lost acknowledgements); None in production.
    redelivery: RedeliveryInjection | None = None


@dataclass(frozen=True)
class _Ready:
    """A readable delivery that this subscription handles."""

    message: AbstractIncomingMessage
    envelope: Envelope[Any]


class _ApplyOneByOne(Exception):
    """A batch must be applied again one delivery per transaction (a rule broken or a bug)."""


class EventConsumer(Generic[U]):
    def __init__(self, config: ConsumerConfig, subscription: Subscription[U], uow_factory: Callable[[], U]) -> None:
        self.config = config
        self.subscription = subscription
        self.uow_factory = uow_factory
        self.queue = config.topology.queue(config.service, subscription.purpose)
        self.name = f"{config.service}.{subscription.purpose}"  # inbox key: stable across prefixes
        # What the watchdog reads: is a message being handled, when was the last, which canary came.
        self.in_flight = 0
        self.last_activity = time.monotonic()
        self.canary_seen: str | None = None
        self._acks = Acknowledgements(limit=config.prefetch // 2)
        self.lanes = Lanes(
            self.name,
            subscription.lanes,
            config.batch_size,
            self.process_batch,
            lambda idle: self._acks.flush(idle=idle),
            config.stopping,
        )
        self._delivery_order = DeliveryOrder()
        self._consuming: tuple[AbstractQueue, str] | None = None
        self._dead_letters = DeadLetters(self.name, self.queue)

    async def start(self, connection: AbstractConnection) -> None:
        """Consume the queue on a channel of ``connection`` with manual acknowledgement, up to
        ``prefetch`` unacknowledged; dead letters go out on a second channel, with confirms.

        The queue is declared by the topology beforehand; the passive declaration here is what a
        robust channel repeats, with the consume, when it restores itself after a reconnect.
        """
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.config.prefetch)
        queue = await channel.declare_queue(self.queue, passive=True)
        publishing = await connection.channel(publisher_confirms=True)
        self._dead_letters.exchange = await publishing.get_exchange(
            self.config.topology.dead_letter_exchange, ensure=False
        )
        self._consuming = (queue, await queue.consume(self._on_message))

    async def stop(self, timeout: float) -> None:
        """Take no more deliveries and let each lane settle the batch in hand, for ``timeout``
        seconds at most; the broker redelivers whatever is left unacknowledged."""
        consuming, self._consuming = self._consuming, None
        if consuming is not None:
            queue, tag = consuming
            # The channel may be gone already; a robust one whose node is gone would wait for it
            # to come back (aio-pika waits for the connection before any call), so not for long.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CANCEL_TIMEOUT):
                    await queue.cancel(tag)
        await self.lanes.stop(timeout)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        await self._delivery_order.turn(message)
        self.lanes.put(message)  # before the next suspension: the next delivery comes after it

    async def process_batch(self, messages: Sequence[AbstractIncomingMessage]) -> list[str]:
        """Handle deliveries of one lane, in order; returns each one's outcome."""
        self.in_flight += len(messages)
        self.last_activity = time.monotonic()
        try:
            return await self._process_batch(messages)
        finally:
            self.in_flight -= len(messages)
            self.last_activity = time.monotonic()

    async def _process_batch(self, messages: Sequence[AbstractIncomingMessage]) -> list[str]:
        started = time.perf_counter()
        outcomes: dict[int, str] = {}
        ready: list[tuple[int, _Ready]] = []
        for index, message in enumerate(messages):
            admitted = await self._admit(message)
            if isinstance(admitted, str):
                outcomes[index] = admitted
            else:
                ready.append((index, admitted))
        if len(ready) == 1:
            index, item = ready[0]
            outcomes[index] = await self._apply_alone(item, started)
        elif ready:
            applied = await self._apply_batch([item for _, item in ready], started)
            outcomes.update(zip((index for index, _ in ready), applied, strict=True))
        return [outcomes[index] for index in range(len(messages))]

    async def _admit(self, message: AbstractIncomingMessage) -> _Ready | str:
        """What can be settled without the database (a canary, an unreadable or unhandled
        message) is settled here and its outcome returned; the rest goes on to its handler."""
        canary = (message.headers or {}).get(CANARY_HEADER)
        if canary is not None:
            self.canary_seen = str(canary)
            await self._acks.ack(message)
            return "canary"
        try:
            envelope = decode(message.body)
        except InvalidEnvelope as exc:
            return await self._dead_letter(
                message, "invalid-message", describe_error(exc, 1000), routing_key=message.routing_key or ""
            )
        if self.subscription.handler_for(envelope.type) is None:
            return await self._dead_letter(
                message, "unhandled-event-type", f"{self.name} has no handler for {envelope.type}", envelope.routing_key
            )
        return _Ready(message, envelope)

    @contextlib.contextmanager
    def _traced(self, step: Step[Any]) -> Iterator[None]:
        """A step runs in its CONSUMER span (with traces on: forlob_shared.tracing.consuming); a
        step of one event logs under its trace, a batch function's run under none."""
        with consuming(step.envelopes, self.name, self.queue):
            if len(step.envelopes) != 1:
                yield
                return
            envelope = step.envelopes[0]
            trace = bind_trace(
                envelope.traceparent, event_id=str(envelope.id), event_type=envelope.type, consumer=self.name
            )
            try:
                yield
            finally:
                unbind_trace(trace)

    async def _apply_batch(self, items: Sequence[_Ready], started: float) -> list[str]:
        attempt = 0
        while True:
            try:
                outcomes = await self._apply_together(items)
                break
            except _ApplyOneByOne as failure:
                log.info(
                    "consumer.batch_split",
                    deliveries=len(items),
                    error=describe_error(failure.__cause__) if failure.__cause__ else None,
                )
                return [await self._apply_alone(item, started) for item in items]
            except Exception as exc:  # noqa: BLE001  (only transient failures reach here)
                attempt += 1
                if not await self._wait_out(exc, attempt):
                    return [await self._requeue_at_shutdown(item) for item in items]
        return [await self._settle_applied(i, outcome, started) for i, outcome in zip(items, outcomes, strict=True)]

    async def _apply_together(self, items: Sequence[_Ready]) -> list[str]:
        """Every item in one transaction; raises :class:`_ApplyOneByOne` (nothing kept) when one
        breaks a rule or fails with a bug, and transient failures as they are."""
        outcomes: list[str] = []
        async with self.uow_factory() as uow:
            fresh = await first_deliveries(
                uow.session, self.name, ((i.envelope.fact_id, i.envelope.type) for i in items)
            )
            new: list[Envelope[Any]] = []
            for item in items:
                if item.envelope.fact_id in fresh:
                    fresh.discard(item.envelope.fact_id)  # the same fact twice in one batch: once only
                    new.append(item.envelope)
                    outcomes.append("processed")
                else:
                    outcomes.append("duplicate")
            try:
                await apply_steps(uow, plan_steps(self.subscription, new), self.name, self._traced)
            except Exception as exc:
                if is_transient(exc):
                    raise
                raise _ApplyOneByOne from exc
            await uow.commit()
        return outcomes

    async def _apply_alone(self, item: _Ready, started: float) -> str:
        message, envelope = item.message, item.envelope
        attempt = 0
        step = plan_steps(self.subscription, [envelope])[0]
        with self._traced(step):
            while True:
                try:
                    async with self.uow_factory() as uow:
                        if await first_delivery(uow.session, self.name, envelope.fact_id, envelope.type):
                            with uow.owned_by(self.name):
                                await step.apply(uow)
                            await uow.commit()  # the inbox row, even if the handler had nothing to write
                            outcome = "processed"
                        else:
                            outcome = "duplicate"
                    break
                except DomainError as exc:
                    return await self._dead_letter(
                        message, f"rule-violated:{exc.code}", exc.detail, envelope.routing_key
                    )
                except Exception as exc:  # noqa: BLE001  (sorted below: transient, or a bug)
                    if not is_transient(exc):
                        return await self._handler_failed(message, envelope, exc)
                    attempt += 1
                    if not await self._wait_out(exc, attempt):
                        return await self._requeue_at_shutdown(item)
            return await self._settle_applied(item, outcome, started)

    async def _wait_out(self, exc: BaseException, attempt: int) -> bool:
        """Back off after a transient failure; False when the service is stopping instead."""
        if self.config.stopping.is_set():
            return False
        metrics.TRANSIENT_RETRIES.labels(self.name).inc()
        delay = backoff(attempt, self.config.backoff_max)
        log.warning("consumer.transient_failure", error=describe_error(exc), attempt=attempt, retry_in=delay)
        await pause(self.config.stopping, delay)
        return True

    async def _requeue_at_shutdown(self, item: _Ready) -> str:
        await self._acks.settled_otherwise(item.message, item.message.nack(requeue=True))
        return self._count(item.envelope.routing_key, "requeued-at-shutdown")

    async def _settle_applied(self, item: _Ready, outcome: str, started: float) -> str:
        """Acknowledge a delivery whose effect (or duplicate finding) has committed."""
        metrics.HANDLER_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        redelivery = self.config.redelivery
        if redelivery is not None and redelivery.requeue(item.message):
            await self._acks.settled_otherwise(item.message, item.message.nack(requeue=True))
            return self._count(item.envelope.routing_key, "requeued-by-test-switch")
        await self._acks.ack(item.message)
        return self._count(item.envelope.routing_key, outcome)

    async def _handler_failed(self, message: AbstractIncomingMessage, envelope: Envelope[Any], exc: Exception) -> str:
        deliveries = delivery_count(message) + 1
        if deliveries >= self.config.delivery_limit - 1:
            return await self._dead_letter(message, "handler-failed", describe_error(exc, 1000), envelope.routing_key)
        log.exception("consumer.handler_failed", deliveries=deliveries)
        await pause(self.config.stopping, backoff(deliveries, self.config.backoff_max))
        await self._acks.settled_otherwise(message, message.nack(requeue=True))
        return self._count(envelope.routing_key, "requeued")

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str, detail: str, routing_key: str) -> str:
        try:
            await self._dead_letters.publish(message, reason, detail, routing_key)
        except Exception as exc:  # noqa: BLE001
            log.warning("consumer.dead_letter_failed", error=describe_error(exc), reason=reason)
            await self._acks.settled_otherwise(message, message.nack(requeue=True))
            return self._count(routing_key, "requeued")
        metrics.DEAD_LETTERED.labels(self.name, reason.split(":", 1)[0]).inc()
        log.warning("consumer.dead_lettered", reason=reason, detail=detail[:300], message_id=message.message_id)
        await self._acks.ack(message)
        return self._count(routing_key, "dead-lettered")

    def _count(self, routing_key: str, outcome: str) -> str:
        metrics.EVENTS_CONSUMED.labels(self.name, routing_key or "?", outcome).inc()
        return outcome

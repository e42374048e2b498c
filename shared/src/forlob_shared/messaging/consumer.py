"""Consume events: parse, deduplicate through the inbox, apply, acknowledge after commit.

What happens to a message:

- it is not a readable CloudEvent, its ``data`` does not match its type, or no handler here
  takes its type → published to the dead-letter exchange at once with the reason in
  ``x-forlob-*`` headers, then acknowledged;
- the handler raises a :class:`~forlob_shared.errors.DomainError` (a broken rule) → the same;
- a transient failure (database or broker unreachable, serialisation conflict) → retried in
  process with back-off for as long as it lasts. The message is never negatively acknowledged
  for this, so RabbitMQ's delivery limit is never spent on an outage; the unacknowledged
  message holds a prefetch slot, which pauses consumption until the database is back;
- any other exception (a bug) → negatively acknowledged after a back-off, and dead-lettered by
  us with the error once the broker's delivery count is one short of the limit;
- already in the inbox (a redelivery) → acknowledged, no second effect.

A fault switch for the reliability suite, ``test_redeliver_share`` (``FORLOB_TEST_REDELIVER_SHARE``,
which the settings refuse unless ``FORLOB_ENVIRONMENT=test``): after the commit, that share of
deliveries is requeued instead of acknowledged, as if the acknowledgement had been lost; each
message at most ``TEST_REDELIVERIES`` times, so the queue's delivery limit is never reached.

Deliveries go into lanes by their ``subject`` header (the CloudEvent subject: the aggregate), one
lane unless the subscription asks for more: different aggregates may be handled concurrently,
one aggregate's events always one after another in queue order. Delivery order is not what
FastStream hands over (aiormq runs each delivery in a task of its own): :class:`DeliveryOrder`
restores it by delivery tag before a delivery enters its lane.

A lane applies what has gathered in it (up to ``batch_size``, never waiting for more) in ONE
transaction: one inbox statement for the batch, each handler in order, one commit, then every
acknowledgement. Under load this spreads a commit (a WAL flush) and a connection checkout over
dozens of deliveries; when idle a batch is the one delivery that came. If a handler in a batch
breaks a rule or fails with a bug, nothing of the batch is kept and its deliveries are applied
again one transaction each, so each gets the outcome it would have had alone; a transient
failure retries the whole batch.

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
import random
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import aio_pika
import asyncpg
import sqlalchemy.exc
from aio_pika.abc import AbstractConnection, AbstractExchange, AbstractIncomingMessage, AbstractQueue
from aio_pika.exceptions import AMQPConnectionError

from forlob_shared import metrics
from forlob_shared.background import pause
from forlob_shared.db import UnitOfWork
from forlob_shared.errors import DomainError
from forlob_shared.events.base import EventData
from forlob_shared.events.envelope import Envelope, InvalidEnvelope, decode
from forlob_shared.logging import bind_trace, get_logger, unbind_trace
from forlob_shared.messaging.acknowledgements import Acknowledgements
from forlob_shared.messaging.delivery_order import DeliveryOrder
from forlob_shared.messaging.inbox import first_deliveries, first_delivery
from forlob_shared.messaging.topology import Topology
from forlob_shared.redaction import describe_error

log = get_logger("forlob.consumer")

U = TypeVar("U", bound=UnitOfWork)
Handler = Callable[[Envelope[Any], U], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope[Any]], U], Awaitable[None]]

REASON_HEADER = "x-forlob-reason"
DETAIL_HEADER = "x-forlob-detail"
# A canary is a probe the service's watchdog puts straight into its own queue to see that the
# consumer really receives messages; it is acknowledged and otherwise ignored.
CANARY_HEADER = "x-forlob-canary"
# Most requeues of one message by the test fault switch: far below any delivery limit.
TEST_REDELIVERIES = 2
# Put in a lane to end its worker once the batch in hand is settled.
_STOP = object()


@dataclass(frozen=True)
class Subscription(Generic[U]):
    """One consuming purpose of a service: a queue ``<service>.<purpose>`` and its handlers."""

    purpose: str
    handlers: Mapping[type[EventData], Handler[U]]
    description: str = ""
    # More than one lane: messages of different subjects (aggregates) are handled concurrently,
    # those of one subject still one after another, in the order they arrived.
    lanes: int = 1
    # Optional: applies a whole batch's new events (in order) at once, where the handlers would
    # take them one by one; it must have the same effect as they would. The handlers still apply
    # a batch that had to be taken apart, and say which types the subscription takes.
    batch_handler: BatchHandler[U] | None = None

    @property
    def routing_keys(self) -> list[str]:
        return sorted(cls.routing_key for cls in self.handlers)


@dataclass
class ConsumerConfig:
    service: str
    topology: Topology
    prefetch: int = 64
    delivery_limit: int = 10
    backoff_max: float = 30.0
    batch_size: int = 64  # deliveries applied in one transaction at most (1: one transaction each)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    test_redeliver_share: float = 0.0  # the test fault switch (see the module docstring); 0 in production


def is_transient(exc: BaseException) -> bool:
    """Failures that go away by themselves: retry, never dead-letter."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = getattr(exc.orig, "__cause__", None) or exc.orig
        return is_transient(orig) if orig is not None and orig is not exc else False
    if isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
        return True
    if isinstance(exc, sqlalchemy.exc.TimeoutError):  # pool exhausted
        return True
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.CannotConnectNowError
        | asyncpg.TooManyConnectionsError
        | asyncpg.SerializationError
        | asyncpg.DeadlockDetectedError
        | asyncpg.AdminShutdownError
        | asyncpg.CrashShutdownError,
    ):
        return True
    return isinstance(exc, ConnectionError | TimeoutError | OSError | AMQPConnectionError)


@dataclass(frozen=True)
class _Ready(Generic[U]):
    """A readable delivery with the handler for its type."""

    message: AbstractIncomingMessage
    envelope: Envelope[Any]
    handler: Handler[U]


class _ApplyOneByOne(Exception):
    """A batch must be applied again one delivery per transaction (a rule broken or a bug)."""


class EventConsumer(Generic[U]):
    def __init__(self, config: ConsumerConfig, subscription: Subscription[U], uow_factory: Callable[[], U]) -> None:
        self.config = config
        self.subscription = subscription
        self.uow_factory = uow_factory
        self.queue = config.topology.queue(config.service, subscription.purpose)
        self.name = f"{config.service}.{subscription.purpose}"  # inbox key: stable across prefixes
        self._handlers = {cls.cloudevent_type(): handler for cls, handler in subscription.handlers.items()}
        # What the watchdog reads: is a message being handled, when was the last, which canary came.
        self.in_flight = 0
        self.last_activity = time.monotonic()
        self.canary_seen: str | None = None
        self._lanes: list[asyncio.Queue[Any]] = []
        self._lane_workers: set[asyncio.Task[None]] = set()
        self._delivery_order = DeliveryOrder()
        self._acks = Acknowledgements(limit=config.prefetch // 2)
        self._consuming: tuple[AbstractQueue, str] | None = None
        self._dead_letters: AbstractExchange | None = None

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
        self._dead_letters = await publishing.get_exchange(self.config.topology.dead_letter_exchange, ensure=False)
        self._consuming = (queue, await queue.consume(self._on_message))

    async def stop(self, timeout: float) -> None:
        """Take no more deliveries and let each lane settle the batch in hand, for ``timeout``
        seconds at most; the broker redelivers whatever is left unacknowledged."""
        consuming, self._consuming = self._consuming, None
        if consuming is not None:
            queue, tag = consuming
            with contextlib.suppress(Exception):  # the channel may be gone already
                await queue.cancel(tag)
        lanes, self._lanes = self._lanes, []
        for lane in lanes:
            lane.put_nowait(_STOP)
        workers = set(self._lane_workers)
        if workers:
            _, late = await asyncio.wait(workers, timeout=timeout)
            for task in late:
                task.cancel()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        await self._delivery_order.turn(message)
        self._enqueue(message)

    def _enqueue(self, message: AbstractIncomingMessage) -> None:
        """Hand the message to its subject's lane; it is acknowledged there, after its commit.

        Unacknowledged messages stay bounded by the channel's prefetch; at shutdown the ones still
        in a lane are redelivered by the broker (the inbox makes that harmless).
        """
        if not self._lanes:
            self._lanes = [asyncio.Queue() for _ in range(max(1, self.subscription.lanes))]
            for lane in self._lanes:
                task = asyncio.create_task(self._drain_lane(lane), name=f"{self.name}-lane")
                self._lane_workers.add(task)
                task.add_done_callback(self._lane_workers.discard)
        subject = str((message.headers or {}).get("subject", ""))
        self._lanes[zlib.crc32(subject.encode()) % len(self._lanes)].put_nowait(message)

    async def _drain_lane(self, lane: asyncio.Queue[Any]) -> None:
        stop = False
        while not stop and not self.config.stopping.is_set():
            first = await lane.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self.config.batch_size and not lane.empty():
                message = lane.get_nowait()
                if message is _STOP:
                    stop = True
                    break
                batch.append(message)
            try:
                await self.process_batch(batch)
            except Exception:  # keep the lane alive; the broker redelivers the messages
                log.exception("consumer.lane_failed")
            await self._acks.flush(idle=lane.empty())
        await self._acks.flush(idle=True)  # before the channel closes

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
        ready: list[tuple[int, _Ready[U]]] = []
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

    async def _admit(self, message: AbstractIncomingMessage) -> _Ready[U] | str:
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
        handler = self._handlers.get(envelope.type)
        if handler is None:
            return await self._dead_letter(
                message, "unhandled-event-type", f"{self.name} has no handler for {envelope.type}", envelope.routing_key
            )
        return _Ready(message, envelope, handler)

    @contextlib.contextmanager
    def _traced(self, envelope: Envelope[Any]) -> Iterator[None]:
        trace = bind_trace(
            envelope.traceparent, event_id=str(envelope.id), event_type=envelope.type, consumer=self.name
        )
        try:
            yield
        finally:
            unbind_trace(trace)

    async def _apply_batch(self, items: Sequence[_Ready[U]], started: float) -> list[str]:
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

    async def _apply_together(self, items: Sequence[_Ready[U]]) -> list[str]:
        """Every item in one transaction; raises :class:`_ApplyOneByOne` (nothing kept) when one
        breaks a rule or fails with a bug, and transient failures as they are."""
        outcomes: list[str] = []
        async with self.uow_factory() as uow:
            uow.defer_commits()
            fresh = await first_deliveries(uow.session, self.name, ((i.envelope.id, i.envelope.type) for i in items))
            new: list[_Ready[U]] = []
            for item in items:
                if item.envelope.id in fresh:
                    fresh.discard(item.envelope.id)  # the same event twice in one batch: once only
                    new.append(item)
                    outcomes.append("processed")
                else:
                    outcomes.append("duplicate")
            try:
                if self.subscription.batch_handler is not None and new:
                    await self.subscription.batch_handler([item.envelope for item in new], uow)
                    await uow.commit()
                else:
                    for item in new:
                        with self._traced(item.envelope):
                            await item.handler(item.envelope, uow)
                            await uow.commit()  # deferred: written and flushed, committed below
            except Exception as exc:
                if is_transient(exc):
                    raise
                raise _ApplyOneByOne from exc
            await uow.commit_deferred()
        return outcomes

    async def _apply_alone(self, item: _Ready[U], started: float) -> str:
        message, envelope, handler = item.message, item.envelope, item.handler
        attempt = 0
        with self._traced(envelope):
            while True:
                try:
                    async with self.uow_factory() as uow:
                        if await first_delivery(uow.session, self.name, envelope.id, envelope.type):
                            await handler(envelope, uow)
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
        delay = _backoff(attempt, self.config.backoff_max)
        log.warning("consumer.transient_failure", error=describe_error(exc), attempt=attempt, retry_in=delay)
        await pause(self.config.stopping, delay)
        return True

    async def _requeue_at_shutdown(self, item: _Ready[U]) -> str:
        await self._acks.settled_otherwise(item.message, item.message.nack(requeue=True))
        return self._count(item.envelope.routing_key, "requeued-at-shutdown")

    async def _settle_applied(self, item: _Ready[U], outcome: str, started: float) -> str:
        """Acknowledge a delivery whose effect (or duplicate finding) has committed."""
        metrics.HANDLER_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        if self._lose_acknowledgement(item.message):
            await self._acks.settled_otherwise(item.message, item.message.nack(requeue=True))
            return self._count(item.envelope.routing_key, "requeued-by-test-switch")
        await self._acks.ack(item.message)
        return self._count(item.envelope.routing_key, outcome)

    def _lose_acknowledgement(self, message: AbstractIncomingMessage) -> bool:
        share = self.config.test_redeliver_share
        return bool(share) and _delivery_count(message) < TEST_REDELIVERIES and random.random() < share

    async def _handler_failed(self, message: AbstractIncomingMessage, envelope: Envelope[Any], exc: Exception) -> str:
        deliveries = _delivery_count(message) + 1
        if deliveries >= self.config.delivery_limit - 1:
            return await self._dead_letter(message, "handler-failed", describe_error(exc, 1000), envelope.routing_key)
        log.exception("consumer.handler_failed", deliveries=deliveries)
        await pause(self.config.stopping, _backoff(deliveries, self.config.backoff_max))
        await self._acks.settled_otherwise(message, message.nack(requeue=True))
        return self._count(envelope.routing_key, "requeued")

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str, detail: str, routing_key: str) -> str:
        headers = dict(message.headers or {})
        headers.update(
            {
                REASON_HEADER: reason,
                DETAIL_HEADER: detail[:2000],
                "x-forlob-consumer": self.name,
                "x-forlob-queue": self.queue,
                "x-forlob-original-routing-key": routing_key or message.routing_key or "",
                "x-forlob-original-exchange": message.exchange or "",
                "x-forlob-deliveries": _delivery_count(message) + 1,
                "x-forlob-dead-lettered-at": datetime.now(UTC).isoformat(),
            }
        )
        letter = aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            if self._dead_letters is None:
                raise RuntimeError(f"{self.name} is not started: no channel for dead letters")
            # Publish (confirmed) before acknowledging: a crash in between gives a duplicate in
            # the dead-letter queue, never a lost message.
            await self._dead_letters.publish(letter, routing_key=self.queue, mandatory=True)
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


def _delivery_count(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get("x-delivery-count", 0)
    try:
        return int(value)  # type: ignore[arg-type]  # a header of any type; a wrong one reads as 0
    except (TypeError, ValueError):
        return 0


def _backoff(attempt: int, cap: float) -> float:
    return float(min(cap, 0.05 * 2 ** min(attempt, 12)))

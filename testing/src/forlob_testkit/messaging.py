"""Helpers and fixtures for messaging tests: a bare messaging database, a collector bound to every
routing key, and a consumer whose effect is a row per handled event (so a duplicate effect
would show as a second row)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

import aio_pika
import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from forlob_shared.clock import ManualClock
from forlob_shared.db import UnitOfWork, create_session_factory
from forlob_shared.errors import DomainError
from forlob_shared.events import Envelope, PendingEvent, ReferralReceived, encode
from forlob_shared.messaging.consumer import ConsumerConfig, EventConsumer, Subscription
from forlob_shared.messaging.consumer_connection import ConsumerConnection
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.messaging.redelivery import RedeliveryInjection
from forlob_shared.messaging.relay import OutboxRelay, RelayConfig
from forlob_shared.messaging.topology import Topology
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.fixtures import register_queue
from forlob_testkit.infra import TestInfra


def referral_event(referral_id: UUID | None = None, provider: str = "rca-aalborg") -> PendingEvent:
    referral_id = referral_id or uuid4()
    return PendingEvent(
        data=ReferralReceived(
            referral_id=referral_id,
            participant_id=uuid4(),
            programme_code="RCA-UDV-13",
            referring_org="jobcenter-aalborg",
            provider_org=provider,
            received_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        ),
        subject=str(referral_id),
        referring_org="jobcenter-aalborg",
        provider_org=provider,
    )


@dataclass
class MessagingDb:
    url: str
    writer: OutboxWriter
    session_factory: Any
    engine: Any

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.writer)

    async def emit(self, *events: PendingEvent) -> None:
        async with self.uow() as uow:
            uow.emit(*events)
            await uow.commit()

    async def fetchval(self, query: str, *args: Any) -> Any:
        conn = await asyncpg.connect(plain_postgres_url(self.url))
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()


# The release the messaging fixture's writer stamps on its events (``sourceversion``).
TEST_RELEASE = "1.2.3.dev4+gabcdef0"


@pytest.fixture
async def messaging_db(make_database: Any) -> AsyncIterator[MessagingDb]:
    url = await make_database(None)
    conn = await asyncpg.connect(plain_postgres_url(url))
    await conn.execute("CREATE TABLE effects (event_id uuid NOT NULL, routing_key text NOT NULL)")
    await conn.close()
    engine = create_async_engine("postgresql+asyncpg://" + url.split("://", 1)[1], pool_size=5, hide_parameters=True)
    db = MessagingDb(
        url=url,
        writer=OutboxWriter(
            source="forlob/test",
            clock=ManualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),
            source_version=TEST_RELEASE,
        ),
        session_factory=create_session_factory(engine),
        engine=engine,
    )
    yield db
    await engine.dispose()


@dataclass
class Collector:
    """Every message published to the events exchange, in arrival order."""

    messages: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [m.message_id or "" for m in self.messages]


@pytest.fixture
async def collector(infra: TestInfra, prefix: str) -> AsyncIterator[Collector]:
    topology = Topology(prefix=prefix)
    connection = await aio_pika.connect(infra.broker_url)
    channel = await connection.channel()
    await topology.declare_core(channel)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(topology.events_exchange, routing_key="#")
    found = Collector()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        found.messages.append(message)
        await message.ack()

    await queue.consume(on_message)
    yield found
    await connection.close()


def relay_config(infra: TestInfra, db: MessagingDb, prefix: str, **overrides: Any) -> RelayConfig:
    return RelayConfig(
        dsn=plain_postgres_url(db.url),
        broker_url=infra.broker_url,
        topology=Topology(prefix=prefix),
        source="forlob/test",
        poll_interval=overrides.pop("poll_interval", 0.2),
        standby_interval=overrides.pop("standby_interval", 0.2),
        **overrides,
    )


@dataclass
class RunningRelay:
    relay: OutboxRelay
    stop_event: asyncio.Event
    task: asyncio.Task[None]

    @property
    def published(self) -> int:
        return self.relay.published

    @property
    def active(self) -> asyncio.Event:
        return self.relay.active

    async def stop(self) -> None:
        self.stop_event.set()
        await asyncio.wait_for(self.task, timeout=30)


@contextlib.asynccontextmanager
async def running_relay(config: RelayConfig) -> AsyncIterator[RunningRelay]:
    relay = OutboxRelay(config)
    stop = asyncio.Event()
    handle = RunningRelay(relay, stop, asyncio.create_task(relay.run(stop)))
    try:
        yield handle
    finally:
        await handle.stop()


class RuleBroken(DomainError):
    code = "test-rule"


Behaviour = Callable[[Envelope[Any]], None]


@dataclass
class TestConsumer:
    __test__: ClassVar[bool] = False

    consumer: EventConsumer[UnitOfWork]
    topology: Topology
    behaviour: dict[str, Behaviour] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def running_consumer(
    broker_url: str,
    db: MessagingDb,
    prefix: str,
    *,
    purpose: str = "effects",
    delivery_limit: int = 10,
    behaviour: Behaviour | None = None,
    backoff_max: float = 0.5,
    redelivery: RedeliveryInjection | None = None,
) -> AsyncIterator[TestConsumer]:
    """A consumer whose effect is a row in ``effects`` per handled event."""
    topology = Topology(prefix=prefix, delivery_limit=delivery_limit)

    async def handle(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if behaviour is not None:
            behaviour(envelope)
        from sqlalchemy import text

        await uow.session.execute(
            text("INSERT INTO effects (event_id, routing_key) VALUES (:id, :key)"),
            {"id": envelope.id, "key": envelope.routing_key},
        )

    config = ConsumerConfig(
        service="test",
        topology=topology,
        prefetch=16,
        delivery_limit=delivery_limit,
        backoff_max=backoff_max,
        redelivery=redelivery,
    )
    consumer = EventConsumer(config, Subscription(purpose, {ReferralReceived: handle}), db.uow)
    async with consuming(broker_url, consumer):
        yield TestConsumer(consumer, topology)


@contextlib.asynccontextmanager
async def consuming(broker_url: str, consumer: EventConsumer[Any]) -> AsyncIterator[ConsumerConnection]:
    """Declare the consumer's queue (in the test run's prefix, dropped at the end) and consume it
    until the block ends, as a service does."""
    topology = consumer.config.topology
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await topology.declare_core(channel)
        await topology.declare_consumer_queue(channel, consumer.queue, consumer.subscription.routing_keys)
    register_queue(topology.prefix, consumer.queue)
    register_queue(topology.prefix, topology.dead_letter_queue(consumer.queue))
    running = ConsumerConnection(broker_url, [consumer], name=f"test {consumer.name}", graceful_timeout=5.0)
    await running.start()
    try:
        yield running
    finally:
        consumer.config.stopping.set()
        await running.stop()


async def effect_count(db: MessagingDb) -> int:
    return int(await db.fetchval("SELECT count(*) FROM effects"))


async def distinct_effects(db: MessagingDb) -> int:
    return int(await db.fetchval("SELECT count(DISTINCT event_id) FROM effects"))


async def queue_depth(broker_url: str, queue: str) -> int:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def drain(broker_url: str, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take every message now in ``queue`` (acknowledging them)."""
    connection = await aio_pika.connect(broker_url)
    taken = []
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        while (message := await declared.get(fail=False, no_ack=True)) is not None:
            taken.append(message)
    return taken


@dataclass
class HandedDelivery:
    """A delivery as the consumer reads it from aio-pika, to hand a batch of known make-up to
    ``EventConsumer.process_batch``; records how it was settled."""

    body: bytes
    event_id: str
    routing_key: str = "referral.received.v1"
    subject: str = ""
    settled: list[str] = field(default_factory=list)
    partition_key: str = ""

    @classmethod
    def of(cls, event: PendingEvent, sequence: int = 1) -> HandedDelivery:
        body = encode(event, source="forlob/test", sequence=sequence, time=datetime.now(UTC))
        return cls(body, str(event.id), event.data.routing_key, event.subject, partition_key=event.partition_key)

    def again(self) -> HandedDelivery:
        """The same message delivered once more."""
        return HandedDelivery(
            self.body, self.event_id, self.routing_key, self.subject, partition_key=self.partition_key
        )

    @property
    def headers(self) -> dict[str, Any]:
        headers = {"subject": self.subject or self.event_id}
        if self.partition_key:
            headers["partitionkey"] = self.partition_key
        return headers

    exchange = "events"
    content_type = "application/cloudevents+json"
    delivery_tag = None  # not from a consumer's channel: delivery order does not apply

    @property
    def message_id(self) -> str:
        return self.event_id

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nack(self, requeue: bool = True) -> None:
        self.settled.append("nack" if requeue else "reject")

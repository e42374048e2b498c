"""Consumers come back by themselves after the broker restarts or closes their connections
(aio-pika#231/#563 and faststream#2758 describe consumers silently lost after a reconnect).

The service runs against a private RabbitMQ node that the test restarts and whose connections
it closes; events published afterwards must be consumed, and each queue must have its consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa

from forlob_reporting.main import spec as reporting_spec
from forlob_shared.events import encode
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import MessagingDb, RunningRelay, referral_event, relay_config, running_relay
from forlob_testkit.servers import PrivateRabbitMQ
from forlob_testkit.wait import eventually


@pytest.fixture
def private_rabbit(tmp_path: Path) -> Iterator[PrivateRabbitMQ]:
    with PrivateRabbitMQ(tmp_path / "rabbit") as node:
        yield node


async def _publish(url: str, exchange_name: str, count: int) -> list[str]:
    ids = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(exchange_name)
        for _ in range(count):
            event = referral_event()
            body = encode(event, source="forlob/test", sequence=1, time=datetime.now(UTC))
            await exchange.publish(aio_pika.Message(body, message_id=str(event.id)), "referral.received.v1")
            ids.append(str(event.id))
    return ids


async def _consumer_count(url: str, queue: str) -> int:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.consumer_count or 0)


@pytest.mark.slow
async def test_consumers_come_back_after_broker_restart_and_forced_close(
    private_rabbit: PrivateRabbitMQ, make_database: Any, run_service: Any
) -> None:
    spec = reporting_spec()
    database = await make_database(spec)
    async with run_service(spec, database, broker_url=private_rabbit.url) as reporting:
        runtime = reporting.runtime
        queue = runtime.consumers[0].queue
        exchange = runtime.topology.events_exchange

        async def facts() -> int:
            async with runtime.engine.connect() as connection:
                return int((await connection.execute(sa.text("SELECT count(*) FROM referral_facts"))).scalar_one())

        async def at_least(n: int) -> bool:
            return await facts() >= n

        async def consumer_back() -> bool:
            try:
                return await _consumer_count(private_rabbit.url, queue) == 1
            except Exception:
                return False

        await _publish(private_rabbit.url, exchange, 5)
        await eventually(lambda: at_least(5), what="events before any fault")

        await asyncio.to_thread(private_rabbit.restart)
        await eventually(consumer_back, timeout=60, what="the consumer after a broker restart")
        await _publish(private_rabbit.url, exchange, 5)
        await eventually(lambda: at_least(10), timeout=60, what="events after a broker restart")

        await asyncio.to_thread(private_rabbit.close_all_connections)
        await eventually(consumer_back, timeout=60, what="the consumer after its connection was closed")
        await _publish(private_rabbit.url, exchange, 5)
        await eventually(lambda: at_least(15), timeout=60, what="events after a forced close")

        assert await facts() == 15
        assert await _consumer_count(private_rabbit.url, queue) == 1
        ready = await reporting.client.get("/health/ready")
        assert ready.status_code == 200
        assert (await reporting.client.get("/health/live")).status_code == 200


def _connections(node: PrivateRabbitMQ) -> set[str]:
    listing = node.ctl("list_connections", "name", "--no-table-headers", "--quiet")
    return {line.strip() for line in listing.splitlines() if line.strip()}


@pytest.mark.slow
async def test_an_idle_relay_reconnects_as_soon_as_the_broker_closes_its_connection(
    private_rabbit: PrivateRabbitMQ, infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    # A poll far beyond the waits below, and nothing to publish: only noticing the close itself
    # brings the relay back. It used to find out at its next publish, and the first events after
    # the fault waited out a back-off (the course-load driver's stall after broker faults).
    config = replace(relay_config(infra, messaging_db, prefix, poll_interval=300), broker_url=private_rabbit.url)
    async with running_relay(config) as relay:
        await eventually(lambda: _is_set(relay.active), what="the relay active")
        before = await eventually(lambda: asyncio.to_thread(_connections, private_rabbit), what="its connection")

        await asyncio.to_thread(private_rabbit.close_all_connections)

        async def reconnected() -> bool:
            now = await asyncio.to_thread(_connections, private_rabbit)
            return bool(now) and not now & before

        await eventually(reconnected, timeout=10, interval=0.2, what="the relay connected again, idle")
        await messaging_db.emit(referral_event())
        await eventually(lambda: _published(relay, 1), timeout=10, what="the first event after the close")


async def _is_set(event: asyncio.Event) -> bool:
    return event.is_set()


async def _published(relay: RunningRelay, count: int) -> bool:
    return relay.published == count

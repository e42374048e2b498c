"""Fixtures for the reporting tests: publish a synthetic cohort's events as the producers would."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa

from forlob_shared.events import CONTENT_TYPE
from forlob_shared.messaging.topology import Topology
from forlob_testkit.infra import TestInfra
from forlob_testkit.reporting.cohort import Published
from forlob_testkit.wait import eventually

Publish = Callable[[Sequence[Published]], Awaitable[None]]


@pytest.fixture
def publish(infra: TestInfra, prefix: str) -> Publish:
    """Publish events to the events exchange (confirmed), in the order given."""

    async def run(events: Sequence[Published]) -> None:
        topology = Topology(prefix=prefix)
        connection = await aio_pika.connect(infra.broker_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await topology.declare_core(channel)
            exchange = await channel.get_exchange(topology.events_exchange)
            for start in range(0, len(events), 500):
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                p.body(),
                                message_id=str(p.event.id),
                                content_type=CONTENT_TYPE,
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            ),
                            routing_key=p.routing_key,
                        )
                        for p in events[start : start + 500]
                    )
                )

    return run


def shuffled_with_duplicates(events: Sequence[Published], seed: int = 11, duplicates: float = 0.05) -> list[Published]:
    """The events in a random order (so many arrive before their predecessors), some twice."""
    rnd = random.Random(seed)
    mixed = list(events) + rnd.sample(list(events), int(len(events) * duplicates))
    rnd.shuffle(mixed)
    return mixed


async def wait_for_inbox(engine: Any, expected: int, timeout: float = 120.0) -> None:
    async def done() -> int | None:
        async with engine.connect() as connection:
            n = (await connection.execute(sa.text("SELECT count(*) FROM inbox"))).scalar_one()
        return n if n >= expected else None

    await eventually(done, timeout=timeout, interval=0.2, what=f"{expected} events in the inbox")


@pytest.fixture
def mix() -> Callable[..., list[Published]]:
    return shuffled_with_duplicates


@pytest.fixture
def inbox_reaches() -> Callable[..., Awaitable[None]]:
    return wait_for_inbox

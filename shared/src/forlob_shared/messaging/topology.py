"""Exchanges, queues and the history stream, named with the environment's prefix.

- ``forlob.events``: the one topic exchange every service publishes to.
- ``<service>.<purpose>``: a quorum queue per consuming purpose, with a delivery limit and
  at-least-once dead-lettering (which needs ``overflow=reject-publish``) into
  ``forlob.dead-letter``, routed by the queue's name to ``<service>.<purpose>.dlq``.
- ``forlob.history``: a stream bound to every routing key; reporting replays it to rebuild.

Declaring is idempotent, so every process declares what it uses when it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel

EVENTS_EXCHANGE = "forlob.events"
DEAD_LETTER_EXCHANGE = "forlob.dead-letter"
HISTORY_STREAM = "forlob.history"


@dataclass(frozen=True)
class Topology:
    prefix: str = ""
    delivery_limit: int = 10
    history_max_bytes: int = 50 * 1024**3
    history_max_age: str = "3650D"

    @property
    def events_exchange(self) -> str:
        return self.prefix + EVENTS_EXCHANGE

    @property
    def dead_letter_exchange(self) -> str:
        return self.prefix + DEAD_LETTER_EXCHANGE

    @property
    def history_stream(self) -> str:
        return self.prefix + HISTORY_STREAM

    def queue(self, service: str, purpose: str) -> str:
        return f"{self.prefix}{service}.{purpose}"

    @staticmethod
    def dead_letter_queue(queue: str) -> str:
        return f"{queue}.dlq"

    def queue_arguments(self, queue: str) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": queue,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            "x-delivery-limit": self.delivery_limit,
        }

    async def declare_exchanges(self, channel: AbstractChannel) -> None:
        await channel.declare_exchange(self.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await channel.declare_exchange(self.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True)

    async def declare_history(self, channel: AbstractChannel) -> None:
        stream = await channel.declare_queue(
            self.history_stream,
            durable=True,
            arguments={
                "x-queue-type": "stream",
                "x-max-length-bytes": self.history_max_bytes,
                "x-max-age": self.history_max_age,
            },
        )
        await stream.bind(self.events_exchange, routing_key="#")

    async def declare_consumer_queue(self, channel: AbstractChannel, queue: str, routing_keys: Iterable[str]) -> None:
        dlq = await channel.declare_queue(
            self.dead_letter_queue(queue), durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dlq.bind(self.dead_letter_exchange, routing_key=queue)
        declared = await channel.declare_queue(queue, durable=True, arguments=self.queue_arguments(queue))
        for key in routing_keys:
            await declared.bind(self.events_exchange, routing_key=key)

    async def declare_core(self, channel: AbstractChannel) -> None:
        """What must exist before anything is published: the exchanges and the history stream."""
        await self.declare_exchanges(channel)
        await self.declare_history(channel)


async def declare(url: str, topology: Topology, queues: dict[str, Iterable[str]] | None = None) -> None:
    """Declare the core topology and the given consumer queues over a short-lived connection."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await topology.declare_core(channel)
        for queue, keys in (queues or {}).items():
            await topology.declare_consumer_queue(channel, queue, keys)

"""Exchanges, queues and the history stream, named with the environment's prefix.

- ``forlob.events``: the one topic exchange every service publishes to.
- ``<service>.<purpose>``: a quorum queue per consuming purpose, with a delivery limit and
  at-least-once dead-lettering (which needs ``overflow=reject-publish``) into
  ``forlob.dead-letter``, routed by the queue's name to ``<service>.<purpose>.dlq``.
- ``forlob.history``: a stream bound to every routing key; reporting replays it to rebuild.

Declaring is idempotent, so every process declares what it uses when it starts.

On a cluster, ``replicas`` is each quorum queue's and the stream's initial replica count
(``x-quorum-initial-group-size``, ``x-initial-cluster-size``; RabbitMQ's default without it is
every node). RabbitMQ refuses a declaration whose count differs from the existing queue's (406
PRECONDITION_FAILED, "inequivalent arg"), and the count is only where a queue starts: its members
change with ``rabbitmq-queues grow/shrink``. So a queue that exists with another count is kept as
it is (declared passively, with a warning), and a service moved onto a cluster still starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractQueue
from aio_pika.exceptions import ChannelPreconditionFailed

from forlob_shared.logging import get_logger
from forlob_shared.messaging.nodes import BrokerNodes

log = get_logger("forlob.topology")

# The arguments that only say where a queue starts; an existing queue keeps its own.
REPLICA_ARGUMENTS = ("x-quorum-initial-group-size", "x-initial-cluster-size")

EVENTS_EXCHANGE = "forlob.events"
DEAD_LETTER_EXCHANGE = "forlob.dead-letter"
HISTORY_STREAM = "forlob.history"


@dataclass(frozen=True)
class Topology:
    prefix: str = ""
    delivery_limit: int = 10
    history_max_bytes: int = 50 * 1024**3
    history_max_age: str = "3650D"
    replicas: int | None = None  # initial replicas of quorum queues and the stream; None: RabbitMQ's default

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
            **self._replicas("x-quorum-initial-group-size"),
        }

    def dead_letter_queue_arguments(self) -> dict[str, Any]:
        return {"x-queue-type": "quorum", **self._replicas("x-quorum-initial-group-size")}

    def history_arguments(self) -> dict[str, Any]:
        return {
            "x-queue-type": "stream",
            "x-max-length-bytes": self.history_max_bytes,
            "x-max-age": self.history_max_age,
            **self._replicas("x-initial-cluster-size"),
        }

    def _replicas(self, argument: str) -> dict[str, Any]:
        return {argument: self.replicas} if self.replicas is not None else {}

    async def declare_exchanges(self, channel: AbstractChannel) -> None:
        await channel.declare_exchange(self.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await channel.declare_exchange(self.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True)

    async def declare_history(self, channel: AbstractChannel) -> None:
        stream = await self._declare(channel, self.history_stream, self.history_arguments())
        await stream.bind(self.events_exchange, routing_key="#")

    async def declare_consumer_queue(self, channel: AbstractChannel, queue: str, routing_keys: Iterable[str]) -> None:
        dlq = await self._declare(channel, self.dead_letter_queue(queue), self.dead_letter_queue_arguments())
        await dlq.bind(self.dead_letter_exchange, routing_key=queue)
        declared = await self._declare(channel, queue, self.queue_arguments(queue))
        for key in routing_keys:
            await declared.bind(self.events_exchange, routing_key=key)

    async def _declare(self, channel: AbstractChannel, name: str, arguments: dict[str, Any]) -> AbstractQueue:
        """Declare a durable queue; one that exists with another replica count is kept as it is."""
        try:
            return await channel.declare_queue(name, durable=True, arguments=arguments)
        except ChannelPreconditionFailed as exc:
            # "inequivalent arg 'x-quorum-initial-group-size' for queue ...": only that is forgiven.
            if not any(f"'{argument}'" in str(exc) for argument in REPLICA_ARGUMENTS):
                raise
            # The refusal closed the channel: carry on, on the same channel object, reopened.
            await channel.reopen()
            log.warning("topology.replicas_kept", queue=name, declared=self.replicas, reason=str(exc)[:300])
            return await channel.declare_queue(name, passive=True)

    async def declare_core(self, channel: AbstractChannel) -> None:
        """What must exist before anything is published: the exchanges and the history stream."""
        await self.declare_exchanges(channel)
        await self.declare_history(channel)


async def declare(url: str | Sequence[str], topology: Topology, queues: dict[str, Iterable[str]] | None = None) -> None:
    """Declare the core topology and the given consumer queues over a short-lived connection
    (to the first node of ``url`` that answers, if it lists several)."""
    connection = await BrokerNodes.of(url).connect()
    async with connection:
        channel = await connection.channel()
        await topology.declare_core(channel)
        for queue, keys in (queues or {}).items():
            await topology.declare_consumer_queue(channel, queue, keys)

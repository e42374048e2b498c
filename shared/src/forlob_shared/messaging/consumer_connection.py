"""A service's consumers on one robust aio-pika connection: start, reconnect, stop gracefully.

The connection is robust (aio-pika restores its channels and consumers after the broker comes
back); the service's watchdog calls :meth:`ConsumerConnection.reconnect` for the cases where that
restore leaves a consumer deaf (see ``forlob_shared.watchdog.consumer_watchdog``). A service
without consumers keeps the connection too: its readiness reports whether the broker answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from forlob_shared.messaging.consumer import EventConsumer


class ConsumerConnection:
    def __init__(
        self,
        broker_url: str,
        consumers: Sequence[EventConsumer[Any]],
        *,
        name: str,
        graceful_timeout: float = 15.0,
    ) -> None:
        self.broker_url = broker_url
        self.consumers = list(consumers)
        self.name = name  # shown as the connection's name in RabbitMQ's management tools
        self.graceful_timeout = graceful_timeout
        self._connection: AbstractRobustConnection | None = None

    async def start(self) -> None:
        connection = await aio_pika.connect_robust(self.broker_url, client_properties={"connection_name": self.name})
        self._connection = connection
        try:
            for consumer in self.consumers:
                await consumer.start(connection)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop every consumer (each settles the batch in hand, up to the graceful timeout;
        faststream#1648 was the same concern), then close the connection: whatever is still
        unacknowledged goes back to its queue."""
        await asyncio.gather(*(consumer.stop(self.graceful_timeout) for consumer in self.consumers))
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def reconnect(self) -> None:
        await self.stop()
        await self.start()

    async def connected(self, timeout: float) -> bool:
        """Whether the connection is up, waiting up to ``timeout`` seconds for a reconnect."""
        connection = self._connection
        if connection is None:
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await connection.connected.wait()
        return connection.connected.is_set()

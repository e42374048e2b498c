"""A service's consumers on one robust aio-pika connection: start, reconnect, fail over, stop.

The connection is robust (aio-pika restores its channels and consumers after the broker comes
back); the service's watchdog calls :meth:`ConsumerConnection.reconnect` for the cases where that
restore leaves a consumer deaf (see ``forlob_shared.watchdog.consumer_watchdog``). A service
without consumers keeps the connection too: its readiness reports whether the broker answers.

On a cluster (several broker nodes, :class:`~forlob_shared.messaging.nodes.BrokerNodes`) a robust
connection would keep knocking at the node it lost, so losing it fails over at once: the
consumers settle what they hold and start again on the next node that answers (trying the nodes
in turn with a short back-off until one does). The queues are quorum queues replicated across
the cluster, so they are all reachable from any node.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from aio_pika.abc import AbstractConnection, AbstractRobustConnection

from forlob_shared.background import pause
from forlob_shared.logging import get_logger
from forlob_shared.messaging.consumer import EventConsumer
from forlob_shared.messaging.nodes import BrokerNodes
from forlob_shared.redaction import describe_error

log = get_logger("forlob.consumer")


class ConsumerConnection:
    def __init__(
        self,
        broker: str | Sequence[str] | BrokerNodes,
        consumers: Sequence[EventConsumer[Any]],
        *,
        name: str,
        graceful_timeout: float = 15.0,
        failover_backoff_max: float = 5.0,
    ) -> None:
        self.nodes = BrokerNodes.of(broker)
        self.consumers = list(consumers)
        self.name = name  # shown as the connection's name in RabbitMQ's management tools
        self.graceful_timeout = graceful_timeout
        self.failover_backoff_max = failover_backoff_max
        self._connection: AbstractRobustConnection | None = None
        self._changing = asyncio.Lock()  # start, stop, reconnect and fail-over one at a time
        self._failover: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()  # set by close(): no more fail-over

    @property
    def node(self) -> str:
        """The node the consumers are on (``host:port``)."""
        return self.nodes.where

    async def start(self) -> None:
        async with self._changing:
            await self._start()

    async def _start(self) -> None:
        connection = await self.nodes.connect_robust(client_properties={"connection_name": self.name})
        self._connection = connection
        if self.nodes.clustered:
            connection.close_callbacks.add(self._on_close)
        try:
            for consumer in self.consumers:
                await consumer.start(connection)
        except BaseException:
            await self._stop()
            raise

    async def stop(self) -> None:
        """Stop every consumer (each settles the batch in hand, up to the graceful timeout;
        faststream#1648 was the same concern), then close the connection: whatever is still
        unacknowledged goes back to its queue."""
        async with self._changing:
            await self._stop()

    async def _stop(self) -> None:
        await asyncio.gather(*(consumer.stop(self.graceful_timeout) for consumer in self.consumers))
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close_callbacks.discard(self._on_close)
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await connection.close()

    async def close(self) -> None:
        """Stop for good (the service is stopping): no fail-over after this."""
        self._closed.set()
        failover, self._failover = self._failover, None
        if failover is not None:
            failover.cancel()
            await asyncio.gather(failover, return_exceptions=True)
        await self.stop()

    async def reconnect(self) -> None:
        async with self._changing:
            await self._stop()
            await self._start()

    def _on_close(self, sender: AbstractConnection | None, exc: BaseException | None) -> None:
        """The connection to the node is gone (not closed by us: we remove this callback first)."""
        if sender is not self._connection or self._closed.is_set():
            return
        if self._failover is None or self._failover.done():
            log.warning("consumers.node_lost", node=self.node, error=describe_error(exc) if exc else None)
            self.nodes.lost()
            self._failover = asyncio.get_running_loop().create_task(self._fail_over(), name="consumer-failover")

    async def _fail_over(self) -> None:
        """Start the consumers again on the next node that answers; keep trying until one does."""
        attempt = 0
        while True:
            try:
                await self.reconnect()
            except Exception as exc:  # noqa: BLE001  (no node answers yet: back off and try again)
                attempt += 1
                delay = min(self.failover_backoff_max, 0.2 * 2**attempt)
                log.warning("consumers.failover_failed", error=describe_error(exc), retry_in=delay)
                if await pause(self._closed, delay):
                    return
                continue
            log.info("consumers.failed_over", node=self.node, attempts=attempt + 1)
            return

    async def connected(self, timeout: float) -> bool:
        """Whether the connection is up, waiting up to ``timeout`` seconds for a reconnect."""
        connection = self._connection
        if connection is None:
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await connection.connected.wait()
        return connection.connected.is_set()

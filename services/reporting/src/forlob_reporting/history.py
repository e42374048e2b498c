"""Read the event history (the RabbitMQ stream) from its first offset up to its tail.

The tail is found with a marker: a message only this read recognises, published straight into
the stream (through the default exchange, so no consumer queue sees it) before reading. The
stream keeps arrival order, so everything that was in the stream before the marker comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import uuid4

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from forlob_shared.messaging.nodes import BrokerNodes
from forlob_shared.messaging.topology import Topology

MARKER_HEADER = "x-forlob-history-marker"
OnBody = Callable[[bytes], Awaitable[None]]


@dataclass(frozen=True)
class HistoryReader:
    broker_url: str | Sequence[str]  # one URL, or every node's on a cluster
    topology: Topology
    prefetch: int = 2_000
    idle_timeout: float = 120.0  # no message for this long before the marker: give up, loudly

    async def replay(self, on_body: OnBody) -> int:
        """Hand every message body before the marker to ``on_body``, in stream order.

        Returns how many were read (markers of other reads are skipped, not counted).
        """
        connection = await BrokerNodes.of(self.broker_url).connect()
        async with connection:
            channel = await connection.channel()
            # A stream consumer needs a prefetch (credit) and manual acknowledgements.
            await channel.set_qos(prefetch_count=self.prefetch)
            await self.topology.declare_core(channel)
            token = uuid4().hex
            await channel.default_exchange.publish(
                aio_pika.Message(b"", headers={MARKER_HEADER: token}), routing_key=self.topology.history_stream
            )
            stream = await channel.get_queue(self.topology.history_stream, ensure=False)
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            read = 0
            unacked = 0
            last_seen = asyncio.get_running_loop().time()

            async def on_message(message: AbstractIncomingMessage) -> None:
                nonlocal read, unacked, last_seen
                if done.done():
                    return
                last_seen = asyncio.get_running_loop().time()
                marker = (message.headers or {}).get(MARKER_HEADER)
                if marker is None:
                    read += 1
                    try:
                        await on_body(message.body)
                    except Exception as exc:  # noqa: BLE001  (ends the read with the cause)
                        done.set_exception(exc)
                        return
                unacked += 1
                if marker == token:
                    done.set_result(None)
                if unacked >= self.prefetch // 2 or marker == token:
                    unacked = 0
                    with contextlib.suppress(Exception):
                        await message.ack(multiple=True)

            tag = await stream.consume(on_message, arguments={"x-stream-offset": "first"})
            try:
                while not done.done():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(done), timeout=1.0)
                    if not done.done() and asyncio.get_running_loop().time() - last_seen > self.idle_timeout:
                        raise TimeoutError(f"the history stream went quiet before its tail (read {read} messages)")
            finally:
                with contextlib.suppress(Exception):
                    await stream.cancel(tag)
            return read

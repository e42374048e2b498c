"""A consumer's lanes: deliveries of one partition one after another, of different partitions
side by side.

A delivery's lane is chosen by its CloudEvents ``partitionkey`` (the course: the outbox writes it
into the AMQP headers), or by its ``subject`` for a message written before the key existed. So a
course's start (published by referral) and its absences (published by attendance, each under its
own subject) keep their queue order through a consumer with several lanes. Deliveries must enter
in delivery order (:class:`~forlob_shared.messaging.delivery_order.DeliveryOrder`).

A lane takes what has gathered in it (up to ``batch_size``, never waiting for more) and hands it
to ``apply`` as one batch; under load that spreads a commit over dozens of deliveries, when idle a
batch is the one delivery that came.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aio_pika.abc import AbstractIncomingMessage

from forlob_shared.logging import get_logger

log = get_logger("forlob.consumer")

PARTITION_KEY_HEADER = "partitionkey"
# Put in a lane to end its worker once the batch in hand is settled.
_STOP = object()


def lane_key(headers: Mapping[str, Any] | None) -> str:
    """What keeps deliveries in order: the partition key, else (an older message) the subject."""
    headers = headers or {}
    return str(headers.get(PARTITION_KEY_HEADER) or headers.get("subject") or "")


def lane_of(key: str, lanes: int) -> int:
    return zlib.crc32(key.encode()) % lanes


class Lanes:
    """``count`` lanes, each a worker applying its deliveries in batches, in arrival order."""

    def __init__(
        self,
        name: str,
        count: int,
        batch_size: int,
        apply: Callable[[Sequence[AbstractIncomingMessage]], Awaitable[Any]],
        settled: Callable[[bool], Awaitable[None]],
        stopping: asyncio.Event,
    ) -> None:
        self._name = name
        self._count = max(1, count)
        self._batch_size = batch_size
        self._apply = apply
        self._settled = settled  # after each batch: flush acknowledgements (True: the lane is idle)
        self._stopping = stopping
        self._queues: list[asyncio.Queue[Any]] = []
        self._workers: set[asyncio.Task[None]] = set()

    def put(self, message: AbstractIncomingMessage) -> None:
        """Hand the message to its partition's lane; it is acknowledged there, after its commit."""
        if not self._queues:  # started on the first delivery, inside the running loop
            self._queues = [asyncio.Queue() for _ in range(self._count)]
            for queue in self._queues:
                task = asyncio.create_task(self._drain(queue), name=f"{self._name}-lane")
                self._workers.add(task)
                task.add_done_callback(self._workers.discard)
        self._queues[lane_of(lane_key(message.headers), self._count)].put_nowait(message)

    def waiting(self) -> int:
        """Deliveries in the lanes not yet taken into a batch."""
        return sum(queue.qsize() for queue in self._queues)

    async def stop(self, timeout: float) -> None:
        """Let each lane settle the batch in hand, for ``timeout`` seconds at most; what is left
        unacknowledged the broker redelivers (the inbox makes that harmless)."""
        queues, self._queues = self._queues, []
        for queue in queues:
            queue.put_nowait(_STOP)
        workers = set(self._workers)
        if workers:
            _, late = await asyncio.wait(workers, timeout=timeout)
            for task in late:
                task.cancel()

    async def _drain(self, queue: asyncio.Queue[Any]) -> None:
        stop = False
        while not stop and not self._stopping.is_set():
            first = await queue.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self._batch_size and not queue.empty():
                message = queue.get_nowait()
                if message is _STOP:
                    stop = True
                    break
                batch.append(message)
            try:
                await self._apply(batch)
            except Exception:  # keep the lane alive; the broker redelivers the messages
                log.exception("consumer.lane_failed")
            await self._settled(queue.empty())
        await self._settled(True)  # before the channel closes

"""Dead letters: list the dead-letter queues, show their messages with the reasons, redrive them
to the queue they came from (in order), or purge them.

A message arrives in ``<queue>.dlq`` either from our consumer (reason in ``x-forlob-reason`` and
``x-forlob-detail``) or from RabbitMQ itself when the delivery limit was reached (reason in
``x-death``). Redrive publishes each message straight back to its source queue through the
default exchange — not through ``forlob.events``, which would hand it to every consumer again —
and only then acknowledges it in the dead-letter queue, so a crash gives a duplicate (which the
inbox absorbs), never a loss.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from forlob_shared.logging import get_logger
from forlob_shared.ops.broker_admin import BrokerAdmin
from forlob_shared.progress import Progress

DLQ_SUFFIX = ".dlq"
_OUR_HEADERS = ("x-forlob-", "x-death", "x-first-death", "x-last-death", "x-delivery-count")

log = get_logger("forlob.dlq")


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    routing_key: str
    source_queue: str
    reason: str
    detail: str
    deliveries: int
    dead_lettered_at: str
    body_size: int
    headers: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    source_queue: str
    messages: int


async def list_dead_letter_queues(admin: BrokerAdmin, broker_url: str, prefix: str = "") -> list[DeadLetterQueue]:
    """Every ``*.dlq`` under ``prefix``. The admin API finds the names; the counts come from a
    passive declare, because the admin's figures lag by seconds for quorum queues."""
    names = sorted(
        q.name for q in await admin.list_queues() if q.name.endswith(DLQ_SUFFIX) and q.name.startswith(prefix)
    )
    found = []
    connection = await aio_pika.connect(broker_url)
    async with connection:
        for name in names:
            channel = await connection.channel()
            try:
                queue = await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelNotFoundEntity:
                continue  # deleted since it was listed
            found.append(
                DeadLetterQueue(name, name.removesuffix(DLQ_SUFFIX), int(queue.declaration_result.message_count or 0))
            )
            await channel.close()
    return found


def describe(message: AbstractIncomingMessage, dlq: str) -> DeadLetter:
    headers: dict[str, Any] = dict(message.headers or {})
    deaths = headers.get("x-death") or []
    # x-death lists the newest death first; the last entry is where the message first died.
    first_death: dict[str, Any] = dict(deaths[-1]) if isinstance(deaths, list) and deaths else {}
    reason = str(headers.get("x-forlob-reason") or first_death.get("reason") or "unknown")
    if reason == "delivery_limit":
        reason = "delivery-limit"  # RabbitMQ gave up after the queue's x-delivery-limit
    routing_keys = first_death.get("routing-keys") or []
    return DeadLetter(
        message_id=message.message_id,
        routing_key=str(headers.get("x-forlob-original-routing-key") or (routing_keys[0] if routing_keys else "")),
        source_queue=str(headers.get("x-forlob-queue") or first_death.get("queue") or dlq.removesuffix(DLQ_SUFFIX)),
        reason=reason,
        detail=str(headers.get("x-forlob-detail") or ""),
        deliveries=int(headers.get("x-forlob-deliveries") or first_death.get("count") or 0),
        dead_lettered_at=str(headers.get("x-forlob-dead-lettered-at") or first_death.get("time") or ""),
        body_size=len(message.body),
        headers=headers,
    )


MAX_SCAN = 100_000


@contextlib.asynccontextmanager
async def _taken(broker_url: str, dlq: str) -> AsyncIterator[tuple[AbstractChannel, list[AbstractIncomingMessage]]]:
    """Take every message in the queue, unacknowledged; what the caller does not acknowledge is
    put back, one by one and in order, when the block ends.

    A quorum queue without a delivery limit appends a returned message at its tail, so taking
    all and returning them in order leaves the queue as it was (closing the channel instead
    would return them in no promised order). Messages dead-lettered meanwhile end up first.
    """
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(dlq, passive=True)
        taken: list[AbstractIncomingMessage] = []
        while len(taken) < MAX_SCAN:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            taken.append(message)
        try:
            yield channel, taken
        finally:
            returned = [m for m in taken if not m.processed]
            for message in returned:
                await message.nack(requeue=True)
            if returned:
                await _until_back(queue, len(returned))


async def _until_back(queue: AbstractQueue, returned: int, timeout: float = 10.0) -> None:
    """Return once the queue counts the messages put back again: a quorum queue applies the
    returns asynchronously, and a `dlq show` or `redrive --limit` must not leave the next
    command (or operator) looking at a queue that seems to have lost them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        declared = await queue.declare()  # passive: the queue's current message count
        if (declared.message_count or 0) >= returned:
            return
        await asyncio.sleep(0.05)
    log.warning("dlq.returns_not_counted", queue=queue.name, returned=returned)


async def show(broker_url: str, dlq: str, limit: int = 20) -> list[DeadLetter]:
    async with _taken(broker_url, dlq) as (_, messages):
        return [describe(m, dlq) for m in messages[:limit]]


async def redrive(
    broker_url: str,
    dlq: str,
    limit: int | None = None,
    message_id: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Put dead letters back on their source queues, oldest first; returns how many (each one
    moved advances ``progress``, whose total is known once the queue's messages are taken)."""
    moved = 0
    async with _taken(broker_url, dlq) as (channel, messages):
        if progress is not None:
            progress.set_total(1 if message_id is not None else min(len(messages), limit or len(messages)))
        for message in messages:
            if message_id is not None and message.message_id != message_id:
                continue
            if limit is not None and moved >= limit:
                break
            letter = describe(message, dlq)
            headers = {k: v for k, v in letter.headers.items() if not k.startswith(_OUR_HEADERS)}
            headers["x-forlob-redriven"] = int(letter.headers.get("x-forlob-redriven") or 0) + 1
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    type=message.type,
                    app_id=message.app_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=letter.source_queue,
                mandatory=True,
            )
            await message.ack()
            moved += 1
            if progress is not None:
                progress.advance()
    return moved


async def purge(broker_url: str, dlq: str) -> int:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(dlq, passive=True)
        result = await queue.purge()
        return int(result.message_count or 0)

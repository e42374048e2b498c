"""Dead letters: a delivery that can never succeed is published to the dead-letter exchange with
its reason in ``x-forlob-*`` headers (confirmed) before the consumer acknowledges it."""

from __future__ import annotations

from datetime import UTC, datetime

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractIncomingMessage

from forlob_shared.messaging.failures import delivery_count

REASON_HEADER = "x-forlob-reason"
DETAIL_HEADER = "x-forlob-detail"


class DeadLetters:
    """One consumer's way to the dead-letter exchange (bound once its channel is open)."""

    def __init__(self, consumer: str, queue: str) -> None:
        self._consumer = consumer
        self._queue = queue
        self.exchange: AbstractExchange | None = None

    async def publish(self, message: AbstractIncomingMessage, reason: str, detail: str, routing_key: str) -> None:
        """Publish a copy of ``message`` with the reason; raises if the broker did not confirm it.

        Publishing before acknowledging means a crash in between gives a duplicate in the
        dead-letter queue, never a lost message.
        """
        headers = dict(message.headers or {})
        headers.update(
            {
                REASON_HEADER: reason,
                DETAIL_HEADER: detail[:2000],
                "x-forlob-consumer": self._consumer,
                "x-forlob-queue": self._queue,
                "x-forlob-original-routing-key": routing_key or message.routing_key or "",
                "x-forlob-original-exchange": message.exchange or "",
                "x-forlob-deliveries": delivery_count(message) + 1,
                "x-forlob-dead-lettered-at": datetime.now(UTC).isoformat(),
            }
        )
        letter = aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        if self.exchange is None:
            raise RuntimeError(f"{self._consumer} is not started: no channel for dead letters")
        await self.exchange.publish(letter, routing_key=self._queue, mandatory=True)

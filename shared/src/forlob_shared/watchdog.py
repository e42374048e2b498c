"""The consumer watchdog: every consumer of the service really receives messages, or the broker
connection is renewed (and if that fails, the service reports itself not live)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import aio_pika

from forlob_shared import metrics
from forlob_shared.background import pause
from forlob_shared.logging import get_logger
from forlob_shared.messaging.consumer import CANARY_HEADER, EventConsumer
from forlob_shared.messaging.consumer_connection import ConsumerConnection
from forlob_shared.messaging.nodes import BrokerNodes
from forlob_shared.messaging.topology import Topology
from forlob_shared.redaction import describe_error

log = get_logger("forlob.service")


async def consumer_watchdog(
    broker: str | Sequence[str] | BrokerNodes,
    consumers: Sequence[EventConsumer[Any]],
    consuming: ConsumerConnection,
    topology: Topology,
    stopping: asyncio.Event,
    report_health: Callable[[bool], None],
    interval: float = 10.0,
) -> None:
    """Make sure every consumer really receives messages; reconnect the broker if one does not.

    A robust connection reconnects but may not restore its consumers (aio-pika#231, #563;
    faststream#2758), and after a server-sent cancellation aio-pika 10 restores a consumer that
    the broker counts but that never hands a message to its callback (seen here with 10.2.1).
    So the watchdog checks each queue's consumer count and, while a consumer is idle, sends a
    canary straight into its queue; a missing consumer, or a canary not taken within three
    intervals, reconnects the broker (unacknowledged messages return to their queues). If that
    fails the service reports itself not live, so an orchestrator restarts it.
    """
    nodes = BrokerNodes.of(broker)  # its own: the watchdog may look through another node than the consumers
    connection: aio_pika.abc.AbstractConnection | None = None
    canaries: dict[str, tuple[str, float]] = {}
    while not await pause(stopping, interval):
        try:
            if connection is None or connection.is_closed:
                connection = await nodes.connect()
            channel = await connection.channel()
            try:
                reason = await _check_consumers(consumers, topology, channel, canaries, time.monotonic(), 3 * interval)
            finally:
                await channel.close()
        except Exception as exc:  # noqa: BLE001  (broker unreachable: the robust connection is on it)
            log.info("watchdog.check_failed", error=describe_error(exc))
            nodes.lost()
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
                connection = None
            continue
        if reason is None:
            report_health(True)
            continue
        log.warning("watchdog.reconnecting_broker", reason=reason)
        canaries.clear()
        try:
            await consuming.reconnect()
            report_health(True)
        except Exception as exc:  # noqa: BLE001
            report_health(False)
            log.error("watchdog.reconnect_failed", error=describe_error(exc))
    if connection is not None:
        with contextlib.suppress(Exception):
            await connection.close()


async def _check_consumers(
    consumers: Sequence[EventConsumer[Any]],
    topology: Topology,
    channel: aio_pika.abc.AbstractChannel,
    canaries: dict[str, tuple[str, float]],
    now: float,
    canary_timeout: float,
) -> str | None:
    """Why the broker connection needs renewing, or None if every consumer works.

    ``now`` and the consumers' ``last_activity`` are both ``time.monotonic()`` readings.
    """
    for consumer in consumers:
        queue = await channel.declare_queue(consumer.queue, passive=True)
        dlq_name = topology.dead_letter_queue(consumer.queue)
        dlq = await channel.declare_queue(dlq_name, passive=True)
        metrics.QUEUE_READY.labels(consumer.queue).set(queue.declaration_result.message_count or 0)
        metrics.QUEUE_CONSUMERS.labels(consumer.queue).set(queue.declaration_result.consumer_count or 0)
        metrics.DEAD_LETTER_DEPTH.labels(dlq_name).set(dlq.declaration_result.message_count or 0)
        if not queue.declaration_result.consumer_count:
            metrics.CONSUMERS_RESTORED.labels(consumer.queue).inc()
            return f"no consumer on {consumer.queue}"
        pending = canaries.get(consumer.queue)
        if pending is not None:
            token, sent_at = pending
            if consumer.canary_seen == token:
                del canaries[consumer.queue]
            elif consumer.in_flight == 0 and consumer.last_activity < sent_at and now - sent_at > canary_timeout:
                metrics.CONSUMERS_RESTORED.labels(consumer.queue).inc()
                return f"canary not consumed from {consumer.queue}"
            continue
        if consumer.in_flight == 0 and now - consumer.last_activity >= canary_timeout / 3:
            token = uuid.uuid4().hex
            await channel.default_exchange.publish(
                aio_pika.Message(b"", headers={CANARY_HEADER: token}), routing_key=consumer.queue
            )
            canaries[consumer.queue] = (token, now)
    return None

"""The test kit's injected fault ``LostAcknowledgements``: a consumer that requeues deliveries
after their commit, as if every acknowledgement were lost. The reliability suite uses it to deliver every
event several times; here it is checked on its own: each message comes back at most
``TEST_REDELIVERIES`` times, the inbox keeps the effect single, nothing is dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime

import aio_pika

from forlob_shared import metrics
from forlob_shared.events import encode
from forlob_shared.messaging.topology import Topology
from forlob_testkit.faults import TEST_REDELIVERIES, LostAcknowledgements
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    MessagingDb,
    distinct_effects,
    effect_count,
    queue_depth,
    referral_event,
    running_consumer,
)
from forlob_testkit.wait import eventually


def _consumed(outcome: str) -> float:
    return float(metrics.EVENTS_CONSUMED.labels("test.effects", "referral.received.v1", outcome)._value.get())


async def test_every_delivery_requeued_gives_one_effect_per_event(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    count = 20
    before = {o: _consumed(o) for o in ("duplicate", "requeued-by-test-switch")}
    lost = LostAcknowledgements(1.0)
    async with running_consumer(infra.broker_url, messaging_db, prefix, redelivery=lost) as running:
        connection = await aio_pika.connect(infra.broker_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
            for _ in range(count):
                event = referral_event()
                body = encode(event, source="forlob/test", sequence=1, time=datetime.now(UTC))
                await exchange.publish(aio_pika.Message(body, message_id=str(event.id)), "referral.received.v1")

        async def settled() -> bool:
            done = _consumed("duplicate") - before["duplicate"] >= count
            return done and await queue_depth(infra.broker_url, running.consumer.queue) == 0

        await eventually(settled, timeout=30, what="every event delivered three times")
        dead = await queue_depth(infra.broker_url, running.topology.dead_letter_queue(running.consumer.queue))
    # Share 1.0: the first delivery is processed and requeued, the second found in the inbox and
    # requeued, the third found in the inbox and acknowledged.
    assert _consumed("requeued-by-test-switch") - before["requeued-by-test-switch"] == count * TEST_REDELIVERIES
    assert _consumed("duplicate") - before["duplicate"] == count
    assert await effect_count(messaging_db) == await distinct_effects(messaging_db) == count
    assert dead == 0

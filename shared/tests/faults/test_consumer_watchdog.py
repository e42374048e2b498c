"""The watchdog recovers a consumer the broker cancelled.

When a queue is deleted and declared again, the broker cancels its consumer. aio-pika 10.2.1
then restores a consumer the broker counts (consumer_count 1) but whose callback never gets a
message: the message sits unacknowledged and nothing is processed (aio-pika#334 is the older
form of this). The watchdog's canary notices and reconnects the broker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aio_pika
import sqlalchemy as sa

from forlob_reporting.main import spec as reporting_spec
from forlob_shared import metrics
from forlob_shared.events import encode
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import referral_event
from forlob_testkit.wait import eventually


async def test_a_cancelled_consumer_is_reattached(infra: TestInfra, make_database: Any, run_service: Any) -> None:
    spec = reporting_spec()
    async with run_service(spec, await make_database(spec), watchdog_interval=0.2) as reporting:
        runtime = reporting.runtime
        queue_name = runtime.consumers[0].queue
        recoveries_before = metrics.CONSUMERS_RESTORED.labels(queue_name)._value.get()
        connection = await aio_pika.connect(infra.broker_url)
        async with connection:
            channel = await connection.channel()
            # An operator deletes the queue and declares it again: the broker cancels our consumer.
            await channel.queue_delete(queue_name)
            await runtime.topology.declare_consumer_queue(channel, queue_name, ["referral.received.v1"])

            async def consumers() -> bool:
                declared = await channel.declare_queue(queue_name, passive=True)
                return declared.declaration_result.consumer_count == 1

            await eventually(consumers, timeout=30, what="the watchdog to re-attach the consumer")
            event = referral_event()
            exchange = await channel.get_exchange(runtime.topology.events_exchange)
            body = encode(event, source="forlob/test", sequence=1, time=datetime.now(UTC))
            await exchange.publish(aio_pika.Message(body, message_id=str(event.id)), "referral.received.v1")

        async def consumed() -> bool:
            async with runtime.engine.connect() as db:
                return bool((await db.execute(sa.text("SELECT count(*) FROM referral_facts"))).scalar_one())

        await eventually(consumed, what="the event to be consumed by the re-attached consumer")
        assert (await reporting.client.get("/health/live")).status_code == 200
        assert metrics.CONSUMERS_RESTORED.labels(queue_name)._value.get() > recoveries_before

"""The dead-letter tools: a dead letter is listed with its reason and, once its cause is fixed,
redriven in order and processed once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import aio_pika
import pytest

from forlob_shared.events import Envelope, encode
from forlob_shared.messaging.topology import Topology
from forlob_shared.ops import deadletters
from forlob_shared.ops.broker_admin import RabbitmqctlAdmin, vhost_of
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    MessagingDb,
    RuleBroken,
    distinct_effects,
    effect_count,
    queue_depth,
    referral_event,
    running_consumer,
)
from forlob_testkit.wait import eventually


async def _publish(infra: TestInfra, prefix: str, count: int) -> list[str]:
    """``count`` events of one referral, sequences 1..count: their order is the one that matters."""
    ids = []
    referral_id = uuid4()
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        for sequence in range(1, count + 1):
            event = referral_event(referral_id)
            body = encode(event, source="forlob/test", sequence=sequence, time=datetime.now(UTC))
            await exchange.publish(aio_pika.Message(body, message_id=str(event.id)), "referral.received.v1")
            ids.append(str(event.id))
    return ids


async def test_dead_letters_are_listed_shown_redriven_in_order_and_processed_once(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    broken = True
    processed: list[str] = []

    def rule(envelope: Envelope[Any]) -> None:
        if broken:
            raise RuleBroken("programme RCA-UDV-13 is not in the catalogue yet")
        processed.append(str(envelope.id))

    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=rule) as running:
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        ids = await _publish(infra, prefix, 3)

        async def three() -> bool:
            return await queue_depth(infra.broker_url, dlq) == 3

        await eventually(three, what="three dead letters")

        if urlsplit(infra.broker_url).hostname in {"127.0.0.1", "localhost"}:
            listed = await deadletters.list_dead_letter_queues(
                RabbitmqctlAdmin(vhost_of(infra.broker_url)), infra.broker_url, prefix
            )
            assert [(q.name, q.messages) for q in listed] == [(dlq, 3)]

        letters = await deadletters.show(infra.broker_url, dlq, limit=10)
        assert [letter.message_id for letter in letters] == ids
        assert {letter.reason for letter in letters} == {"rule-violated:test-rule"}
        assert letters[0].detail == "programme RCA-UDV-13 is not in the catalogue yet"
        assert letters[0].routing_key == "referral.received.v1"
        assert letters[0].source_queue == running.consumer.queue
        assert await queue_depth(infra.broker_url, dlq) == 3  # showing takes nothing away

        broken = False  # the cause is fixed
        assert await deadletters.redrive(infra.broker_url, dlq) == 3

        async def all_processed() -> bool:
            return await distinct_effects(messaging_db) == 3

        await eventually(all_processed, what="the redriven events")
        assert processed == ids  # in their original order
        assert await queue_depth(infra.broker_url, dlq) == 0
        assert await effect_count(messaging_db) == 3  # each once


async def test_redrive_one_message_by_id_and_purge(infra: TestInfra, prefix: str, messaging_db: MessagingDb) -> None:
    def refuse(envelope: Envelope[Any]) -> None:
        raise RuleBroken("no")

    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=refuse) as running:
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        ids = await _publish(infra, prefix, 2)

        async def two() -> bool:
            return await queue_depth(infra.broker_url, dlq) == 2

        await eventually(two)
    # the consumer is gone: redrive only the second one, and it waits in the source queue
    assert await deadletters.redrive(infra.broker_url, dlq, message_id=ids[1]) == 1
    assert await queue_depth(infra.broker_url, running.consumer.queue) == 1
    assert [letter.message_id for letter in await deadletters.show(infra.broker_url, dlq)] == [ids[0]]
    assert await deadletters.purge(infra.broker_url, dlq) == 1
    assert await queue_depth(infra.broker_url, dlq) == 0


@pytest.mark.parametrize("limit", [1])
async def test_redrive_respects_the_limit(infra: TestInfra, prefix: str, messaging_db: MessagingDb, limit: int) -> None:
    def refuse(envelope: Envelope[Any]) -> None:
        raise RuleBroken("no")

    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=refuse) as running:
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        await _publish(infra, prefix, 3)

        async def three() -> bool:
            return await queue_depth(infra.broker_url, dlq) == 3

        await eventually(three)
    assert await deadletters.redrive(infra.broker_url, dlq, limit=limit) == limit
    assert await queue_depth(infra.broker_url, dlq) == 3 - limit

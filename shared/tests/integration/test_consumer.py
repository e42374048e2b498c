"""The idempotent inbox and the consumer's error handling against the real broker and database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aio_pika

from forlob_shared.events import Envelope, encode
from forlob_shared.messaging.consumer import REASON_HEADER
from forlob_shared.messaging.topology import Topology
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    MessagingDb,
    RuleBroken,
    distinct_effects,
    drain,
    effect_count,
    queue_depth,
    referral_event,
    running_consumer,
)
from forlob_testkit.wait import eventually


def _body(sequence: int = 1) -> tuple[bytes, str]:
    event = referral_event()
    return encode(event, source="forlob/test", sequence=sequence, time=datetime.now(UTC)), str(event.id)


async def _publish(
    broker_url: str, prefix: str, *bodies: tuple[bytes, str | None], routing_key: str = "referral.received.v1"
) -> None:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        for body, message_id in bodies:
            await exchange.publish(
                aio_pika.Message(body, message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=routing_key,
            )


async def test_a_redelivered_event_has_one_effect(infra: TestInfra, prefix: str, messaging_db: MessagingDb) -> None:
    body, event_id = _body()
    async with running_consumer(infra.broker_url, messaging_db, prefix) as running:
        await _publish(infra.broker_url, prefix, (body, event_id), (body, event_id), (body, event_id))
        await eventually(lambda: _queue_empty(infra.broker_url, running.consumer.queue), what="queue drained")
        marker, marker_id = _body()
        await _publish(infra.broker_url, prefix, (marker, marker_id))
        await eventually(lambda: _effects_at_least(messaging_db, 2))
    assert await effect_count(messaging_db) == 2  # the triple and the marker: one effect each
    assert await messaging_db.fetchval("SELECT count(*) FROM inbox WHERE event_id::text = $1", event_id) == 1


async def test_malformed_messages_are_dead_lettered_with_reason_and_do_not_block(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    good, good_id = _body()
    wrong_schema = json.loads(_body()[0])
    wrong_schema["data"]["participant_id"] = "not-a-uuid"
    unknown_type = json.loads(_body()[0])
    unknown_type["type"] = "dk.forlob.referral.teleported.v1"
    async with running_consumer(infra.broker_url, messaging_db, prefix) as running:
        await _publish(
            infra.broker_url,
            prefix,
            (b"{not json", "m-1"),
            (json.dumps(wrong_schema).encode(), "m-2"),
            (json.dumps(unknown_type).encode(), "m-3"),
            (b"x" * 200_000, "m-4"),
            (good, good_id),
        )
        await eventually(lambda: _effects_at_least(messaging_db, 1), what="the good event behind the bad ones")
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        await eventually(lambda: _depth_at_least(infra.broker_url, dlq, 4), what="four dead letters")
        letters = await drain(infra.broker_url, dlq)
    reasons = {m.message_id: (m.headers or {}) for m in letters}
    assert set(reasons) == {"m-1", "m-2", "m-3", "m-4"}
    assert all(h[REASON_HEADER] == "invalid-message" for h in reasons.values())
    assert "not JSON" in str(reasons["m-1"]["x-forlob-detail"])
    assert "participant_id" in str(reasons["m-2"]["x-forlob-detail"])
    assert "unknown event type" in str(reasons["m-3"]["x-forlob-detail"])
    assert reasons["m-2"]["x-forlob-original-routing-key"] == "referral.received.v1"
    assert reasons["m-2"]["x-forlob-queue"] == running.consumer.queue
    assert await effect_count(messaging_db) == 1


async def test_a_broken_rule_is_dead_lettered_at_once(infra: TestInfra, prefix: str, messaging_db: MessagingDb) -> None:
    def refuse(envelope: Envelope[Any]) -> None:
        raise RuleBroken("the programme is closed")

    body, event_id = _body()
    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=refuse) as running:
        await _publish(infra.broker_url, prefix, (body, event_id))
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        await eventually(lambda: _depth_at_least(infra.broker_url, dlq, 1))
        [letter] = await drain(infra.broker_url, dlq)
    headers = letter.headers or {}
    assert headers[REASON_HEADER] == "rule-violated:test-rule"
    assert headers["x-forlob-detail"] == "the programme is closed"
    assert headers["x-forlob-deliveries"] == 1  # no retries for a broken rule
    # the rolled-back effect and inbox row leave no trace, so a fixed redrive can still apply it
    assert await effect_count(messaging_db) == 0
    assert await messaging_db.fetchval("SELECT count(*) FROM inbox") == 0


async def test_a_failing_handler_is_retried_then_dead_lettered_with_the_error(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    attempts: list[int] = []

    def crash(envelope: Envelope[Any]) -> None:
        attempts.append(1)
        raise ZeroDivisionError("a bug in the handler")

    body, event_id = _body()
    async with running_consumer(
        infra.broker_url, messaging_db, prefix, behaviour=crash, delivery_limit=4, backoff_max=0.01
    ) as running:
        await _publish(infra.broker_url, prefix, (body, event_id))
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        await eventually(lambda: _depth_at_least(infra.broker_url, dlq, 1))
        [letter] = await drain(infra.broker_url, dlq)
    headers = letter.headers or {}
    assert headers[REASON_HEADER] == "handler-failed"
    assert "ZeroDivisionError: a bug in the handler" in str(headers["x-forlob-detail"])
    assert len(attempts) == 3  # dead-lettered by us one short of the broker's limit of 4
    assert await effect_count(messaging_db) == 0


async def _queue_empty(broker_url: str, queue: str) -> bool:
    return await queue_depth(broker_url, queue) == 0


async def _depth_at_least(broker_url: str, queue: str, n: int) -> bool:
    return await queue_depth(broker_url, queue) >= n


async def _effects_at_least(db: MessagingDb, n: int) -> bool:
    return await distinct_effects(db) >= n


async def test_each_aggregate_is_applied_in_order_while_aggregates_run_concurrently(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    applied: list[tuple[str, int]] = []
    referrals = [uuid4() for _ in range(5)]

    def record(envelope: Envelope[Any]) -> None:
        applied.append((envelope.subject, envelope.sequence))

    bodies = []
    for sequence in range(1, 41):
        for referral_id in referrals:
            event = referral_event(referral_id)
            bodies.append(
                (encode(event, source="forlob/test", sequence=sequence, time=datetime.now(UTC)), str(event.id))
            )
    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=record):
        await _publish(infra.broker_url, prefix, *bodies)
        await eventually(lambda: _effects_at_least(messaging_db, 200), what="200 effects")
    for referral_id in referrals:
        sequences = [n for subject, n in applied if subject == str(referral_id)]
        assert sequences == list(range(1, 41)), f"{referral_id} applied out of order"

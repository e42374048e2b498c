"""A lane's batch in one transaction, and what a batch does when one of its deliveries fails:
against the real database and broker, with the batch handed to the consumer directly so that its
make-up is known."""

from __future__ import annotations

from typing import Any

from forlob_shared.events import Envelope
from forlob_shared.messaging.consumer import REASON_HEADER
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    HandedDelivery,
    MessagingDb,
    RuleBroken,
    drain,
    queue_depth,
    referral_event,
    running_consumer,
)
from forlob_testkit.wait import eventually


def deliveries(n: int) -> list[HandedDelivery]:
    return [HandedDelivery.of(referral_event()) for _ in range(n)]


async def effects(db: MessagingDb) -> list[str]:
    ids = await db.fetchval("SELECT coalesce(array_agg(event_id::text ORDER BY event_id::text), '{}') FROM effects")
    return sorted(ids)


async def inbox_transactions(db: MessagingDb) -> int:
    return int(await db.fetchval("SELECT count(DISTINCT xmin::text) FROM inbox"))


async def test_a_batch_commits_once_and_a_repeated_event_in_it_has_one_effect(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    batch = deliveries(5)
    batch.insert(3, batch[1].again())  # the relay sent it twice
    async with running_consumer(infra.broker_url, messaging_db, prefix) as running:
        outcomes = await running.consumer.process_batch(batch)
    assert outcomes == ["processed", "processed", "processed", "duplicate", "processed", "processed"]
    assert all(d.settled == ["ack"] for d in batch)
    assert await effects(messaging_db) == sorted({d.event_id for d in batch})
    assert await inbox_transactions(messaging_db) == 1


async def test_a_broken_rule_in_a_batch_dead_letters_that_delivery_only(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    batch = deliveries(4)
    refused = batch[2].event_id

    def refuse(envelope: Envelope[Any]) -> None:
        if str(envelope.id) == refused:
            raise RuleBroken("the programme is closed")

    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=refuse) as running:
        outcomes = await running.consumer.process_batch(batch)
        dlq = running.topology.dead_letter_queue(running.consumer.queue)
        await eventually(lambda: _depth(infra.broker_url, dlq, 1), what="the refused delivery dead-lettered")
        [letter] = await drain(infra.broker_url, dlq)
    assert outcomes == ["processed", "processed", "dead-lettered", "processed"]
    assert letter.message_id == refused
    assert (letter.headers or {})[REASON_HEADER] == "rule-violated:test-rule"
    assert all(d.settled == ["ack"] for d in batch)  # the dead letter was published, then acknowledged
    assert await effects(messaging_db) == sorted(d.event_id for d in batch if d.event_id != refused)
    # nothing of the failed batch was kept; each delivery was then applied in its own transaction
    assert await inbox_transactions(messaging_db) == 3


async def test_a_bug_in_a_batch_requeues_that_delivery_and_applies_the_others(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    batch = deliveries(3)
    broken = batch[0].event_id

    def crash(envelope: Envelope[Any]) -> None:
        if str(envelope.id) == broken:
            raise ZeroDivisionError("a bug in the handler")

    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=crash, backoff_max=0.01) as running:
        outcomes = await running.consumer.process_batch(batch)
    assert outcomes == ["requeued", "processed", "processed"]
    assert batch[0].settled == ["nack"]  # back to the queue, to be retried up to the delivery limit
    assert [d.settled for d in batch[1:]] == [["ack"], ["ack"]]
    assert await effects(messaging_db) == sorted(d.event_id for d in batch[1:])


async def test_a_transient_failure_retries_the_whole_batch_in_one_transaction(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    batch = deliveries(4)
    failures = [ConnectionResetError("the database went away")]

    def flaky(envelope: Envelope[Any]) -> None:
        if str(envelope.id) == batch[3].event_id and failures:
            raise failures.pop()

    async with running_consumer(infra.broker_url, messaging_db, prefix, behaviour=flaky, backoff_max=0.01) as running:
        outcomes = await running.consumer.process_batch(batch)
    assert outcomes == ["processed"] * 4
    assert all(d.settled == ["ack"] for d in batch)
    assert await effects(messaging_db) == sorted(d.event_id for d in batch)
    assert await inbox_transactions(messaging_db) == 1  # the failed attempt left nothing behind


async def test_events_already_in_the_inbox_are_duplicates_in_a_batch(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    first = deliveries(2)
    async with running_consumer(infra.broker_url, messaging_db, prefix) as running:
        await running.consumer.process_batch(first)
        again = [d.again() for d in first]
        outcomes = await running.consumer.process_batch([*again, *deliveries(1)])
    assert outcomes == ["duplicate", "duplicate", "processed"]
    assert len(await effects(messaging_db)) == 3


async def _depth(broker_url: str, queue: str, n: int) -> bool:
    return await queue_depth(broker_url, queue) >= n

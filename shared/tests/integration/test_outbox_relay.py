"""The transactional outbox and its relay against the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import replace
from uuid import uuid4

import aio_pika
import pytest

from forlob_shared.events import decode
from forlob_shared.messaging.topology import Topology
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    Collector,
    MessagingDb,
    RunningRelay,
    referral_event,
    relay_config,
    running_relay,
)
from forlob_testkit.wait import eventually


async def _arrived(collector: Collector, count: int) -> bool:
    return len(collector.messages) >= count


async def test_committed_events_are_published_once_and_rolled_back_ones_never(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, collector: Collector
) -> None:
    committed, rolled_back, failed, marker = (referral_event() for _ in range(4))
    await messaging_db.emit(committed)
    async with messaging_db.uow() as uow:
        uow.emit(rolled_back)  # left without commit: the unit of work rolls back

    async def failing_use_case() -> None:
        async with messaging_db.uow() as uow:
            uow.emit(failed)
            await uow.session.flush()
            raise RuntimeError("the use case failed after emitting")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    await messaging_db.emit(marker)

    async with running_relay(relay_config(infra, messaging_db, prefix)):
        # Rows go out in position order, so once the marker is here nothing before it is missing.
        await eventually(lambda: _arrived(collector, 2), what="two events")
    assert collector.ids == [str(committed.id), str(marker.id)]
    assert await messaging_db.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_message_is_a_cloudevent_with_routing_headers(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, collector: Collector
) -> None:
    event = referral_event()
    await messaging_db.emit(event)
    async with running_relay(relay_config(infra, messaging_db, prefix)):
        await eventually(lambda: _arrived(collector, 1))
    message = collector.messages[0]
    assert message.routing_key == "referral.received.v1"
    assert message.content_type == "application/cloudevents+json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.message_id == str(event.id)
    assert message.headers["type"] == "dk.forlob.referral.received.v1"
    assert message.headers["subject"] == event.subject
    assert message.headers["referringorg"] == "jobcenter-aalborg"
    assert message.headers["providerorg"] == "rca-aalborg"
    envelope = decode(message.body)
    assert envelope.id == event.id
    assert envelope.sequence == 1
    assert envelope.source == "forlob/test"
    body = json.loads(message.body)
    assert body["specversion"] == "1.0"


async def test_sequences_are_gapless_per_aggregate_and_published_in_order(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, collector: Collector
) -> None:
    aggregates = [uuid4() for _ in range(5)]
    # A rolled-back transaction must not use up a sequence number.
    async with messaging_db.uow() as uow:
        uow.emit(referral_event(aggregates[0]))

    async def writer(i: int) -> None:
        await messaging_db.emit(referral_event(aggregates[i % 5]), referral_event(aggregates[(i + 1) % 5]))

    await asyncio.gather(*(writer(i) for i in range(40)))
    async with running_relay(relay_config(infra, messaging_db, prefix, batch_size=7)):
        await eventually(lambda: _arrived(collector, 80), what="80 events")
    seen: dict[str, list[int]] = defaultdict(list)
    for message in collector.messages:
        envelope = decode(message.body)
        seen[envelope.subject].append(envelope.sequence)
    assert sorted(seen) == sorted(str(a) for a in aggregates)
    for sequences in seen.values():
        assert sequences == list(range(1, len(sequences) + 1))  # gapless and in order
    assert sum(len(s) for s in seen.values()) == 80


async def test_relay_wakes_on_notify_without_waiting_for_the_poll(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, collector: Collector
) -> None:
    # A poll interval far beyond the wait below: only LISTEN/NOTIFY can deliver in time.
    async with running_relay(relay_config(infra, messaging_db, prefix, poll_interval=300)) as relay:
        await eventually(lambda: _is_set(relay.active))
        await asyncio.sleep(0)  # let the relay reach its wait
        await messaging_db.emit(referral_event())
        await eventually(lambda: _arrived(collector, 1), timeout=10, what="a NOTIFY-woken publish")


async def _is_set(event: asyncio.Event) -> bool:
    return event.is_set()


async def _published(relay: RunningRelay, count: int) -> bool:
    return relay.published == count


async def test_one_relay_is_active_and_a_standby_takes_over(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, collector: Collector
) -> None:
    config = relay_config(infra, messaging_db, prefix)
    async with running_relay(config) as first:
        await eventually(lambda: _is_set(first.active))
        async with running_relay(config) as second:
            await messaging_db.emit(referral_event())
            await eventually(lambda: _arrived(collector, 1))
            # counted after the confirm and the update, which may come just after the delivery
            await eventually(lambda: _published(first, 1))
            assert not second.active.is_set()
            # the first stops (its connection, and so its lock, goes): the standby takes over
            await first.stop()
            await eventually(lambda: _is_set(second.active), what="standby to take over")
            await messaging_db.emit(referral_event())
            await eventually(lambda: _arrived(collector, 2))
            await eventually(lambda: _published(second, 1))


class _NoHistory(Topology):
    """A topology without the history stream, so that nothing is bound to the exchange."""

    async def declare_history(self, channel: aio_pika.abc.AbstractChannel) -> None:
        return None


async def test_unroutable_event_is_retried_then_archived_never_marked_sent(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    lost = referral_event()
    await messaging_db.emit(lost)
    config = relay_config(infra, messaging_db, prefix, max_attempts=3, backoff_max=0.05)
    config = replace(config, topology=_NoHistory(prefix=prefix))

    async def archived() -> bool:
        return bool(await messaging_db.fetchval("SELECT count(*) FROM outbox_archive WHERE event_id = $1", lost.id))

    async with running_relay(config) as relay:
        await eventually(archived, what="the unroutable row to be archived")
        assert relay.published == 0
    assert await messaging_db.fetchval("SELECT count(*) FROM outbox WHERE event_id = $1", lost.id) == 0
    error = await messaging_db.fetchval("SELECT last_error FROM outbox_archive WHERE event_id = $1", lost.id)
    assert error.startswith("unroutable")
    assert await messaging_db.fetchval("SELECT attempts FROM outbox_archive WHERE event_id = $1", lost.id) == 3

"""A breaking change to an event type against the real servers: one producer publishes each fact
as v1 and v2; a consumer that knows only v1 (the old release) and one that reads both (the new)
are both served, each applying each fact exactly once. Switching the producer to v2 only leaves
the new consumer served and no new message in the old one's queue: the moment to stop v1, once
every consumer has moved (docs/operations.md, "A breaking change to an event type")."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import text

from forlob_shared.db import UnitOfWork
from forlob_shared.events import Envelope
from forlob_shared.messaging.consumer import ConsumerConfig, EventConsumer, Subscription
from forlob_shared.messaging.subscription import both_majors
from forlob_shared.messaging.topology import Topology
from forlob_testkit.event_majors import FAMILY, FactNotedV1, FactNotedV2, fact_noted
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import MessagingDb, consuming, queue_depth, relay_config, running_relay
from forlob_testkit.wait import eventually

BOTH = 20
V2_ONLY = 10


def _record(consumer: str) -> Any:
    async def record(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        minutes = envelope.data.minutes
        await uow.session.execute(
            text("INSERT INTO fact_effects (consumer, fact_id, routing_key, minutes) VALUES (:c, :f, :k, :m)"),
            {"c": consumer, "f": envelope.fact_id, "k": envelope.routing_key, "m": int(minutes)},
        )

    return record


async def test_a_v1_consumer_and_a_v2_consumer_are_both_served_during_a_change(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    async with messaging_db.engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE fact_effects (consumer text, fact_id uuid, routing_key text, minutes int)")
        )
    topology = Topology(prefix=prefix)
    old = EventConsumer(
        ConsumerConfig(service="old", topology=topology),
        Subscription("facts", {FactNotedV1: _record("old")}),
        messaging_db.uow,
    )
    new = EventConsumer(
        ConsumerConfig(service="new", topology=topology),
        Subscription("facts", both_majors(FactNotedV2, _record("new"))),
        messaging_db.uow,
    )

    async def effects(consumer: str) -> list[tuple[Any, ...]]:
        async with messaging_db.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT fact_id, minutes FROM fact_effects WHERE consumer = :c"), {"c": consumer}
            )
            return [tuple(r) for r in rows]

    async def has(consumer: str, count: int) -> bool:
        return len(await effects(consumer)) >= count

    during = [fact_noted(minutes=n) for n in range(BOTH)]
    after = [fact_noted(minutes=100 + n) for n in range(V2_ONLY)]
    async with (
        consuming(infra.broker_url, old),
        consuming(infra.broker_url, new),
        running_relay(relay_config(infra, messaging_db, prefix)) as relay,
    ):
        await messaging_db.emit(*during)  # the producer emits both majors (its default)
        await eventually(lambda: has("old", BOTH), timeout=30, what="the v1 consumer served")
        await eventually(lambda: has("new", BOTH), timeout=30, what="the v1+v2 consumer served")
        await eventually(lambda: _at_least(relay.published, 2 * BOTH), timeout=30, what="both majors published")

        # Every consumer has moved: the producer emits v2 only.
        v2_only = replace(messaging_db, writer=replace(messaging_db.writer, emits={FAMILY: [2]}))
        await v2_only.emit(*after)
        await eventually(lambda: has("new", BOTH + V2_ONLY), timeout=30, what="the v2 consumer served after")
        await eventually(lambda: _at_least(relay.published, 2 * BOTH + V2_ONLY), timeout=30, what="v2 published")
        # No v2 message reached the v1 queue: it would wait there, or be dead-lettered as a type
        # the old release has no handler for.
        assert await queue_depth(infra.broker_url, old.queue) == 0
        assert await queue_depth(infra.broker_url, topology.dead_letter_queue(old.queue)) == 0
    # Two rows per fact while both majors were emitted, one after.
    assert await messaging_db.fetchval("SELECT count(*) FROM outbox") == 2 * BOTH + V2_ONLY

    expected_during = {(e.id, e.data.minutes) for e in during}  # type: ignore[attr-defined]
    expected_after = {(e.id, e.data.minutes) for e in after}  # type: ignore[attr-defined]
    old_effects, new_effects = await effects("old"), await effects("new")
    # Exactly once each: as many effects as facts, no fact twice.
    assert sorted(old_effects) == sorted(expected_during)
    assert sorted(new_effects) == sorted(expected_during | expected_after)
    assert len(new_effects) == BOTH + V2_ONLY
    # The old consumer's inbox keys on the event ids it always saw (v1's id is the fact's).
    inbox = await messaging_db.fetchval("SELECT count(*) FROM inbox WHERE consumer = 'old.facts'")
    assert inbox == BOTH


async def _at_least(value: int, floor: int) -> bool:
    return value >= floor

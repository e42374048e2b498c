"""A database outage under a stream of events ends with nothing lost and nothing dead-lettered.

The consumer's and the relay's connections go through a FaultProxy in front of PostgreSQL; the
proxy cuts every connection and refuses new ones for the outage (30 s by default, set
FORLOB_TEST_OUTAGE_SECONDS to change it), while events keep arriving.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import pytest

from forlob_shared import metrics
from forlob_shared.events import encode
from forlob_shared.messaging.topology import Topology
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    MessagingDb,
    distinct_effects,
    effect_count,
    queue_depth,
    referral_event,
    relay_config,
    running_consumer,
    running_relay,
)
from forlob_testkit.servers import FaultProxy
from forlob_testkit.wait import eventually

OUTAGE = float(os.environ.get("FORLOB_TEST_OUTAGE_SECONDS", "30"))
RATE = 10  # events per second arriving on the broker during the outage


def _through(proxy: FaultProxy, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))


@pytest.mark.slow
async def test_database_outage_loses_nothing_and_dead_letters_nothing(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb
) -> None:
    target = urlsplit(messaging_db.url)
    proxy = FaultProxy(target_port=target.port or 5432, target_host=target.hostname or "127.0.0.1")
    await proxy.start()
    proxied = MessagingDb(
        url=_through(proxy, messaging_db.url),
        writer=messaging_db.writer,
        session_factory=None,
        engine=None,
    )
    from sqlalchemy.ext.asyncio import create_async_engine

    from forlob_shared.db import create_session_factory

    engine = create_async_engine(
        "postgresql+asyncpg://" + proxied.url.split("://", 1)[1], pool_pre_ping=True, pool_size=4
    )
    proxied.engine, proxied.session_factory = engine, create_session_factory(engine)
    retries_before = metrics.TRANSIENT_RETRIES.labels("test.effects")._value.get()
    published: list[str] = []
    try:
        # Written to the outbox before the outage; the relay (through the proxy) has to get them out.
        from_outbox = [referral_event() for _ in range(50)]
        async with (
            running_consumer(infra.broker_url, proxied, prefix) as running,
            running_relay(relay_config(infra, proxied, prefix)) as relay,
        ):
            await proxy.cut()
            await messaging_db.emit(*from_outbox)  # direct: the writer is not the one cut off
            connection = await aio_pika.connect(infra.broker_url)
            async with connection:
                channel = await connection.channel()
                exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
                started = time.monotonic()
                while time.monotonic() - started < OUTAGE:
                    event = referral_event()
                    body = encode(event, source="forlob/test", sequence=1, time=datetime.now(UTC))
                    await exchange.publish(aio_pika.Message(body, message_id=str(event.id)), "referral.received.v1")
                    published.append(str(event.id))
                    await asyncio.sleep(1 / RATE)  # the pace of the arriving stream, not a wait for a result
            assert relay.published == 0, "the relay could not have published with its database cut off"
            await proxy.restore()
            expected = len(published) + len(from_outbox)
            await eventually(lambda: _effects(proxied, expected), timeout=120, what=f"{expected} effects")
            dlq = running.topology.dead_letter_queue(running.consumer.queue)
            dead = await queue_depth(infra.broker_url, dlq)
    finally:
        await engine.dispose()
        await proxy.stop()

    ids = Counter(str(r) for r in await _effect_ids(messaging_db))
    wanted = set(published) | {str(e.id) for e in from_outbox}
    lost = wanted - set(ids)
    duplicated = sum(n - 1 for n in ids.values())
    retries = metrics.TRANSIENT_RETRIES.labels("test.effects")._value.get() - retries_before
    print(
        f"\ndatabase outage {OUTAGE:.0f} s: {len(wanted)} events; lost={len(lost)} duplicated effects={duplicated} "
        f"unexpected={len(set(ids) - wanted)} dead-lettered={dead} transient retries={retries:.0f}"
    )
    assert not lost
    assert duplicated == 0
    assert dead == 0
    assert retries > 0, "the consumer never met the outage: the test did not test anything"
    assert await effect_count(messaging_db) == len(wanted)


async def _effects(db: MessagingDb, n: int) -> bool:
    return await distinct_effects(db) >= n


async def _effect_ids(db: MessagingDb) -> list[object]:
    import asyncpg

    from forlob_shared.settings import plain_postgres_url

    conn = await asyncpg.connect(plain_postgres_url(db.url))
    try:
        return [r["event_id"] for r in await conn.fetch("SELECT event_id FROM effects")]
    finally:
        await conn.close()

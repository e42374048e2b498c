"""A relay killed with SIGKILL mid-batch loses nothing, and the duplicates it leaves have no
second effect once they pass through a consumer's inbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter

import pytest

from forlob_shared.settings import plain_postgres_url
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import (
    Collector,
    MessagingDb,
    distinct_effects,
    effect_count,
    referral_event,
    running_consumer,
)
from forlob_testkit.wait import eventually

RELAY_SCRIPT = """
import asyncio, sys
from forlob_shared.messaging.relay import OutboxRelay, RelayConfig
from forlob_shared.messaging.topology import Topology
dsn, broker, prefix = sys.argv[1:4]
config = RelayConfig(dsn=dsn, broker_url=broker, topology=Topology(prefix=prefix), batch_size=50, poll_interval=0.2)
asyncio.run(OutboxRelay(config).run(asyncio.Event()))
"""

EVENTS = 3000


async def _start_relay(infra: TestInfra, db: MessagingDb, prefix: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RELAY_SCRIPT,
        plain_postgres_url(db.url),
        infra.broker_url,
        prefix,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.slow
async def test_relay_killed_mid_batch_loses_nothing_and_duplicates_have_no_effect(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, collector: Collector
) -> None:
    for start in range(0, EVENTS, 500):
        await messaging_db.emit(*(referral_event() for _ in range(start, start + 500)))
    expected = await _all_event_ids(messaging_db)

    async with running_consumer(infra.broker_url, messaging_db, prefix):
        first = await _start_relay(infra, messaging_db, prefix)
        try:
            await eventually(lambda: _collected(collector, 300), timeout=60, what="the relay to be mid-way")
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        killed_at = len(collector.messages)
        assert killed_at < EVENTS, "the relay finished before it could be killed; raise EVENTS"

        second = await _start_relay(infra, messaging_db, prefix)
        try:
            await eventually(lambda: _all_seen(collector, expected), timeout=120, what="every event published")
            await eventually(lambda: _effects(messaging_db, EVENTS), timeout=120, what="every effect")
        finally:
            second.terminate()
            await second.wait()

    published = Counter(collector.ids)
    lost = expected - set(published)
    duplicated = sum(n - 1 for n in published.values())
    unexpected = set(published) - expected
    print(
        f"\nrelay SIGKILL: killed after {killed_at} messages; lost={len(lost)} duplicated={duplicated} "
        f"unexpected={len(unexpected)} duplicate effects={await effect_count(messaging_db) - EVENTS}"
    )
    assert not lost
    assert not unexpected
    assert await effect_count(messaging_db) == EVENTS  # duplicates published, none applied twice
    assert await distinct_effects(messaging_db) == EVENTS
    assert await messaging_db.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def _all_event_ids(db: MessagingDb) -> set[str]:
    import asyncpg

    conn = await asyncpg.connect(plain_postgres_url(db.url))
    try:
        return {str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM outbox")}
    finally:
        await conn.close()


async def _collected(collector: Collector, n: int) -> bool:
    return len(collector.messages) >= n


async def _all_seen(collector: Collector, expected: set[str]) -> bool:
    return expected <= set(collector.ids)


async def _effects(db: MessagingDb, n: int) -> bool:
    return await distinct_effects(db) >= n

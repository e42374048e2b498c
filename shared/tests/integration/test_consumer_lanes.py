"""A subscription handles each subject's events in the order they were published, through the
inbox, against the real servers: with one lane and with several (different subjects side by
side), applying what has gathered in a lane in one transaction or, with a batch size of 1, one
transaction per delivery."""

from __future__ import annotations

import asyncio
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import text

from forlob_shared.db import UnitOfWork
from forlob_shared.events import Envelope, PendingEvent, ReferralReceived
from forlob_shared.messaging.consumer import ConsumerConfig, EventConsumer, Subscription
from forlob_shared.messaging.topology import Topology
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import MessagingDb, consuming, queue_depth, relay_config, running_relay
from forlob_testkit.wait import eventually

SUBJECTS = 6
PER_SUBJECT = 40


def _event(referral_id: Any, n: int) -> PendingEvent:
    return PendingEvent(
        data=ReferralReceived(
            referral_id=referral_id,
            participant_id=uuid4(),
            programme_code=f"P{n}",
            referring_org="jc",
            provider_org="rca",
            received_at=datetime(2026, 11, 23, tzinfo=UTC) + timedelta(minutes=n),
        ),
        subject=str(referral_id),
    )


@pytest.mark.parametrize(("lanes", "batch_size"), [(1, 64), (4, 64), (4, 1)])
async def test_each_subject_in_order_lanes_side_by_side_batches_in_one_transaction(
    infra: TestInfra, prefix: str, messaging_db: MessagingDb, lanes: int, batch_size: int
) -> None:
    async with messaging_db.engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE TABLE lane_effects (position serial, subject text NOT NULL, n int NOT NULL,"
                " tx bigint NOT NULL DEFAULT txid_current())"
            )
        )
    active = peak = 0
    gate = asyncio.Lock()

    def waiting() -> int:
        return consumer.lanes.waiting()

    async def handle(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        try:
            if not gate.locked():
                # The first delivery is held until more are waiting in the lanes: other lanes run
                # beside it meanwhile, and the next batches find deliveries to gather.
                await gate.acquire()
                await eventually(lambda: _at_least(waiting(), 16), timeout=10, what="deliveries waiting")
            await uow.session.execute(
                text("INSERT INTO lane_effects (subject, n) VALUES (:s, :n)"),
                {"s": envelope.subject, "n": int(envelope.data.programme_code[1:])},
            )
        finally:
            active -= 1

    topology = Topology(prefix=prefix)
    config = ConsumerConfig(service="test", topology=topology, prefetch=64, batch_size=batch_size)
    consumer = EventConsumer(config, Subscription("lanes", {ReferralReceived: handle}, lanes=lanes), messaging_db.uow)

    subjects = [uuid4() for _ in range(SUBJECTS)]
    while len({zlib.crc32(str(s).encode()) % lanes for s in subjects}) < min(lanes, 2):
        subjects = [uuid4() for _ in range(SUBJECTS)]  # subjects in two lanes at least, when there are two
    # Interleaved, as events of several aggregates arrive; the relay sets the subject header.
    await messaging_db.emit(*(_event(s, n) for n in range(PER_SUBJECT) for s in subjects))
    async with consuming(infra.broker_url, consumer), running_relay(relay_config(infra, messaging_db, prefix)):
        total = SUBJECTS * PER_SUBJECT

        async def handled() -> bool:
            return int(await messaging_db.fetchval("SELECT count(*) FROM lane_effects")) == total

        await eventually(handled, timeout=30, what="every event handled")
    # The consumer's connection is closed: a delivery left unacknowledged (say, above a gap that
    # never closed) would be back in the queue now.
    assert await queue_depth(infra.broker_url, consumer.queue) == 0

    async with messaging_db.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT subject, n, tx FROM lane_effects ORDER BY position"))).all()
    for subject in subjects:
        assert [n for s, n, _ in rows if s == str(subject)] == list(range(PER_SUBJECT))
    transactions = len({tx for _, _, tx in rows})
    if lanes > 1:
        assert peak > 1  # subjects ran side by side
    if batch_size == 1:
        assert transactions == len(rows)
    else:
        # Deliveries gathered in the lanes while the first was held: lanes take them several at a
        # time (the exact make-up of batches is tested in test_consumer_batches.py).
        assert transactions < len(rows), f"{transactions} transactions for {len(rows)} deliveries"


async def _at_least(value: int, floor: int) -> bool:
    return value >= floor

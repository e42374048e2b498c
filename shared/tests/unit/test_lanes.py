"""Lanes keyed by the partition key: one course's deliveries, whatever their subjects and
publishers, one after another in arrival order; other courses side by side; an older message
without the key goes by its subject."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from forlob_shared.messaging.lanes import Lanes, lane_key, lane_of
from forlob_testkit.wait import eventually


@dataclass
class Delivery:
    headers: dict[str, Any]
    n: int


def test_the_partition_key_keys_the_lane_and_the_subject_stands_in_without_it() -> None:
    assert lane_key({"subject": "absence-1", "partitionkey": "course-1"}) == "course-1"
    assert lane_key({"subject": "course-1"}) == "course-1"  # written before the key existed
    assert lane_key(None) == ""


async def test_one_partitions_deliveries_keep_their_order_across_subjects_while_lanes_run_side_by_side() -> None:
    courses = [f"course-{i}" for i in range(12)]
    assert len({lane_of(c, 4) for c in courses}) > 1
    applied: list[Delivery] = []
    running, peak = 0, 0

    async def apply(batch: Sequence[Any]) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)  # let other lanes in
        applied.extend(batch)
        running -= 1

    async def settled(idle: bool) -> None:
        return None

    lanes = Lanes("test", 4, batch_size=3, apply=apply, settled=settled, stopping=asyncio.Event())
    rng = random.Random(3)
    sent: list[Delivery] = []
    for n in range(240):
        course = rng.choice(courses)
        # A course's start under the course's subject, its absences each under its own subject.
        subject = course if n % 3 == 0 else f"absence-{n}"
        sent.append(Delivery({"subject": subject, "partitionkey": course}, n))
    for delivery in sent:
        lanes.put(delivery)  # type: ignore[arg-type]  # only the headers are read
    await eventually(lambda: _done(applied, sent), timeout=5, what="every delivery applied")
    await lanes.stop(timeout=5)
    for course in courses:
        mine = [d.n for d in sent if d.headers["partitionkey"] == course]
        assert [d.n for d in applied if d.headers["partitionkey"] == course] == mine
    assert peak > 1


async def _done(applied: list[Delivery], sent: list[Delivery]) -> bool:
    return len(applied) == len(sent)

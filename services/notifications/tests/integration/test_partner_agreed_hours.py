"""The agreed hours last told to a referring organisation, kept for a consumer's batch of starts
in one statement: the same rule as one by one (the newest agreement wins, a late older one
changes nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from uuid import uuid4

from forlob_notifications.partners import agreed_hours
from forlob_shared.events.common import TimeWindow

MORNINGS = [TimeWindow(weekday=d, start=time(8), end=time(12)) for d in range(5)]
AFTERNOONS = [TimeWindow(weekday=d, start=time(12), end=time(16)) for d in range(5)]
MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 9, tzinfo=UTC)


async def test_a_batch_keeps_each_courses_newest_agreement(world: Any) -> None:
    first, second, third = uuid4(), uuid4(), uuid4()
    async with world.uow() as uow:
        await agreed_hours.record(uow.session, third, AFTERNOONS, TUESDAY)
        await uow.commit()
    async with world.uow() as uow:
        await agreed_hours.record_many(
            uow.session,
            [
                (first, MORNINGS, MONDAY),
                (second, AFTERNOONS, TUESDAY),
                (second, MORNINGS, MONDAY),  # named twice in one batch, the older last: kept out
                (third, MORNINGS, MONDAY),  # older than what was told already: changes nothing
            ],
        )
        await agreed_hours.record_many(uow.session, [])  # nothing to keep: no statement
        await uow.commit()
    async with world.uow() as uow:
        assert await agreed_hours.told(uow.session, first) == MORNINGS
        assert await agreed_hours.told(uow.session, second) == AFTERNOONS
        assert await agreed_hours.told(uow.session, third) == AFTERNOONS
        assert await agreed_hours.told(uow.session, uuid4()) is None

"""The live consumer applies a batch of events through one pass of the store: the read model it
builds is the one that applying them one at a time builds, row for row."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from forlob_reporting.application.events import record_event, record_events
from forlob_reporting.db.models import TABLES
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.main import spec as reporting_spec
from forlob_shared.clock import SystemClock
from forlob_shared.db import create_session_factory
from forlob_shared.events import decode
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_testkit.reporting.cohort import build_cohort

from .conftest import shuffled_with_duplicates


def _engine(url: str) -> AsyncEngine:
    return create_async_engine("postgresql+asyncpg://" + url.split("://", 1)[1], pool_size=2)


async def _tables(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as connection:
        return {
            name: sorted((await connection.execute(sa.select(table))).all(), key=repr)
            for name, table in sorted(TABLES.items())
        }


async def test_a_batch_builds_the_rows_one_at_a_time_would(make_database: Any) -> None:
    envelopes = [decode(p.body()) for p in shuffled_with_duplicates(build_cohort(60, seed=5).events)]
    one, batched = _engine(await make_database(reporting_spec())), _engine(await make_database(reporting_spec()))
    writer = OutboxWriter("forlob/test", SystemClock())
    try:
        for envelope in envelopes:
            async with ReportingUnitOfWork(create_session_factory(one), writer) as uow:
                await record_event(uow, envelope)
                await uow.commit()
        for start in range(0, len(envelopes), 64):
            async with ReportingUnitOfWork(create_session_factory(batched), writer) as uow:
                await record_events(uow, envelopes[start : start + 64])
                await uow.commit()
        expected = await _tables(one)
        assert sum(len(rows) for rows in expected.values()) > 100  # the cohort touched every table
        assert await _tables(batched) == expected
    finally:
        await one.dispose()
        await batched.dispose()

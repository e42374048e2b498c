"""Pooled connections are pinged at checkout only after being idle: against the real database, with
the server ending the pooled connection's session (as a restart or a failover does)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from forlob_shared.db import create_engine
from forlob_shared.messaging.consumer import is_transient
from forlob_shared.settings import ServiceSettings, plain_postgres_url


@pytest.fixture
async def url(make_database: Any) -> str:
    return str(await make_database(None))


@pytest.fixture
async def engine_for(url: str) -> AsyncIterator[Any]:
    engines: list[AsyncEngine] = []

    def make(ping_after_idle: float) -> AsyncEngine:
        engines.append(create_engine(ServiceSettings(database_url=url), ping_after_idle=ping_after_idle))
        return engines[-1]

    yield make
    for engine in engines:
        await engine.dispose()


async def _backend(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(url: str, pid: int) -> None:
    admin = await asyncpg.connect(plain_postgres_url(url))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_an_idle_connection_the_server_ended_is_replaced_at_checkout(url: str, engine_for: Any) -> None:
    engine = engine_for(0.0)  # every pooled connection counts as idle: pinged at each checkout
    first = await _backend(engine)
    await _terminate(url, first)

    assert await _backend(engine) != first  # no error: the ping failed, the pool connected anew


async def test_a_connection_used_within_the_window_is_not_pinged(url: str, engine_for: Any) -> None:
    engine = engine_for(3600.0)  # every pooled connection counts as just used: never pinged
    first = await _backend(engine)
    await _terminate(url, first)

    # The dead connection is handed out unpinged; its failure is a disconnect, which the consumers
    # retry as transient, and the pool renews its connections so the next checkout works.
    with pytest.raises(DBAPIError) as raised:
        await _backend(engine)
    assert raised.value.connection_invalidated
    assert is_transient(raised.value)
    assert await _backend(engine) != first

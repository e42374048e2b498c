"""For a contract test's real half: a service's SQL unit of work on a database of its own.

The fixtures that hand out the two halves are async, and an async fixture cannot ask pytest for
another async one (``make_database``) by name; this takes the synchronous session fixtures it
rests on instead and does the rest here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from forlob_shared.clock import Clock
from forlob_shared.db import create_session_factory
from forlob_shared.dbadmin import drop_database
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.service import ServiceSpec
from forlob_testkit import fixtures

U = TypeVar("U")


@asynccontextmanager
async def sql_units_of_work(
    request: pytest.FixtureRequest,
    spec: ServiceSpec[Any, Any, Any],
    clock: Clock,
    make: Callable[[async_sessionmaker[AsyncSession], OutboxWriter], U],
) -> AsyncIterator[Callable[[], U]]:
    """A factory of the service's units of work on a new database at its newest schema."""
    infra = request.getfixturevalue("infra")
    templates = request.getfixturevalue("database_templates")
    template = await asyncio.to_thread(templates.template_for, spec)
    name = f"forlob_t{infra.run_id}_c{next(fixtures._counter)}"
    await fixtures._create(infra, name, template)
    url = infra.database_url(name)
    engine = create_async_engine("postgresql+asyncpg://" + url.split("://", 1)[1])
    sessions = create_session_factory(engine)
    outbox = OutboxWriter(source=f"forlob/{spec.name}", clock=clock)
    try:
        yield lambda: make(sessions, outbox)
    finally:
        await engine.dispose()
        await drop_database(url)

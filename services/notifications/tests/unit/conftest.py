"""The fast tier's world: notifications' use cases over the in-memory unit of work, and the
storage fixture the contract tests run twice (PostgreSQL, marked ``servers``; and in memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from forlob_shared.clock import ManualClock
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.notifications import FakeNotificationsUnitOfWork
from forlob_testkit.in_memory.notifications_world import MONDAY_9, Notifications, UowFactory


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_9)


# -- the contract tests' storage: the same body against PostgreSQL and in memory --------------


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.servers), "memory"])
def storage(request: pytest.FixtureRequest) -> tuple[str, Any]:
    """Which storage, and for PostgreSQL the test kit's ``make_database`` (asked for here, in a
    plain fixture: the in-memory half must not need a server)."""
    if request.param == "memory":
        return "memory", None
    return "postgres", request.getfixturevalue("make_database")


@pytest.fixture
async def new_uow(storage: tuple[str, Any], clock: ManualClock) -> AsyncIterator[UowFactory]:
    """A factory of units of work over one store: each call opens another over the same data."""
    kind, make_database = storage
    if kind == "memory":
        store = FakeStore()
        yield lambda: FakeNotificationsUnitOfWork(store, clock)
        return
    from sqlalchemy.ext.asyncio import create_async_engine

    from forlob_notifications.db.uow import NotificationsUnitOfWork
    from forlob_notifications.main import spec
    from forlob_shared.db import create_session_factory
    from forlob_shared.messaging.outbox import OutboxWriter
    from forlob_shared.settings import plain_postgres_url

    url = await make_database(spec())
    engine = create_async_engine("postgresql+asyncpg://" + plain_postgres_url(url).split("://", 1)[1])
    sessions = create_session_factory(engine)
    outbox = OutboxWriter("forlob/notifications", clock)
    try:
        yield lambda: NotificationsUnitOfWork(sessions, outbox)
    finally:
        await engine.dispose()


@pytest.fixture
def world(clock: ManualClock) -> Notifications:
    return Notifications(clock)

"""The referral service's unit of work for the fast tier: in memory, or (a contract test's real
half, marked ``servers``) the SQL one on a new database at the newest schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from forlob_referral.application.ports import ReferralUoW
from forlob_shared.clock import ManualClock
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.referral import FakeReferralUnitOfWork
from forlob_testkit.referral import NOW
from forlob_testkit.referral_rules import Desk

MakeUoW = Callable[[], ReferralUoW]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def fake_uow(store: FakeStore, clock: ManualClock) -> Callable[[], FakeReferralUnitOfWork]:
    return lambda: FakeReferralUnitOfWork(store, clock)


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.servers)])
async def make_uow(request: pytest.FixtureRequest, store: FakeStore, clock: ManualClock) -> AsyncIterator[MakeUoW]:
    """A factory of units of work over one store: the in-memory twin, or PostgreSQL."""
    if request.param == "memory":
        yield lambda: FakeReferralUnitOfWork(store, clock)
        return

    from forlob_referral.db.uow import ReferralUnitOfWork
    from forlob_referral.main import spec
    from forlob_testkit.contract import sql_units_of_work

    async with sql_units_of_work(request, spec(), clock, ReferralUnitOfWork) as make:
        yield make


@pytest.fixture
def desk(store: FakeStore, clock: ManualClock) -> Desk:
    return Desk(store, clock)

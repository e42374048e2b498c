"""An in-process referral service on its own database, with a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from forlob_referral.main import spec
from forlob_shared.clock import ManualClock
from forlob_testkit.referral import NOW, Api


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def api(make_database: Any, run_service: Any, clock: ManualClock) -> AsyncIterator[Api]:
    database = await make_database(spec())
    # The relay stays off: these tests read what the service wrote to its outbox.
    async with run_service(spec(), database, clock=clock, with_relay=False) as service:
        yield Api(service, clock)

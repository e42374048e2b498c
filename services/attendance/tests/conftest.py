"""The attendance service in process (real PostgreSQL and RabbitMQ), with a clock tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from forlob_attendance.main import spec
from forlob_shared.clock import ManualClock
from forlob_testkit.attendance import Attendance, local
from forlob_testkit.messaging import collector

__all__ = ["attendance", "collector"]


@pytest.fixture
async def attendance(make_database: Any, run_service: Any) -> AsyncIterator[Attendance]:
    clock = ManualClock(local(date(2026, 1, 1), 0))
    database = await make_database(spec())
    async with run_service(spec(), database, clock=clock, with_relay=False, periodic_enabled=False) as service:
        yield Attendance(service, clock)

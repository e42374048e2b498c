"""The four services run as real processes: they start, answer ready, move time together, stop
gracefully, and survive a SIGKILL of one of them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body
from forlob_testkit.wait import eventually


async def test_the_system_runs_as_processes_and_a_killed_service_catches_up(start_system: Any) -> None:
    async with start_system(services=("referral", "reporting")) as system, httpx.AsyncClient() as http:
        for name in ("referral", "reporting"):
            response = await http.get(f"{system.url(name)}/health/ready")
            assert response.status_code == 200, (name, response.text)
        system.move_clock(timedelta(days=1))

        system["reporting"].kill()  # SIGKILL: no goodbye
        caseworker = auth(JOBCENTRE, "caseworker")
        defined = await http.put(
            f"{system.url('referral')}/programmes/RCA-UDV-13",
            json=DEVELOPMENT_COURSE,
            headers=auth(PROVIDER, "coordinator"),
        )
        assert defined.status_code == 201, defined.text
        created = await http.post(
            f"{system.url('referral')}/referrals", json=referral_body(random.Random(1)), headers=caseworker
        )
        assert created.status_code == 201, created.text
        system["reporting"].start()

        async def counted() -> bool:
            if not system["reporting"].ready():
                return False
            figures = await http.get(f"{system.url('reporting')}/figures/referrals-received", headers=caseworker)
            return figures.json()["total"] == 1

        await eventually(counted, timeout=60, what="the restarted reporting service to catch up")
        # the referral service took its time from the moved clock
        received_at = datetime.fromisoformat(created.json()["received_at"])
        assert abs(received_at - (datetime.now(UTC) + timedelta(days=1))) < timedelta(minutes=5)

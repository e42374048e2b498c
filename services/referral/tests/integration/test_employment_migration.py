"""Migration 0006 runs forward on a database the previous release filled: its started meetings
course reads back in ``search`` and takes a job; going back to 0005 and forward again loses no
referral."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from alembic import command

from forlob_referral.main import spec
from forlob_shared.clock import ManualClock
from forlob_shared.migrations import alembic_config, upgrade
from forlob_testkit.auth import auth
from forlob_testkit.referral import NOW, PROVIDER_ORG, Api

CONSULTANT = auth(PROVIDER_ORG, "contact_person", staff="ips-1")


async def test_0006_runs_forward_on_a_database_with_courses(make_database: Any, run_service: Any) -> None:
    clock = ManualClock(NOW)
    database = await make_database(spec())
    async_url = "postgresql+asyncpg://" + database.split("://", 1)[1]
    async with run_service(spec(), database, clock=clock, with_relay=False) as service:
        api = Api(service, clock)
        await api.programme("IPS-AAL", kind="ips", shape="meetings")
        rid = str((await api.refer(programme_code="IPS-AAL"))["id"])
        await api.act(rid, "accept")
        clock.advance(timedelta(days=12))
        await api.act(
            rid, "start", {"start_date": "2026-06-01", "contact_person_id": "ips-1", "cadence": {"kind": "weekly"}}
        )

    # Back to the previous release's schema, then forward again, as a deploy of this release does.
    await asyncio.to_thread(command.downgrade, alembic_config(spec().migrations_dir, async_url), "0005")
    await asyncio.to_thread(upgrade, spec().migrations_dir, async_url)

    clock.advance(timedelta(days=14))
    async with run_service(spec(), database, clock=clock, with_relay=False) as service:
        api = Api(service, clock)
        assert (await api.get(rid))["state"] == "started"
        before = await service.client.get(f"/referrals/{rid}/employment", headers=CONSULTANT)
        assert (before.json()["phase"], before.json()["phase_since"]) == ("search", "2026-06-01")
        employer = await api.post(
            "/employers", {"country": "DK", "number": "13585628", "name": "Bageriet", "sector": "private"}, CONSULTANT
        )
        assert employer.status_code == 201, employer.text
        body = {
            "employer_id": employer.json()["id"],
            "kind": "flex_job",
            "start_date": "2026-06-08",
            "weekly_hours": 10,
            "disclosure": "yes",
        }
        job = await api.post(f"/referrals/{rid}/spells", body, CONSULTANT)
        assert job.status_code == 201, job.text
        assert job.json()["phase"] == "employed_with_support"

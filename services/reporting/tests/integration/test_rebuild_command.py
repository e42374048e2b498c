"""`forlob-reporting rebuild` as an operator runs it: a process with the service's environment."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import asyncpg

from forlob_reporting.main import spec as reporting_spec
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.reporting.cohort import build_cohort


async def test_the_rebuild_command_builds_the_read_model_from_the_history(
    make_database: Any, publish: Any, mix: Any, infra: Any, prefix: str
) -> None:
    cohort = build_cohort(30, seed=2)
    await publish(mix(cohort.events))  # nobody consumes: only the history stream has them
    database = await make_database(reporting_spec())
    env = {
        **os.environ,
        "FORLOB_REPORTING_DATABASE_URL": database,
        "FORLOB_BROKER_URL": infra.broker_url,
        "FORLOB_NAME_PREFIX": prefix,
        "FORLOB_LOG_LEVEL": "WARNING",
    }
    command = Path(sys.executable).parent / "forlob-reporting"
    process = await asyncio.create_subprocess_exec(
        str(command), "rebuild", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["applied"] == len(cohort.events)
    assert summary["duplicates"] == len(mix(cohort.events)) - len(cohort.events)
    conn = await asyncpg.connect(plain_postgres_url(database))
    try:
        assert await conn.fetchval("SELECT count(*) FROM referral_facts") == len(cohort.referrals)
        assert await conn.fetchval("SELECT count(*) FROM inbox") == len(cohort.events)
    finally:
        await conn.close()

"""Migrations: every service migrates from nothing to head, and replicas migrating at once wait
for each other instead of failing on the same DDL."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from forlob_shared.dbadmin import drop_database
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.infra import TestInfra


@pytest.mark.parametrize("service", ["referral"])  # the same code path in every service
async def test_concurrent_migrations_of_a_fresh_database_all_succeed(infra: TestInfra, service: str) -> None:
    name = f"forlob_t{infra.run_id}_migrate_{service}"
    admin = await asyncpg.connect(plain_postgres_url(infra.database_admin_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    env = {**os.environ, f"FORLOB_{service.upper()}_DATABASE_URL": infra.database_url(name), "FORLOB_LOG_JSON": "true"}
    executable = str(Path(sys.executable).parent / f"forlob-{service}")
    try:
        # Three replicas' `migrate` at the same moment, as Kubernetes starts them.
        processes = [
            await asyncio.create_subprocess_exec(
                executable, "migrate", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            for _ in range(3)
        ]
        outputs = await asyncio.gather(*(p.communicate() for p in processes))
        for process, (output, _) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, output.decode()[-2000:]
        conn = await asyncpg.connect(plain_postgres_url(infra.database_url(name)))
        try:
            assert await conn.fetchval("SELECT count(*) FROM alembic_version") == 1
            assert await conn.fetchval("SELECT to_regclass('outbox') IS NOT NULL")
        finally:
            await conn.close()
    finally:
        await drop_database(infra.database_url(name))

"""The rename of ``alerts.level`` to ``escalation_level`` in two migrations: 0013 (expand) lets
release 0.1.0 (which writes ``level``) and this release (which writes ``escalation_level``)
share the table, a trigger keeping the two equal; ``migrate`` stops before 0014 (contract), which
``migrate --contract`` applies once the old release is gone. The same change is rolled out under
load, two releases side by side, in tests/reliability/test_rolling_upgrade.py."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest

from forlob_notifications.main import spec
from forlob_shared.dbadmin import drop_database
from forlob_shared.migrations import expand_target, upgrade
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.infra import TestInfra

MIGRATIONS = spec().migrations_dir
# Release 0.1.0's INSERT: every column it knows, none it does not.
OLD_INSERT = """
INSERT INTO alerts (id, org, kind, cause_key, cause_event_id, recipient_staff_id, provider_org, facts,
                    state, raised_at, level, contact_attempts)
VALUES ($1, 'rca-aalborg', 'absence', $2, $1, 'kp-1', 'rca-aalborg', '{}', 'open', now(), $3, 0)
"""
# This release's: escalation_level, never level.
NEW_INSERT = OLD_INSERT.replace(", level,", ", escalation_level,")


@pytest.fixture
async def database(infra: TestInfra) -> AsyncIterator[str]:
    name = f"forlob_t{infra.run_id}_rename_{uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_postgres_url(infra.database_admin_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield infra.database_url(name)
    await drop_database(infra.database_url(name))


async def _migrate(url: str, *args: str) -> str:
    env = {**os.environ, "FORLOB_NOTIFICATIONS_DATABASE_URL": url, "FORLOB_LOG_JSON": "true"}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "forlob-notifications"),
        "migrate",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()[-2000:]
    return output.decode()


async def _levels(conn: asyncpg.Connection, alert: UUID) -> tuple[int, int]:
    row = await conn.fetchrow("SELECT level, escalation_level FROM alerts WHERE id = $1", alert)
    assert row is not None
    return row["level"], row["escalation_level"]


async def test_both_releases_write_through_the_expand_and_the_contract_keeps_the_values(database: str) -> None:
    sqlalchemy_url = "postgresql+asyncpg://" + database.split("://", 1)[1]
    await asyncio.to_thread(upgrade, MIGRATIONS, sqlalchemy_url, "0012")  # release 0.1.0's schema
    conn = await asyncpg.connect(plain_postgres_url(database))
    try:
        before = uuid4()
        await conn.execute(OLD_INSERT, before, f"absence:{before}", 1)

        output = await _migrate(database)  # as the init container runs it: expand only
        assert "migrate.contract_pending" in output
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == "0014"
        assert await _levels(conn, before) == (1, 1)  # filled from level

        old, new = uuid4(), uuid4()
        await conn.execute(OLD_INSERT, old, f"absence:{old}", 0)
        await conn.execute(NEW_INSERT, new, f"absence:{new}", 0)
        assert await _levels(conn, old) == (0, 0)
        assert await _levels(conn, new) == (0, 0)
        # Each release escalates its way; the other reads the same number.
        await conn.execute("UPDATE alerts SET level = level + 1 WHERE id = $1", old)
        await conn.execute("UPDATE alerts SET escalation_level = escalation_level + 2 WHERE id = $1", new)
        # An update that touches neither leaves both alone.
        await conn.execute("UPDATE alerts SET state = 'acknowledged' WHERE id = ANY($1::uuid[])", [old, new])
        assert await _levels(conn, old) == (1, 1)
        assert await _levels(conn, new) == (2, 2)

        await _migrate(database)  # again: still stops before the contract
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == "0014"

        await _migrate(database, "--contract")  # once no replica of 0.1.0 is left
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == "0015"
        columns = {
            r["column_name"]: r["is_nullable"]
            for r in await conn.fetch(
                "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'alerts'"
            )
        }
        assert "level" not in columns
        assert columns["escalation_level"] == "NO"
        levels = dict(await conn.fetch("SELECT id, escalation_level FROM alerts"))
        assert levels == {before: 1, old: 1, new: 2}
    finally:
        await conn.close()


def test_a_new_database_goes_to_head_and_an_old_one_stops_before_the_contract() -> None:
    assert expand_target(MIGRATIONS, None) == "head"  # nothing old can run against an empty database
    assert expand_target(MIGRATIONS, "0012") == "0014"
    assert expand_target(MIGRATIONS, "0013") == "0014"
    assert expand_target(MIGRATIONS, "0014") == "0014"
    assert expand_target(MIGRATIONS, "0015") == "head"

"""Alembic, run the same way for every service: from its ``migrate`` command or ``alembic``."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path
from typing import cast

import asyncpg
import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from forlob_shared.messaging.tables import messaging_metadata

MIGRATION_LOCK_KEY = zlib.crc32(b"forlob.migrations")


def alembic_config(migrations_dir: Path, sqlalchemy_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, sqlalchemy_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, sqlalchemy_url), revision)


def is_contract(revision: Script) -> bool:
    """A contract migration (its module sets ``contract = True``): it drops what a previous
    release still reads, so it runs only once no replica of that release is left."""
    return bool(getattr(revision.module, "contract", False))


def expand_target(migrations_dir: Path, current: str | None) -> str:
    """Where ``migrate`` (without ``--contract``) takes a database now at ``current``: every
    pending migration up to, not including, the first pending contract migration. A new database
    (``current`` None) goes to head: no previous release can be running against it."""
    script = ScriptDirectory.from_config(alembic_config(migrations_dir, "postgresql://unused"))
    oldest_first = list(reversed(list(script.walk_revisions())))
    if current is None:
        return "head"
    ids = [r.revision for r in oldest_first]
    for revision in oldest_first[ids.index(current) + 1 :]:
        if is_contract(revision):
            return revision.down_revision if isinstance(revision.down_revision, str) else current
    return "head"


async def current_revision(dsn: str) -> str | None:
    """The database's Alembic revision; None for a database never migrated."""
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL"):
            return None
        return cast(str | None, await conn.fetchval("SELECT version_num FROM alembic_version"))
    finally:
        await conn.close()


def run_env(service_metadata: sa.MetaData) -> None:
    """The body of a service's ``migrations/env.py``."""
    target = [service_metadata, messaging_metadata]
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no sqlalchemy.url: run `forlob-<service> migrate`, which sets it from the settings")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: sa.Connection) -> None:
        # Several replicas may start (and migrate) at once: one migrates, the others wait and
        # then find the schema current. The lock goes with the connection.
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
        context.configure(connection=connection, target_metadata=target, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=sa.NullPool, hide_parameters=True)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(main())

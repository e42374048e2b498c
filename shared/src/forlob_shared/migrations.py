"""Alembic, run the same way for every service: from its ``migrate`` command or ``alembic``."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
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

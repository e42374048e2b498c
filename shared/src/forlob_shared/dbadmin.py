"""Create and drop service databases (used by `migrate --create`, `make up` and the tests)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg

from forlob_shared.settings import plain_postgres_url


def split_database(url: str) -> tuple[str, str]:
    """(URL of the server's maintenance database, name of the database in ``url``)."""
    parts = urlsplit(plain_postgres_url(url))
    name = parts.path.lstrip("/")
    if not name:
        raise ValueError(f"the database URL names no database: {url!r}")
    return urlunsplit(parts._replace(path="/postgres")), name


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def ensure_database(url: str) -> bool:
    """Create the database in ``url`` if it does not exist; True if it was created."""
    admin_url, name = split_database(url)
    conn = await asyncpg.connect(admin_url)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        try:
            await conn.execute(f"CREATE DATABASE {_quote(name)}")
        except asyncpg.DuplicateDatabaseError:
            return False
        return True
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    admin_url, name = split_database(url)
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")
    finally:
        await conn.close()

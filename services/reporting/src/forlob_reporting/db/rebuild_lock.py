"""The rebuild lock: a PostgreSQL advisory lock a rebuild holds exclusively while it replays and
swaps, and the live consumer takes shared, per transaction, for each batch it applies."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from forlob_shared.erasure import erased_subjects

REBUILD_LOCK = 0x7265706F7274  # "report"


class SharedRebuildLock:
    """The live consumer's side, in its unit of work's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def try_share(self) -> bool:
        """Take the lock shared until the transaction ends; False while a rebuild holds it."""
        locked = await self.session.execute(sa.select(sa.func.pg_try_advisory_xact_lock_shared(REBUILD_LOCK)))
        return bool(locked.scalar_one())


async def hold_exclusively(connection: AsyncConnection) -> None:
    """The rebuild's side: wait for the live transactions holding it shared, then hold it (on the
    connection's session, past the commit, until :func:`release`)."""
    await connection.execute(sa.select(sa.func.pg_advisory_lock(REBUILD_LOCK)))
    await connection.commit()


async def erased_ids(connection: AsyncConnection) -> set[UUID]:
    """The erasure register, read by the rebuild once it holds the lock: an erasure takes the lock
    shared, so none commits between this read and the swap."""
    found = set((await connection.execute(sa.select(erased_subjects.c.id))).scalars())
    await connection.commit()
    return found


async def release(connection: AsyncConnection) -> None:
    await connection.execute(sa.select(sa.func.pg_advisory_unlock(REBUILD_LOCK)))
    await connection.commit()

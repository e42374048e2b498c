"""Async SQLAlchemy engine, sessions and the unit of work every service builds on.

A unit of work is the one transaction of a use case: it rolls back unless committed, and its
commit writes the events the use case emitted into the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from forlob_shared.clock import Clock
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.settings import ServiceSettings


def create_engine(settings: ServiceSettings, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # a database restart must not surface as errors on stale connections
        pool_recycle=1800,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class UnitOfWork:
    """``async with uow: ...; await uow.commit()`` — services subclass it to add repositories."""

    session: AsyncSession

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], outbox: OutboxWriter) -> None:
        self._session_factory = session_factory
        self._outbox = outbox
        self._pending: list[PendingEvent] = []
        self._commits_deferred = False

    @property
    def clock(self) -> Clock:
        return self._outbox.clock

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._pending = []
        self._commits_deferred = False
        await self._on_enter()
        return self

    async def _on_enter(self) -> None:
        """Hook for subclasses to build repositories on ``self.session``."""

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self.session.close()

    def emit(self, *events: PendingEvent) -> None:
        self._pending.extend(events)

    @property
    def pending_events(self) -> Sequence[PendingEvent]:
        return tuple(self._pending)

    async def commit(self) -> None:
        events, self._pending = self._pending, []
        await self._outbox.write(self.session, events)
        if self._commits_deferred:
            # Inside a consumer's batch: the next use case in the same transaction must see this
            # one's writes, and read rows afresh as in a transaction of its own. A row object left
            # in the session would not take in what a Core statement changed after it was loaded.
            await self.session.flush()
            self.session.expunge_all()
            return
        await self.session.commit()

    def defer_commits(self) -> None:
        """Make ``commit()`` a step inside a larger transaction (a consumer's batch of deliveries):
        it writes the outbox rows and flushes; :meth:`commit_deferred` commits all of it."""
        self._commits_deferred = True

    async def commit_deferred(self) -> None:
        self._commits_deferred = False
        await self.commit()

    async def rollback(self) -> None:
        self._pending = []
        await self.session.rollback()

"""Async SQLAlchemy engine, sessions and the unit of work every service builds on.

A unit of work is one transaction: it rolls back unless committed, and its commit writes the
events emitted in it into the outbox in the same transaction. Who commits: an HTTP use case or a
background job commits its own; on the event side only the consumer does, after the handlers
(see :mod:`forlob_shared.transaction_owner`), staging each handler's work with :meth:`UnitOfWork.stage`.
A wake-up a use case asks for (:mod:`forlob_shared.wake`) rings after the commit, whoever commits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from forlob_shared.clock import Clock
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.messaging.outbox import OutboxWriter, Written
from forlob_shared.settings import ServiceSettings
from forlob_shared.transaction_owner import TransactionOwnership
from forlob_shared.wake import WakeAfterCommit, Wakes

# A pooled connection used this recently is taken as alive without a ping (HikariCP's
# aliveBypassWindowMs, 500 ms by default, is the same idea).
PING_AFTER_IDLE_SECONDS = 0.5


def create_engine(
    settings: ServiceSettings, *, pool_size: int = 10, ping_after_idle: float = PING_AFTER_IDLE_SECONDS
) -> AsyncEngine:
    # hide_parameters: an error's text never carries the statement's values (names, identity
    # numbers, secrets); see forlob_shared.redaction for what the driver's own message quotes.
    engine = create_async_engine(
        settings.sqlalchemy_url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800, hide_parameters=True
    )
    ping_idle_connections(engine, ping_after_idle)
    return engine


def ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection at checkout once it has been idle ``idle_seconds``, so that a
    database restart does not surface as errors on stale connections.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout, and with asyncpg a ping is three round
    trips (BEGIN, an empty query, ROLLBACK): under load that was a tenth of a consumer's CPU, for
    connections that had been in use a millisecond before. A connection that fails its ping is
    discarded and the checkout tried again with another (the pool's ``DisconnectionError``
    contract); one that breaks within the window fails its operation, which SQLAlchemy reports as
    a disconnect: the pool then renews every older connection, and the caller retries (consumers
    treat it as transient) or answers 503.
    """

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # new, or in use a moment ago
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error!r}") from error


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class UnitOfWork(TransactionOwnership, WakeAfterCommit):
    """``async with uow: ...; await uow.commit()`` — services subclass it to add repositories.

    ``wakes``: the runtime's wake-ups, which :meth:`wake_after_commit` rings after the commit.
    """

    session: AsyncSession

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], outbox: OutboxWriter, wakes: Wakes | None = None
    ) -> None:
        self._session_factory = session_factory
        self._outbox = outbox
        self._pending: list[PendingEvent] = []
        self._use_wakes(wakes)

    @property
    def clock(self) -> Clock:
        return self._outbox.clock

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._pending = []
        self._forget_wakes()
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
        """Write the emitted events into the outbox and commit, then ring the wake-ups asked for;
        refused inside an event handler."""
        self._refuse_commit_if_owned()
        events, self._pending = self._pending, []
        await self._write_events(events)
        await self.session.commit()
        self._ring_committed()

    async def stage(self) -> None:
        """End one step of a larger transaction (one handler of a consumer's batch) without
        committing: its events go into the outbox and its writes are flushed, so the next step
        sees them, and reads rows afresh as in a transaction of its own (a row object left in
        the session would not take in what a Core statement changed after it was loaded)."""
        events, self._pending = self._pending, []
        await self._write_events(events)
        await self.session.flush()
        self.session.expunge_all()

    async def _write_events(self, events: Sequence[PendingEvent]) -> Written:
        """Write these events into the outbox, in this transaction (what :meth:`commit` and
        :meth:`stage` do): a subclass may take note of what each was given."""
        return await self._outbox.write(self.session, events)

    async def rollback(self) -> None:
        self._pending = []
        self._forget_wakes()
        await self.session.rollback()

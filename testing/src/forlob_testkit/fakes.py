"""The in-memory twin of ``forlob_shared.db.UnitOfWork``, for the fast test tier.

A service's fake unit of work subclasses :class:`FakeUnitOfWork` and builds its in-memory
repositories in ``_on_enter``, as the real one builds SQL repositories on its session. The fake
keeps the real one's contract: nothing a use case wrote survives unless it commits (rollback, or
leaving the block without a commit, puts every repository back as it was at the last commit), and
a commit is where emitted events reach the outbox (here: :attr:`FakeUnitOfWork.published`);
:meth:`FakeUnitOfWork.stage` ends a step of a consumer's transaction as the real one does, and
while a consumer runs a handler ``commit()`` is refused (:mod:`forlob_shared.transaction_owner`);
a wake-up asked for (:mod:`forlob_shared.wake`) rings after the commit, never after a rollback.

A repository twin keeps its state in attributes; the unit of work snapshots them with
``copy.deepcopy`` on entry and on each commit, which is cheap at test sizes and means a fake
repository needs no rollback code of its own. Shared stores (``FakeStore``) outlive a unit of
work, so a test can open several in turn against the same data, as a service does with a database.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

from forlob_shared.clock import Clock
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.transaction_owner import TransactionOwnership
from forlob_shared.wake import WakeAfterCommit, Wakes


@dataclass
class FakeStore:
    """What a service's database holds, in memory: one attribute per table-like collection,
    created by the service's fake repositories on first use (``tables``), and the outbox."""

    tables: dict[str, Any] = field(default_factory=dict)
    published: list[PendingEvent] = field(default_factory=list)
    commits: int = 0
    # Outside ``tables``: a rollback does not turn the database's clock back.
    _database_time: datetime | None = field(default=None, repr=False)

    def database_now(self, clock: Clock) -> datetime:
        """The database's own clock (PostgreSQL's ``clock_timestamp()``): it follows ``clock``
        but moves on between any two readings, by a microsecond when ``clock`` stands still, so
        two readings are never the same instant (a lease taken at each ends at different times)."""
        now = clock.now()
        if self._database_time is not None and now <= self._database_time:
            now = self._database_time + timedelta(microseconds=1)
        self._database_time = now
        return now

    def table(self, name: str, factory: type = dict) -> Any:
        if name not in self.tables:
            self.tables[name] = factory()
        return self.tables[name]


class FakeUnitOfWork(TransactionOwnership, WakeAfterCommit):
    """``async with uow: ...; await uow.commit()`` with no database: see the module docstring.
    ``wakes`` stands for the runtime's (a test shares one between its units of work)."""

    def __init__(self, store: FakeStore, clock: Clock, wakes: Wakes | None = None) -> None:
        self.store = store
        self._clock = clock
        self._pending: list[PendingEvent] = []
        self._staged: list[PendingEvent] = []
        self._committed_tables: dict[str, Any] = {}
        self._use_wakes(wakes)

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def published(self) -> list[PendingEvent]:
        return self.store.published

    async def __aenter__(self) -> Self:
        self._pending = []
        self._staged = []
        self._forget_wakes()
        self._committed_tables = copy.deepcopy(self.store.tables)
        await self._on_enter()
        return self

    async def _on_enter(self) -> None:
        """Hook for subclasses to build their in-memory repositories on ``self.store``."""

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()

    def emit(self, *events: PendingEvent) -> None:
        self._pending.extend(events)

    @property
    def pending_events(self) -> Sequence[PendingEvent]:
        return tuple(self._pending)

    async def commit(self) -> None:
        self._refuse_commit_if_owned()
        events, self._pending, self._staged = [*self._staged, *self._pending], [], []
        self.store.published.extend(events)
        self.store.commits += 1
        self._committed_tables = copy.deepcopy(self.store.tables)
        self._ring_committed()

    async def stage(self) -> None:
        """A step of a consumer's transaction ends: its events wait for the commit with it."""
        self._staged.extend(self._pending)
        self._pending = []

    async def rollback(self) -> None:
        self._pending = []
        self._staged = []
        self._forget_wakes()
        # Restore in place: repositories hold references to the store's collections.
        for name, committed in self._committed_tables.items():
            current = self.store.tables.get(name)
            if isinstance(current, dict) and isinstance(committed, dict):
                current.clear()
                current.update(committed)
            elif isinstance(current, list) and isinstance(committed, list):
                current[:] = committed
            elif isinstance(current, set) and isinstance(committed, set):
                current.clear()
                current.update(committed)
            else:
                self.store.tables[name] = committed
        for name in set(self.store.tables) - set(self._committed_tables):
            table = self.store.tables[name]
            if hasattr(table, "clear"):
                table.clear()

"""Wake-ups for a service's periodic jobs: work that falls due before the job's next tick.

A periodic job (:func:`forlob_shared.periodic.periodic`) sleeps its interval, or until the instant
its ``next_due`` named after its last run. Work added after that run and due before the job
wakes (a meeting planned to start now) would wait for the tick. So a use case that adds such work
asks for a wake-up under the job's key (:meth:`WakeAfterCommit.wake_after_commit`), and the job,
sleeping with ``wake=KEY``, runs at the earlier of its tick and that instant.

The registry is in-process: the runtime holds one :class:`Wakes` and one :class:`Wake` per key. A
wake-up rings only once its transaction has committed: a job woken at an instant already due,
before the row is visible, would run without it and forget the instant; and a rolled-back row
wakes nothing. A process that does not run the job
(periodic work disabled on that replica) rings a wake nobody waits on: a stored instant and a set
event, nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import datetime


def earliest(*instants: datetime | None) -> datetime | None:
    """The earliest of those given, None when none is."""
    known = [i for i in instants if i is not None]
    return min(known) if known else None


class Wake:
    """One key's wake-ups: the earliest instant asked for since the sleeper last took them, and the
    event it sleeps on (set by every ring, so it re-reads the instant)."""

    def __init__(self) -> None:
        self._due: datetime | None = None
        self.rung = asyncio.Event()
        # How many loops sleep on it now: 0 on a replica whose periodic work is off (its rings
        # reach nobody), 1 while the job sleeps between runs.
        self.waiters = 0

    def ring(self, due: datetime) -> None:
        self._due = earliest(self._due, due)
        self.rung.set()

    @property
    def due(self) -> datetime | None:
        """The earliest instant rung and not yet taken (what an operator or a test may look at)."""
        return self._due

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Around a sleeper's wait on :attr:`rung`."""
        self.waiters += 1
        try:
            yield
        finally:
            self.waiters -= 1

    def take(self) -> datetime | None:
        """The earliest instant asked for since the last take, and forget it. Clearing the event
        before the sleeper reads nothing else: a ring after this sets it again, so none is lost."""
        self.rung.clear()
        due, self._due = self._due, None
        return due


class Wakes:
    """The runtime's wake-ups by key (the job's name): one :class:`Wake` per key, made on first use."""

    def __init__(self) -> None:
        self._wakes: dict[str, Wake] = {}

    def wake(self, key: str) -> Wake:
        found = self._wakes.get(key)
        if found is None:
            found = self._wakes[key] = Wake()
        return found

    def ring(self, key: str, due: datetime) -> None:
        self.wake(key).ring(due)


class WakeAfterCommit:
    """Mixed into a unit of work (the real one and the test kit's fake), like
    :class:`~forlob_shared.transaction_owner.TransactionOwnership`: the wake-ups a transaction asks
    for, rung when it commits and forgotten when it rolls back."""

    wakes: Wakes
    _wakes_asked: dict[str, datetime]

    def _use_wakes(self, wakes: Wakes | None) -> None:
        # A unit of work made outside a runtime (a CLI, a test) gets a registry of its own: its
        # wake-ups ring where nobody waits, as on a replica with periodic work disabled.
        self.wakes = wakes if wakes is not None else Wakes()
        self._wakes_asked = {}

    def wake_after_commit(self, key: str, due: datetime) -> None:
        """Wake the job ``key`` at ``due`` (or at once, if it has passed) once this commits."""
        self._wakes_asked[key] = earliest(self._wakes_asked.get(key), due) or due

    @property
    def wakes_asked(self) -> dict[str, datetime]:
        """What this transaction will ring if it commits (key → earliest instant)."""
        return dict(self._wakes_asked)

    def _ring_committed(self) -> None:
        asked, self._wakes_asked = self._wakes_asked, {}
        for key, due in asked.items():
            self.wakes.ring(key, due)

    def _forget_wakes(self) -> None:
        self._wakes_asked = {}

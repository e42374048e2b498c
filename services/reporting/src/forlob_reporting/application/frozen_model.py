"""The cyclic garbage collector during a rebuild: what the replay has built is frozen as it goes.

A rebuild holds the whole read model in memory, a few hundred thousand dicts and keys that
live until the swap and hold no reference cycles. CPython's automatic collector scans every
tracked object again each time the old generation grew by a quarter, so the replay's cost
grew with the model it had already built (a sixth of the replay's time at 150,000 events,
almost all in full collections). Every ``every`` events the objects alive so far are moved
out of the collector's sight (``gc.freeze``): it keeps collecting what was made since, the
broker client's short-lived cycles included, and never scans the built model again. They are
handed back (``gc.unfreeze``) when the rebuild is over and its model gone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Freezer:
    every: int = 10_000
    _since: int = 0

    def tick(self) -> None:
        """One more event; freeze what is alive when ``every`` have passed."""
        self._since += 1
        if self._since >= self.every:
            self._since = 0
            gc.freeze()


@contextmanager
def frozen_as_built(every: int = 10_000) -> Iterator[Freezer]:
    try:
        yield Freezer(every)
    finally:
        gc.unfreeze()

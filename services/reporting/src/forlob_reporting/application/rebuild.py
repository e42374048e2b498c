"""Drop the read model and build it again from the event history.

1. Take the rebuild lock exclusively (once the events in hand are committed): meanwhile the
   live consumer rolls each event back and retries it with back-off (RebuildInProgress).
2. Read the history stream from its first offset to its tail, decoding and deduplicating by
   event id, and apply every event through :func:`apply_event` into memory. Then leave out the
   participant id of everyone erased: in the erasure register (read under the lock, so no
   erasure commits meanwhile) or by an erasure the history holds, wherever it stands in it.
3. In one transaction: empty the fact tables and the read-model consumer's inbox rows, copy in
   the new rows, an inbox row per applied event and the history's erasures into the register
   (which is never emptied); commit. Readers see the old figures until
   this commit and the new ones after it, never a half-built model.
4. Release the lock. Live consumption resumes; events it now receives that the replay already
   applied are skipped by the inbox, the rest apply as usual, in any order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from forlob_reporting.application.events import apply_event
from forlob_reporting.application.frozen_model import Freezer, frozen_as_built
from forlob_reporting.db.rebuild_lock import erased_ids, hold_exclusively, release
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.db.swap import replace_read_model
from forlob_reporting.domain.erasure import forget_erased
from forlob_reporting.history import HistoryReader
from forlob_shared.erasure import register_rows
from forlob_shared.events import InvalidEnvelope, ParticipantErased, decode
from forlob_shared.logging import get_logger
from forlob_shared.partner import is_partner_event
from forlob_shared.progress import Progress

log = get_logger("forlob.reporting.rebuild")


@dataclass(frozen=True)
class RebuildResult:
    read: int  # messages in the history before its tail
    applied: int  # distinct events the read model uses
    duplicates: int  # the same event id again
    ignored: int  # types the read model does not use, and the partner contract's events
    unreadable: int  # not a Forløb CloudEvent
    erasures: int  # participant.erased events read (the dpo consumer's; into the register)
    forgotten: int  # rows built with a participant id that the erasure register then left out
    rows: int  # fact rows written
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


@dataclass
class Replay:
    """Step 2 without I/O: each body of the history decoded, deduplicated and applied in memory."""

    store: MemoryFactStore = field(default_factory=MemoryFactStore)
    applied: dict[UUID, str] = field(default_factory=dict)  # event id → type, for the inbox
    duplicates: int = 0
    ignored: int = 0
    unreadable: int = 0
    erasures: list[ParticipantErased] = field(default_factory=list)
    _seen: set[UUID] = field(default_factory=set)
    freezer: Freezer | None = None  # a rebuild's: what is built is frozen as it goes (frozen_model)
    progress: Progress | None = None  # advanced by every body read (forlob-reporting rebuild shows it)

    async def on_body(self, body: bytes) -> None:
        if self.freezer is not None:
            self.freezer.tick()
        if self.progress is not None:
            self.progress.advance()
        try:
            envelope = decode(body)
        except InvalidEnvelope:
            # The partner contract's events share the history stream; the read model is built from
            # the internal events they are derived from, so they are not ours to read, nor broken.
            if is_partner_event(body):
                self.ignored += 1
            else:
                self.unreadable += 1
            return
        if envelope.id in self._seen:
            self.duplicates += 1
            return
        self._seen.add(envelope.id)
        if isinstance(envelope.data, ParticipantErased):
            self.erasures.append(envelope.data)
            return
        if await apply_event(self.store, envelope):
            self.applied[envelope.id] = envelope.type
        else:
            self.ignored += 1

    def forget_erased(self, register: set[UUID]) -> int:
        """After the last body: leave out the participant id of everyone erased, in ``register``
        or by an erasure read from the history, wherever it stood; returns the rows changed."""
        erased = register | {row["id"] for e in self.erasures for row in register_rows(e)}
        return forget_erased(self.store.rows, erased)


async def rebuild(
    engine: AsyncEngine, reader: HistoryReader, consumer: str, progress: Progress | None = None
) -> RebuildResult:
    """Replace the read model with one built from the whole history (see the module's steps);
    ``progress`` advances with every message read."""
    started = time.perf_counter()
    with frozen_as_built() as freezer:
        replay = Replay(freezer=freezer, progress=progress)
        async with engine.connect() as lock:
            await hold_exclusively(lock)
            try:
                erased = await erased_ids(lock)
                read = await reader.replay(replay.on_body)
                forgotten = replay.forget_erased(erased)
                async with engine.connect() as connection:
                    await replace_read_model(connection, replay.store, replay.applied, consumer, replay.erasures)
            finally:
                await release(lock)
        result = RebuildResult(
            read=read,
            applied=len(replay.applied),
            duplicates=replay.duplicates,
            ignored=replay.ignored,
            unreadable=replay.unreadable,
            erasures=len(replay.erasures),
            forgotten=forgotten,
            rows=len(replay.store),
            seconds=time.perf_counter() - started,
        )
        del replay  # freed while frozen: the collector is never handed the model to scan
    log.info("rebuild.done", **result.__dict__)
    return result

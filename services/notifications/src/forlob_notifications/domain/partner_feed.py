"""The partner feed as kept for catch-up: each published partner event, exactly as it went out,
numbered in its referring organisation's own series.

The cursor counts one organisation's events from 1 without gaps, in the order they committed: a
partner that has read up to cursor ``n`` has every event numbered up to ``n`` and nothing after
it, so reading ``after=n`` never skips one that committed late (the writers of one organisation
take its numbers one transaction at a time, just before they commit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from forlob_shared.events.envelope import PendingEvent
from forlob_shared.partner import PartnerEvent

# The most events one page holds, and what a partner gets without asking.
MAX_PAGE = 1000
DEFAULT_PAGE = 100


@dataclass(frozen=True)
class FeedEntry:
    """One kept event: ``body`` is the CloudEvent's bytes as the feed carried them."""

    org: str
    cursor: int
    event_id: UUID
    subject: str
    type: str
    sequence: int
    time: datetime
    body: bytes

    def cloudevent(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


@dataclass(frozen=True)
class Pruned:
    """What the retention forgot of one organisation's feed, all told: every event it removed
    had a cursor up to ``through`` and was written at ``written_until`` or before.

    Referrals are forgotten whole, by their newest event, so what was forgotten is not a prefix:
    below ``through`` the events of referrals still alive are kept. A replay starting below it
    (or at a time not after ``written_until``) may therefore lack events, and one starting at or
    after it lacks none."""

    through: int
    written_until: datetime

    def missed_after(self, cursor: int) -> bool:
        """Whether a replay after ``cursor`` may lack events the retention forgot."""
        return cursor < self.through

    def missed_since(self, since: datetime) -> bool:
        """Whether a replay of the events written at or after ``since`` may lack some."""
        return since <= self.written_until

    def widened(self, through: int, written_until: datetime) -> Pruned:
        return Pruned(max(self.through, through), max(self.written_until, written_until))


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEntry]
    next: int  # the cursor to ask ``after`` next time: the last one here, or where the reader was
    has_more: bool
    # False when the retention forgot events this replay would have held (see ``pruned``).
    complete: bool = True
    pruned: Pruned | None = None  # what the retention forgot of the organisation's feed, if anything


def is_kept(event: PendingEvent) -> bool:
    """Which emitted events the feed keeps: the partner contract's, which name their partner."""
    return isinstance(event.data, PartnerEvent) and bool(event.referring_org)


def entry_of(org: str, cursor: int, body: bytes) -> FeedEntry:
    """An entry from the CloudEvent's bytes: its attributes are read from them, never assumed."""
    document = json.loads(body)
    return FeedEntry(
        org=org,
        cursor=cursor,
        event_id=UUID(document["id"]),
        subject=document["subject"],
        type=document["type"],
        sequence=int(document["sequence"]),
        time=datetime.fromisoformat(document["time"].replace("Z", "+00:00")).astimezone(UTC),
        body=body,
    )

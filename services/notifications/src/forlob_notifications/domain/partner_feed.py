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
class FeedPage:
    events: list[FeedEntry]
    next: int  # the cursor to ask ``after`` next time: the last one here, or where the reader was
    has_more: bool


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

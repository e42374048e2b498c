"""The partner feed kept for catch-up (domain/partner_feed.py): written at commit from the
outbox rows of the same transaction, read per organisation by cursor, time or referral."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.domain.partner_feed import FeedEntry, FeedPage, entry_of
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.messaging.tables import outbox

_metadata = sa.MetaData()

partner_feed = sa.Table(
    "partner_feed",
    _metadata,
    sa.Column("org", sa.Text, primary_key=True),
    sa.Column("cursor", sa.BigInteger, primary_key=True),
    sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
)

partner_feed_cursor = sa.Table(
    "partner_feed_cursor",
    _metadata,
    sa.Column("org", sa.Text, primary_key=True),
    sa.Column("last", sa.BigInteger, nullable=False),
)

_COUNTERS = pg_insert(partner_feed_cursor)
_RESERVE = _COUNTERS.on_conflict_do_update(
    index_elements=[partner_feed_cursor.c.org], set_={"last": partner_feed_cursor.c.last + _COUNTERS.excluded.last}
).returning(partner_feed_cursor.c.org, partner_feed_cursor.c.last)


def _entry(row: Any) -> FeedEntry:
    return entry_of(row.org, row.cursor, row.body)


_ENTRY_COLUMNS = (partner_feed.c.org, partner_feed.c.cursor, partner_feed.c.body)


class PartnerFeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, events: Sequence[PendingEvent]) -> None:
        """Keep these partner events as the outbox wrote them in this transaction, numbered in
        their organisation's series. Called last before the commit: the row lock on each
        organisation's counter is what orders its writers, and it is held only until then."""
        if not events:
            return
        counts: dict[str, int] = {}
        for event in events:
            org = event.referring_org or ""
            counts[org] = counts.get(org, 0) + 1
        # Sorted: two transactions taking two organisations' counters take them in one order.
        reserved = await self.session.execute(_RESERVE, [{"org": o, "last": n} for o, n in sorted(counts.items())])
        next_cursor = {org: last - counts[org] for org, last in reserved.all()}
        bodies = dict(
            (
                await self.session.execute(
                    sa.select(outbox.c.event_id, outbox.c.body).where(outbox.c.event_id.in_([e.id for e in events]))
                )
            ).all()
        )
        rows = []
        for event in events:  # in the order they were emitted: the order the feed carries them
            org = event.referring_org or ""
            next_cursor[org] += 1
            entry = entry_of(org, next_cursor[org], bodies[event.id])
            rows.append(
                {
                    "org": entry.org,
                    "cursor": entry.cursor,
                    "event_id": entry.event_id,
                    "subject": entry.subject,
                    "type": entry.type,
                    "sequence": entry.sequence,
                    "time": entry.time,
                    "body": entry.body,
                }
            )
        await self.session.execute(partner_feed.insert(), rows)

    async def after(self, org: str, cursor: int, limit: int) -> FeedPage:
        result = await self.session.execute(
            sa.select(*_ENTRY_COLUMNS)
            .where(partner_feed.c.org == org, partner_feed.c.cursor > cursor)
            .order_by(partner_feed.c.cursor)
            .limit(limit + 1)
        )
        entries = [_entry(row) for row in result.all()]
        page = entries[:limit]
        return FeedPage(events=page, next=page[-1].cursor if page else cursor, has_more=len(entries) > limit)

    async def cursor_before(self, org: str, since: datetime) -> int:
        """Where a reader starting at ``since`` stands: before the first event written at or
        after it (or at the end, if there is none yet)."""
        first = await self.session.scalar(
            sa.select(sa.func.min(partner_feed.c.cursor)).where(partner_feed.c.org == org, partner_feed.c.time >= since)
        )
        if first is not None:
            return int(first) - 1
        last = await self.session.scalar(sa.select(sa.func.max(partner_feed.c.cursor)).where(partner_feed.c.org == org))
        return int(last or 0)

    async def of_referral(self, org: str, referral_id: UUID) -> list[FeedEntry]:
        result = await self.session.execute(
            sa.select(*_ENTRY_COLUMNS)
            .where(partner_feed.c.org == org, partner_feed.c.subject == str(referral_id))
            .order_by(partner_feed.c.cursor)
        )
        return [_entry(row) for row in result.all()]

    async def prune(self, older_than: datetime, limit: int) -> int:
        """Forget the referrals whose newest event is older than ``older_than`` (at most
        ``limit`` of them): a referral's series is kept whole or not at all."""
        stale = (
            sa.select(partner_feed.c.org, partner_feed.c.subject)
            .group_by(partner_feed.c.org, partner_feed.c.subject)
            .having(sa.func.max(partner_feed.c.time) < older_than)
            .limit(limit)
        )
        result = await self.session.execute(
            sa.delete(partner_feed).where(sa.tuple_(partner_feed.c.org, partner_feed.c.subject).in_(stale))
        )
        return int(getattr(result, "rowcount", 0) or 0)

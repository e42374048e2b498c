"""The partner feed kept for catch-up (domain/partner_feed.py): written at commit from the
outbox rows of the same transaction, read per organisation by cursor, time or referral."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.domain.partner_feed import FeedEntry, FeedPage, Pruned, entry_of
from forlob_shared.events.envelope import PendingEvent

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

partner_feed_pruned = sa.Table(
    "partner_feed_pruned",
    _metadata,
    sa.Column("org", sa.Text, primary_key=True),
    sa.Column("through_cursor", sa.BigInteger, nullable=False),
    sa.Column("written_until", sa.DateTime(timezone=True), nullable=False),
)

# One round of the retention: forget the stale referrals whole and, in the same statement, widen
# what each organisation is told was forgotten (so the two never disagree).
_PRUNE = sa.text(
    """
    WITH stale AS (
        SELECT org, subject FROM partner_feed GROUP BY org, subject
        HAVING max(time) < :older_than LIMIT :limit
    ), gone AS (
        DELETE FROM partner_feed AS f USING stale AS s
        WHERE f.org = s.org AND f.subject = s.subject
        RETURNING f.org, f.cursor, f.time
    ), told AS (
        INSERT INTO partner_feed_pruned AS p (org, through_cursor, written_until)
        SELECT org, max(cursor), max(time) FROM gone GROUP BY org ORDER BY org
        ON CONFLICT (org) DO UPDATE
        SET through_cursor = GREATEST(p.through_cursor, excluded.through_cursor),
            written_until = GREATEST(p.written_until, excluded.written_until)
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM told)
    """
)

# One statement and one round trip per commit: number the kept events in their organisations'
# series (the counter row's lock orders the writers of one organisation until they commit) and
# copy their bytes from the outbox rows this transaction wrote; their attributes come in as
# arrays, as the outbox writer gave them (reading them back out of the bytes cost the server more
# than the rest of the statement). Taken last before the commit, so the lock is held for this
# statement and the commit alone.
_KEEP = sa.text(
    """
    WITH counts AS (
        SELECT org, count(*) AS n FROM unnest(CAST(:orgs AS text[])) AS e(org) GROUP BY org
    ), reserved AS (
        -- in one order of organisations: two writers of the same two cannot deadlock
        INSERT INTO partner_feed_cursor (org, last) SELECT org, n FROM counts ORDER BY org
        ON CONFLICT (org) DO UPDATE SET last = partner_feed_cursor.last + excluded.last
        RETURNING org, last
    ), kept AS (
        SELECT e.*, row_number() OVER (PARTITION BY e.org ORDER BY e.at) AS nth
        FROM unnest(
            CAST(:orgs AS text[]), CAST(:event_ids AS uuid[]), CAST(:subjects AS text[]),
            CAST(:types AS text[]), CAST(:sequences AS bigint[]), CAST(:times AS timestamptz[])
        ) WITH ORDINALITY AS e(org, event_id, subject, type, sequence, time, at)
    )
    INSERT INTO partner_feed (org, cursor, event_id, subject, type, sequence, time, body)
    SELECT k.org, r.last - c.n + k.nth, k.event_id, k.subject, k.type, k.sequence, k.time, o.body
    FROM kept AS k
    JOIN counts AS c ON c.org = k.org
    JOIN reserved AS r ON r.org = k.org
    JOIN outbox AS o ON o.event_id = k.event_id
    """
)


class Kept(NamedTuple):
    """A partner event the outbox wrote in this transaction, with the sequence and time its
    CloudEvent carries (what the writer gave it)."""

    event: PendingEvent
    sequence: int
    time: datetime


def _entry(row: Any) -> FeedEntry:
    return entry_of(row.org, row.cursor, row.body)


_ENTRY_COLUMNS = (partner_feed.c.org, partner_feed.c.cursor, partner_feed.c.body)


class PartnerFeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, events: Sequence[Kept]) -> None:
        """Keep these partner events as the outbox wrote them in this transaction, numbered in
        their organisation's series in the order they were emitted. Called last before the
        commit: the row lock on each organisation's counter is what orders its writers, and it
        is held only until then."""
        if not events:
            return
        await self.session.execute(
            _KEEP,
            {
                "orgs": [k.event.referring_org or "" for k in events],
                "event_ids": [k.event.id for k in events],
                "subjects": [k.event.subject for k in events],
                "types": [k.event.data.cloudevent_type() for k in events],
                "sequences": [k.sequence for k in events],
                "times": [k.time for k in events],
            },
        )

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
        ``limit`` of them): a referral's series is kept whole or not at all. What each
        organisation lost is added to :meth:`pruned`."""
        row = (await self.session.execute(_PRUNE, {"older_than": older_than, "limit": limit})).one()
        return int(row[0])

    async def pruned(self, org: str) -> Pruned | None:
        row = (
            await self.session.execute(
                sa.select(partner_feed_pruned.c.through_cursor, partner_feed_pruned.c.written_until).where(
                    partner_feed_pruned.c.org == org
                )
            )
        ).one_or_none()
        return None if row is None else Pruned(int(row.through_cursor), row.written_until)

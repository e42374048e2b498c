"""Catch-up for partners: a referring organisation's system replays the partner events of its
own referrals from a cursor or a point in time, and reads what it knows of one referral.

Everything is scoped by the caller's organisation: another organisation's events are not there
for it (an empty page, a 404), whatever cursor or id it names.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.partner_feed import DEFAULT_PAGE, MAX_PAGE, FeedPage
from forlob_notifications.partners.state import ReferralState, derive
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.http.auth import Principal

PARTNER_ROLES = ("partner_system",)
# The referring organisation's own people read it too, on the course's timeline.
CASEWORKER_ROLES = ("caseworker",)
# Referrals forgotten per round of the retention job: a round is one short transaction.
PRUNE_BATCH = 500


def parse_cursor(raw: str) -> int:
    """A cursor as given back in ``next``: a decimal number, 0 for the very beginning."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise InvalidInput("after must be a cursor as returned in 'next' (a decimal number; 0 for the beginning)")
    return int(raw)


async def read_feed(
    uow: NotificationsUnit,
    reader: Principal,
    *,
    after: int | None = None,
    since: datetime | None = None,
    limit: int = DEFAULT_PAGE,
) -> FeedPage:
    """The caller's organisation's events after ``after`` (or from the first written at or after
    ``since``; from the beginning with neither), oldest first, at most ``limit``; not
    ``complete`` when the retention forgot events the replay would have held."""
    reader.require(*PARTNER_ROLES)
    if after is not None and since is not None:
        raise InvalidInput("give either after (a cursor) or since (a time), not both")
    if since is not None and since.utcoffset() is None:
        raise InvalidInput("since must be an RFC 3339 time with its offset, e.g. 2026-12-01T00:00:00Z")
    if since is not None:
        try:
            since = since.astimezone(UTC)
        except OverflowError:  # year 1 at +01:00 is before year 1 in UTC
            raise InvalidInput("since is out of range") from None
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    async with uow:
        start = after or 0
        if since is not None:
            start = await uow.partner_feed.cursor_before(reader.org, since)
        page = await uow.partner_feed.after(reader.org, start, limit)
        pruned = await uow.partner_feed.pruned(reader.org)
    if pruned is None:
        return page
    missed = pruned.missed_since(since) if since is not None else pruned.missed_after(start)
    return replace(page, complete=not missed, pruned=pruned)


async def referral_state(uow: NotificationsUnit, reader: Principal, referral_id: UUID) -> ReferralState:
    """What the caller's organisation was told of one of its referrals, as of its last event."""
    reader.require(*PARTNER_ROLES)
    async with uow:
        entries = await uow.partner_feed.of_referral(reader.org, referral_id)
    state = derive(entry.cloudevent() for entry in entries)
    if state is None:
        raise NotFound("no such referral of your organisation")
    return state


async def told_of_referral(uow: NotificationsUnit, reader: Principal, referral_id: UUID) -> list[dict[str, Any]]:
    """What the reader's organisation was told of one of its referrals, oldest first, for its
    caseworker's timeline: each partner event's type, time and data, exactly as sent."""
    reader.require(*CASEWORKER_ROLES)
    async with uow:
        entries = await uow.partner_feed.of_referral(reader.org, referral_id)
    if not entries:
        raise NotFound("no such referral of your organisation")
    return [_told(entry.cloudevent()) for entry in entries]


def _told(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": event["type"], "time": event["time"], "data": event["data"]}


async def prune_feed(uow: NotificationsUnit, retention: timedelta, now: datetime) -> int:
    """Forget the referrals whose last partner event is older than the retention; returns how
    many events went. Rounds of :data:`PRUNE_BATCH` referrals until none is left."""
    removed = 0
    while True:
        async with uow:
            gone = await uow.partner_feed.prune(now - retention, PRUNE_BATCH)
            await uow.commit()
        removed += gone
        if gone == 0:
            return removed

"""Catch-up for partner systems: replay the organisation's partner events, read one referral's
state (docs/partners.md#catch-up). Machine callers of the referring organisation, role
``partner_system``; every answer is scoped to the token's organisation."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from forlob_notifications.api.deps import Opts, UoW
from forlob_notifications.application import catch_up as app
from forlob_notifications.domain.partner_feed import DEFAULT_PAGE, MAX_PAGE
from forlob_notifications.partners.state import ReferralState
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.ratelimit import PARTNER_READS_LIMIT

# Per partner system, with RateLimit-* headers on every answer (docs/partners.md#rate-limit).
router = APIRouter(tags=["partners"], dependencies=[PARTNER_READS_LIMIT])

PartnerSystem = Annotated[Principal, requires(*app.PARTNER_ROLES)]
Caseworker = Annotated[Principal, requires(*app.CASEWORKER_ROLES)]


class FeedPageOut(BaseModel):
    events: list[dict[str, Any]] = Field(
        description="the CloudEvents exactly as the AMQP feed carried them (structured JSON mode), oldest first"
    )
    next: str = Field(description="ask again with after=<next> for what follows (the same when nothing did)")
    has_more: bool = Field(description="more events follow at once: ask again without waiting")
    complete: bool = Field(
        description="false: the retention forgot events this replay would have held (referrals whose last event "
        "is older than retention_days, each forgotten whole); you get every event still kept, in order"
    )
    pruned_through: str | None = Field(
        description="the highest cursor the retention forgot (null: nothing yet); a replay after it misses nothing"
    )
    pruned_until: AwareDatetime | None = Field(
        description="when the newest event the retention forgot was written; a replay since a later time misses nothing"
    )
    retention_days: int = Field(description="how long after a referral's last event its events are kept")


@router.get(
    "/partner/events",
    summary="Replay your organisation's partner events from a cursor or a time, in order",
)
async def events(
    principal: PartnerSystem,
    uow: UoW,
    options: Opts,
    after: Annotated[
        str | None, Query(description="a cursor from 'next'; 0 (or neither after nor since) from the beginning")
    ] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="an RFC 3339 time: from the first event written at or after it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> FeedPageOut:
    cursor = app.parse_cursor(after) if after is not None else None
    page = await app.read_feed(uow, principal, after=cursor, since=since, limit=limit)
    pruned = page.pruned
    return FeedPageOut(
        events=[e.cloudevent() for e in page.events],
        next=str(page.next),
        has_more=page.has_more,
        complete=page.complete,
        pruned_through=str(pruned.through) if pruned else None,
        pruned_until=pruned.written_until if pruned else None,
        retention_days=options.feed_retention.days,
    )


@router.get(
    "/partner/referrals/{referral_id}",
    summary="What your organisation was told of one of its referrals, as of its last partner event",
)
async def referral(referral_id: UUID, principal: PartnerSystem, uow: UoW) -> ReferralState:
    return await app.referral_state(uow, principal, referral_id)


class ToldOut(BaseModel):
    type: str = Field(description="the partner event's CloudEvents type, e.g. dk.forlob.partner.programme.started.v1")
    time: str = Field(description="when it was sent (RFC 3339)")
    data: dict[str, Any] = Field(description="its data, exactly as the partner contract sent it")


@router.get(
    "/referrals/{referral_id}/told",
    summary="What your organisation was told of one of its referrals, event by event (caseworker's timeline)",
)
async def told(referral_id: UUID, principal: Caseworker, uow: UoW) -> list[ToldOut]:
    return [ToldOut(**event) for event in await app.told_of_referral(uow, principal, referral_id)]

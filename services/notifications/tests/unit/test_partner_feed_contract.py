"""The kept partner feed's contract, on PostgreSQL and in memory: every partner event published
is kept as the CloudEvent the feed carries, numbered per referring organisation from 1 in
commit order; read by cursor, by time and by referral, each organisation only its own; a
referral's events forgotten whole once the newest is past the retention."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from forlob_notifications.application.options import Options
from forlob_notifications.domain.partner_feed import Pruned, entry_of
from forlob_notifications.partners.feed import publish
from forlob_shared.clock import ManualClock
from forlob_shared.partner import PartnerEvent
from forlob_testkit.in_memory.notifications_world import MONDAY_9, UowFactory
from forlob_testkit.partner_events import AReferral

JC, OTHER = "jobcenter-aalborg", "jobcenter-odense"


async def _publish(new_uow: UowFactory, *events: PartnerEvent) -> None:
    async with new_uow() as uow:
        for event in events:
            await publish(uow, Options(), event)
        await uow.commit()


async def test_published_partner_events_are_kept_as_cloudevents_numbered_per_organisation(
    new_uow: UowFactory, clock: ManualClock
) -> None:
    one, other, two = AReferral(JC), AReferral(OTHER), AReferral(JC)
    await _publish(new_uow, one.received(), other.received(), one.accepted())
    clock.advance(timedelta(minutes=5))
    await _publish(new_uow, two.received())
    async with new_uow() as uow:
        page = await uow.partner_feed.after(JC, 0, 10)
        others = await uow.partner_feed.after(OTHER, 0, 10)
    assert [e.cursor for e in page.events] == [1, 2, 3]
    assert (page.next, page.has_more) == (3, False)
    documents = [e.cloudevent() for e in page.events]
    assert [d["type"] for d in documents] == [
        "dk.forlob.partner.referral.received.v1",
        "dk.forlob.partner.referral.accepted.v1",
        "dk.forlob.partner.referral.received.v1",
    ]
    assert [(d["subject"], d["sequence"]) for d in documents] == [
        (str(one.referral_id), "000000000001"),
        (str(one.referral_id), "000000000002"),
        (str(two.referral_id), "000000000001"),
    ]
    assert {d["source"] for d in documents} == {"forlob/notifications"}
    assert {d["referringorg"] for d in documents} == {JC}
    assert documents[0]["data"] == json.loads(one.received().model_dump_json())
    assert [e.time for e in page.events] == [MONDAY_9, MONDAY_9, MONDAY_9 + timedelta(minutes=5)]
    assert [e.cursor for e in others.events] == [1]
    assert others.events[0].subject == str(other.referral_id)


async def test_a_rolled_back_publication_is_not_kept(new_uow: UowFactory) -> None:
    referral = AReferral(JC)
    async with new_uow() as uow:
        await publish(uow, Options(), referral.received())
        await uow.rollback()
    async with new_uow() as uow:
        assert (await uow.partner_feed.after(JC, 0, 10)).events == []


async def test_pages_follow_the_cursor_and_a_time_maps_to_the_first_event_at_or_after_it(
    new_uow: UowFactory, clock: ManualClock
) -> None:
    referral = AReferral(JC)
    for event in (referral.received(), referral.accepted(), referral.started(), referral.ended()):
        await _publish(new_uow, event)
        clock.advance(timedelta(hours=1))
    async with new_uow() as uow:
        first = await uow.partner_feed.after(JC, 0, 3)
        rest = await uow.partner_feed.after(JC, first.next, 3)
        done = await uow.partner_feed.after(JC, rest.next, 3)
        assert ([e.cursor for e in first.events], first.has_more) == ([1, 2, 3], True)
        assert ([e.cursor for e in rest.events], rest.has_more, rest.next) == ([4], False, 4)
        assert (done.events, done.next) == ([], 4)
        assert await uow.partner_feed.cursor_before(JC, MONDAY_9 + timedelta(minutes=30)) == 1
        assert await uow.partner_feed.cursor_before(JC, MONDAY_9 + timedelta(hours=2)) == 2
        assert await uow.partner_feed.cursor_before(JC, MONDAY_9 - timedelta(days=1)) == 0
        assert await uow.partner_feed.cursor_before(JC, MONDAY_9 + timedelta(days=1)) == 4
        assert await uow.partner_feed.cursor_before(OTHER, MONDAY_9) == 0


async def test_a_referral_is_read_only_by_its_own_organisation(new_uow: UowFactory) -> None:
    referral = AReferral(JC)
    await _publish(new_uow, referral.received(), AReferral(JC).received(), referral.accepted())
    async with new_uow() as uow:
        own = await uow.partner_feed.of_referral(JC, referral.referral_id)
        assert [e.sequence for e in own] == [1, 2]
        assert await uow.partner_feed.of_referral(OTHER, referral.referral_id) == []
        assert await uow.partner_feed.of_referral(JC, uuid4()) == []


async def test_retention_forgets_a_referral_whole_once_its_newest_event_is_old(
    new_uow: UowFactory, clock: ManualClock
) -> None:
    old, lively = AReferral(JC), AReferral(JC)
    await _publish(new_uow, old.received(), lively.received())
    clock.advance(timedelta(days=100))
    await _publish(new_uow, lively.accepted())
    async with new_uow() as uow:
        gone = await uow.partner_feed.prune(MONDAY_9 + timedelta(days=90), 100)
        await uow.commit()
    assert gone == 1
    async with new_uow() as uow:
        kept = (await uow.partner_feed.after(JC, 0, 10)).events
    # the lively referral keeps its first event too, though as old: a series is kept whole
    assert [(e.subject, e.cursor) for e in kept] == [(str(lively.referral_id), 2), (str(lively.referral_id), 3)]


async def test_what_the_retention_forgot_is_told_per_organisation_and_only_grows(
    new_uow: UowFactory, clock: ManualClock
) -> None:
    first, second, lively, elsewhere = AReferral(JC), AReferral(JC), AReferral(JC), AReferral(OTHER)
    await _publish(new_uow, first.received(), lively.received())  # JC 1, 2
    clock.advance(timedelta(hours=1))
    await _publish(new_uow, second.received(), elsewhere.received())  # JC 3; OTHER 1
    clock.advance(timedelta(hours=1))
    await _publish(new_uow, first.accepted())  # JC 4
    clock.advance(timedelta(days=100))
    await _publish(new_uow, lively.accepted(), elsewhere.accepted())  # JC 5; OTHER 2
    async with new_uow() as uow:
        assert await uow.partner_feed.pruned(JC) is None
    # One referral a round, in whichever order: what is told is the widest of them all.
    removed = []
    for _ in range(2):
        async with new_uow() as uow:
            removed.append(await uow.partner_feed.prune(MONDAY_9 + timedelta(days=90), 1))
            await uow.commit()
    assert sorted(removed) == [1, 2]  # the first referral's two events, the second's one
    async with new_uow() as uow:
        told = await uow.partner_feed.pruned(JC)
        assert told == Pruned(through=4, written_until=MONDAY_9 + timedelta(hours=2))
        assert await uow.partner_feed.pruned(OTHER) is None  # nothing of it went
        kept = (await uow.partner_feed.after(JC, 0, 10)).events
        assert [e.cursor for e in kept] == [2, 5]
        assert await uow.partner_feed.prune(MONDAY_9 + timedelta(days=90), 10) == 0
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.partner_feed.pruned(JC) == told  # a round that forgets nothing changes nothing


@pytest.mark.parametrize("storage", [pytest.param("postgres", marks=pytest.mark.servers)], indirect=True)
async def test_the_kept_columns_are_what_each_cloudevent_carries_staged_or_committed(
    new_uow: UowFactory, clock: ManualClock
) -> None:
    """The SQL feed stores an event's subject, type, sequence and time beside its bytes (what
    reading by referral, by time and the retention go by), from what the outbox writer gave it:
    they must be the bytes' own, for the events a consumer's earlier step wrote too."""
    one, two = AReferral(JC), AReferral(OTHER)
    async with new_uow() as uow:
        await publish(uow, Options(), one.received())
        await publish(uow, Options(), two.received())
        await uow.stage()  # an earlier step of one transaction: its outbox rows written now
        clock.advance(timedelta(seconds=1, microseconds=250))
        await publish(uow, Options(), one.accepted())
        await uow.commit()
    async with new_uow() as uow:
        session = getattr(uow, "session")  # noqa: B009  (the SQL unit of work's own)
        rows = (await session.execute(sa.text("SELECT * FROM partner_feed ORDER BY org, cursor"))).all()
    assert [(r.org, r.cursor) for r in rows] == [(JC, 1), (JC, 2), (OTHER, 1)]
    for row in rows:
        entry = entry_of(row.org, row.cursor, row.body)
        assert (row.event_id, row.subject, row.type, row.sequence, row.time) == (
            entry.event_id,
            entry.subject,
            entry.type,
            entry.sequence,
            entry.time,
        )
    assert [r.time for r in rows] == [MONDAY_9, MONDAY_9 + timedelta(seconds=1, microseconds=250), MONDAY_9]

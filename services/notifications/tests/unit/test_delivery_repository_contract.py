"""The delivery and subscription repositories' contract: the dispatcher's claim, attempts kept,
the history people search, and the webhook subscriptions an event finds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from forlob_notifications.application.ports import Claimed
from forlob_notifications.domain.deliveries import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryState,
    new_delivery,
    record_attempt,
    resend,
)
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_shared.clock import ManualClock
from forlob_testkit.in_memory.notifications_world import MONDAY_9, UowFactory

NOW = MONDAY_9
LEASE = timedelta(minutes=2)


def a_delivery(**changes: Any) -> Delivery:
    delivery = new_delivery(
        org=changes.pop("org", "rca"),
        channel=changes.pop("channel", Channel.EMAIL),
        recipient=changes.pop("recipient", "kp-1"),
        event_type="alert.raised",
        content={"subject": "s", "body": "b"},
        now=changes.pop("now", NOW),
        retry_window=timedelta(hours=24),
        alert_id=changes.pop("alert_id", None),
    )
    return replace(delivery, **changes)


def a_subscription(**changes: Any) -> Subscription:
    values: dict[str, Any] = {
        "id": uuid4(),
        "org": "jc",
        "url": "https://partner.example/hook",
        "event_types": ["alert.raised", "absence.unexplained"],
        "secret": new_secret(),
        "owner_staff_id": "admin-1",
        "created_at": NOW,
    }
    values.update(changes)
    return Subscription(**values)


async def add(new_uow: UowFactory, *deliveries: Delivery) -> None:
    async with new_uow() as uow:
        await uow.deliveries.add(*deliveries)
        await uow.commit()


async def test_a_delivery_comes_back_as_stored_and_only_to_its_organisation(new_uow: UowFactory) -> None:
    delivery = a_delivery(alert_id=uuid4())
    await add(new_uow, delivery)
    async with new_uow() as uow:
        assert await uow.deliveries.get(delivery.id) == delivery
        assert await uow.deliveries.get(delivery.id, "rca") == delivery
        assert await uow.deliveries.get(delivery.id, "other") is None


async def test_a_claim_takes_due_pending_deliveries_earliest_first_up_to_the_limit(new_uow: UowFactory) -> None:
    first = a_delivery(next_attempt_at=NOW - timedelta(minutes=2))
    second = a_delivery(next_attempt_at=NOW - timedelta(minutes=1))
    third = a_delivery(next_attempt_at=NOW)
    later = a_delivery(next_attempt_at=NOW + timedelta(seconds=1))
    delivered = a_delivery(next_attempt_at=NOW - timedelta(hours=1), state=DeliveryState.DELIVERED)
    await add(new_uow, third, later, delivered, second, first)
    async with new_uow() as uow:
        claimed = await uow.deliveries.claim(NOW, LEASE, 2)
        await uow.commit()
    assert [c.delivery.id for c in claimed] == [first.id, second.id]
    async with new_uow() as uow:
        rest = await uow.deliveries.claim(NOW, LEASE, 10)
        await uow.commit()
    assert [c.delivery.id for c in rest] == [third.id]  # the first two are leased to the first sender


async def claim_all(new_uow: UowFactory, now: datetime = NOW, lease: timedelta = LEASE) -> dict[UUID, Claimed]:
    async with new_uow() as uow:
        claimed = await uow.deliveries.claim(now, lease, 10)
        await uow.commit()
    return {c.delivery.id: c for c in claimed}


async def test_a_round_is_saved_at_once_ending_its_claims_with_only_what_an_attempt_changes(
    new_uow: UowFactory,
) -> None:
    failing, arriving = a_delivery(), a_delivery()
    await add(new_uow, failing, arriving)
    claimed = await claim_all(new_uow)
    retry = record_attempt(claimed[failing.id].delivery, AttemptOutcome(False, "smtp-unavailable"), NOW)
    record_attempt(claimed[arriving.id].delivery, AttemptOutcome(True), NOW)
    # what no attempt changes is not the round's to write, whatever its copy says
    for mine in claimed.values():
        mine.delivery.content, mine.delivery.give_up_at = {"subject": "not mine"}, NOW
    async with new_uow() as uow:
        assert await uow.deliveries.save_claimed_many(list(claimed.values())) == {failing.id, arriving.id}
        await uow.commit()
    async with new_uow() as uow:
        retrying, delivered = await uow.deliveries.get(failing.id), await uow.deliveries.get(arriving.id)
    assert retrying == replace(failing, attempts=1, next_attempt_at=retry.retry_at, last_error="smtp-unavailable")
    assert delivered == replace(arriving, state=DeliveryState.DELIVERED, attempts=1, delivered_at=NOW)
    assert retry.retry_at is not None
    # the claims ended with the save: the retry is taken again when it is due, by anyone
    assert list(await claim_all(new_uow, retry.retry_at)) == [failing.id]


async def test_a_round_leaves_a_delivery_resent_or_recorded_meanwhile(new_uow: UowFactory, clock: ManualClock) -> None:
    resent, recorded, mine = a_delivery(), a_delivery(), a_delivery()
    await add(new_uow, resent, recorded, mine)
    claimed = await claim_all(new_uow)
    clock.advance(timedelta(seconds=30))
    async with new_uow() as uow:
        by_hand = await uow.deliveries.get(resent.id)  # still pending: re-sending it by hand
        by_another = await uow.deliveries.get(recorded.id)  # another round, its lease taken over
        assert by_hand is not None
        assert by_another is not None
        resend(by_hand, clock.now(), timedelta(hours=1))
        await uow.deliveries.save(by_hand)
        by_another.state, by_another.attempts, by_another.delivered_at = DeliveryState.DELIVERED, 1, clock.now()
        await uow.deliveries.save(by_another)
        await uow.commit()
    for claim in claimed.values():
        record_attempt(claim.delivery, AttemptOutcome(False, "smtp-unavailable"), NOW)
    async with new_uow() as uow:
        assert await uow.deliveries.save_claimed_many(list(claimed.values())) == {mine.id}
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.deliveries.get(resent.id) == by_hand
        assert await uow.deliveries.get(recorded.id) == by_another
        stored = await uow.deliveries.get(mine.id)
    assert stored is not None
    assert (stored.attempts, stored.last_error) == (1, "smtp-unavailable")


async def a_lease_run_out_and_taken_over(new_uow: UowFactory) -> tuple[Delivery, Claimed, Claimed]:
    """Round A claims a delivery and its send outlasts the lease (a lease of nothing: run out at
    once, in the database's own time), so round B claims the same delivery."""
    delivery = a_delivery()
    await add(new_uow, delivery)
    first = (await claim_all(new_uow, lease=timedelta(0)))[delivery.id]
    second = (await claim_all(new_uow))[delivery.id]
    assert second.until != first.until
    return delivery, first, second


async def save(new_uow: UowFactory, claim: Claimed, outcome: AttemptOutcome) -> set[UUID]:
    record_attempt(claim.delivery, outcome, NOW)
    async with new_uow() as uow:
        saved = await uow.deliveries.save_claimed_many([claim])
        await uow.commit()
    return saved


async def test_a_round_whose_lease_ran_out_saving_late_leaves_the_newer_rounds_outcome(new_uow: UowFactory) -> None:
    delivery, late, newer = await a_lease_run_out_and_taken_over(new_uow)
    assert await save(new_uow, newer, AttemptOutcome(True)) == {delivery.id}
    assert await save(new_uow, late, AttemptOutcome(False, "smtp-timeout")) == set()
    stored = await new_uow_get(new_uow, delivery.id)
    assert stored == replace(delivery, state=DeliveryState.DELIVERED, attempts=1, delivered_at=NOW)


async def test_a_round_whose_lease_ran_out_is_refused_while_the_newer_round_holds_the_claim(
    new_uow: UowFactory,
) -> None:
    delivery, late, newer = await a_lease_run_out_and_taken_over(new_uow)
    assert await save(new_uow, late, AttemptOutcome(False, "smtp-timeout")) == set()
    assert await new_uow_get(new_uow, delivery.id) == delivery  # not a retry: still being sent
    assert await claim_all(new_uow) == {}  # and still the newer round's
    assert await save(new_uow, newer, AttemptOutcome(True)) == {delivery.id}
    stored = await new_uow_get(new_uow, delivery.id)
    assert stored == replace(delivery, state=DeliveryState.DELIVERED, attempts=1, delivered_at=NOW)


async def test_an_empty_round_saves_nothing_and_a_delivery_twice_is_refused(new_uow: UowFactory) -> None:
    delivery = a_delivery()
    await add(new_uow, delivery)
    claimed = await claim_all(new_uow)
    async with new_uow() as uow:
        assert await uow.deliveries.save_claimed_many([]) == set()
        with pytest.raises(ValueError, match="once"):
            await uow.deliveries.save_claimed_many([claimed[delivery.id], claimed[delivery.id]])
    assert await new_uow_get(new_uow, delivery.id) == delivery
    assert await claim_all(new_uow) == {}  # still claimed: nothing was saved


async def new_uow_get(new_uow: UowFactory, delivery_id: UUID) -> Delivery | None:
    async with new_uow() as uow:
        return await uow.deliveries.get(delivery_id)


async def test_attempts_are_kept_in_order_per_delivery(new_uow: UowFactory) -> None:
    one, two, three = a_delivery(), a_delivery(), a_delivery()
    await add(new_uow, one, two, three)
    async with new_uow() as uow:
        await uow.deliveries.record_attempts(
            [(one.id, 1, AttemptOutcome(False, "http-500", "boom", status_code=500, duration_ms=12))], NOW
        )
        await uow.deliveries.record_attempts(
            [
                (two.id, 1, AttemptOutcome(False, "timeout", "x" * 2000)),
                (one.id, 2, AttemptOutcome(True, duration_ms=3)),
            ],
            NOW + LEASE,
        )
        await uow.deliveries.record_attempts([], NOW)
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.deliveries.attempts([one.id, two.id, three.id])
    assert [(a.number, a.ok, a.error_code, a.attempted_at) for a in found[two.id]] == [
        (1, False, "timeout", NOW + LEASE)
    ]
    assert found[three.id] == []
    assert [(a.number, a.ok, a.error_code, a.status_code, a.duration_ms) for a in found[one.id]] == [
        (1, False, "http-500", 500, 12),
        (2, True, None, None, 3),
    ]
    assert found[one.id][1].attempted_at == NOW + LEASE


async def test_the_history_searches_an_organisations_deliveries_newest_first(new_uow: UowFactory) -> None:
    old = a_delivery(now=NOW - timedelta(hours=2))
    new = a_delivery(now=NOW)
    hook = a_delivery(channel=Channel.WEBHOOK, recipient="sub-1", now=NOW - timedelta(hours=1))
    failed = a_delivery(state=DeliveryState.FAILED, now=NOW - timedelta(hours=3))
    theirs = a_delivery(org="other")
    await add(new_uow, old, new, hook, failed, theirs)
    async with new_uow() as uow:

        async def ids(**query: Any) -> list[Any]:
            values: dict[str, Any] = {"channel": None, "recipient": None, "state": None, "limit": 10, **query}
            return [d.id for d in await uow.deliveries.search("rca", **values)]

        assert await ids() == [new.id, hook.id, old.id, failed.id]
        assert await ids(channel="webhook") == [hook.id]
        assert await ids(recipient="sub-1") == [hook.id]
        assert await ids(state="failed") == [failed.id]
        assert await ids(limit=2) == [new.id, hook.id]


async def test_an_alerts_deliveries_and_a_recipients_pending_ones(new_uow: UowFactory) -> None:
    alert_id = uuid4()
    second = a_delivery(alert_id=alert_id, now=NOW + timedelta(seconds=1))
    first = a_delivery(alert_id=alert_id, now=NOW)
    done = a_delivery(state=DeliveryState.DELIVERED)
    await add(new_uow, second, first, done, a_delivery(alert_id=uuid4()))
    async with new_uow() as uow:
        assert [d.id for d in await uow.deliveries.for_alert(alert_id)] == [first.id, second.id]
        pending = await uow.deliveries.pending_for(Channel.EMAIL, "kp-1")
        assert done.id not in {d.id for d in pending}
        assert {first.id, second.id} <= {d.id for d in pending}
        assert await uow.deliveries.pending_for(Channel.WEBHOOK, "kp-1") == []


async def test_a_subscription_is_found_by_id_organisation_and_event_type(new_uow: UowFactory) -> None:
    wanted = a_subscription()
    disabled = a_subscription(enabled=False, created_at=NOW + timedelta(seconds=1))
    other_type = a_subscription(event_types=["referral.received"], created_at=NOW + timedelta(seconds=2))
    theirs = a_subscription(org="rca")
    async with new_uow() as uow:
        for subscription in (wanted, disabled, other_type, theirs):
            await uow.subscriptions.add(subscription)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.subscriptions.get(wanted.id) == wanted
        assert await uow.subscriptions.get(wanted.id, "jc") == wanted
        assert await uow.subscriptions.get(wanted.id, "rca") is None
        assert [s.id for s in await uow.subscriptions.of_org("jc")] == [wanted.id, disabled.id, other_type.id]
        assert [s.id for s in await uow.subscriptions.wanting("jc", "absence.unexplained")] == [wanted.id]
        assert await uow.subscriptions.wanting("jc", "programme.ended") == []
        assert set(await uow.subscriptions.many([wanted.id, theirs.id, uuid4()])) == {wanted.id, theirs.id}
        assert await uow.subscriptions.many([]) == {}


async def test_a_saved_or_deleted_subscription_changes_what_an_event_finds(new_uow: UowFactory) -> None:
    subscription = a_subscription()
    async with new_uow() as uow:
        await uow.subscriptions.add(subscription)
        assert len(await uow.subscriptions.wanting("jc", "alert.raised")) == 1
        subscription.disable("by hand", NOW)
        await uow.subscriptions.save(subscription)
        assert await uow.subscriptions.wanting("jc", "alert.raised") == []  # within the same transaction too
        await uow.commit()
    async with new_uow() as uow:
        stored = await uow.subscriptions.get(subscription.id)
        assert stored is not None
        assert not stored.enabled
        assert stored.disabled_reason == "by hand"
        await uow.subscriptions.delete(subscription.id)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.subscriptions.get(subscription.id) is None


async def test_expired_previous_secrets_are_dropped_and_counted(new_uow: UowFactory) -> None:
    expired, running, plain = a_subscription(), a_subscription(), a_subscription()
    expired.rotate_secret(NOW - timedelta(hours=2), timedelta(hours=1))
    running.rotate_secret(NOW, timedelta(hours=1))
    async with new_uow() as uow:
        for subscription in (expired, running, plain):
            await uow.subscriptions.add(subscription)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.subscriptions.drop_expired_secrets(NOW) == 1
        await uow.commit()
    async with new_uow() as uow:
        after = await uow.subscriptions.many([expired.id, running.id])
    assert after[expired.id].previous_secret is None
    assert after[expired.id].previous_secret_expires_at is None
    assert after[running.id].previous_secret is not None

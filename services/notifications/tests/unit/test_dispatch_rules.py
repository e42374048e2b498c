"""The dispatcher's decisions over the in-memory unit of work and senders that answer as told:
delivered, retried with back-off (jitter for webhooks, a partner's Retry-After), given up at the
end of the retry window, and a persistent failure disabling its subscription with its owner told."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from structlog.testing import capture_logs

from forlob_notifications.application import subscriptions
from forlob_notifications.application.dispatch import dispatch_due
from forlob_notifications.domain.alerts import AlertKind
from forlob_notifications.domain.deliveries import AttemptOutcome, Channel, Delivery, DeliveryState
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_shared.events import AlertRaised, NotificationDelivered, NotificationFailed
from forlob_shared.http.auth import Principal
from forlob_testkit.in_memory.notifications_world import MONDAY_9, PROVIDER, Notifications

OK = AttemptOutcome(True, status_code=200, duration_ms=5)
DOWN = AttemptOutcome(False, "smtp-unavailable", "connection refused")


@dataclass
class Senders:
    """Answers each call with the next outcome of its channel (the last one again when run out)."""

    emails: list[AttemptOutcome] = field(default_factory=lambda: [OK])
    webhooks: list[AttemptOutcome] = field(default_factory=lambda: [OK])
    sent_mail: list[tuple[str, str, str]] = field(default_factory=list)
    called: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)

    async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
        self.sent_mail.append((to, subject, message_id))
        return self.emails.pop(0) if len(self.emails) > 1 else self.emails[0]

    async def webhook(
        self, url: str, secrets: Sequence[str], delivery_id: str, payload: dict[str, object]
    ) -> AttemptOutcome:
        self.called.append((url, tuple(secrets), delivery_id))
        return self.webhooks.pop(0) if len(self.webhooks) > 1 else self.webhooks[0]


@dataclass
class HeldSenders(Senders):
    """Senders whose e-mail is held mid-send until the test lets it go: a slow send."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
        self.started.set()
        await self.go.wait()
        return await super().email(to, subject, body, message_id)


async def an_e_mail(world: Notifications) -> Delivery:
    await world.staff_the_provider()
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    [mail] = await world.deliveries_of(alert)
    return mail


async def a_webhook(world: Notifications) -> tuple[Subscription, Delivery]:
    hook = Subscription(
        id=uuid4(),
        org=PROVIDER,
        url="https://partner.example/hook",
        event_types=["alert.raised"],
        secret=new_secret(),
        owner_staff_id="admin-1",
        created_at=MONDAY_9,
    )
    async with world.uow() as uow:
        await uow.subscriptions.add(hook)
        await uow.commit()
    await world.put_staff("admin-1", role="admin")
    await world.staff_the_provider()
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    [call] = [d for d in await world.deliveries_of(alert) if d.channel is Channel.WEBHOOK]
    return hook, call


async def stored(world: Notifications, delivery_id: UUID) -> Delivery:
    async with world.uow() as uow:
        found = await uow.deliveries.get(delivery_id)
    assert found is not None
    return found


async def dispatch(world: Notifications, senders: Senders, rand: float = 0.5) -> tuple[int, int]:
    result = await dispatch_due(world.uow, senders, world.options, world.clock.now(), rand=lambda: rand)
    return result.attempted, result.delivered


async def test_an_e_mail_goes_to_the_address_in_the_directory_under_its_delivery_id(world: Notifications) -> None:
    mail = await an_e_mail(world)
    senders = Senders()
    assert await dispatch(world, senders) == (1, 1)
    [(to, subject, message_id)] = senders.sent_mail
    assert (to, message_id) == ("kp-1@example.org", f"<{mail.id}@forlob>")
    assert subject == mail.content["subject"]
    sent = await stored(world, mail.id)
    assert (sent.state, sent.attempts, sent.delivered_at) == (DeliveryState.DELIVERED, 1, MONDAY_9)
    [delivered] = world.published_of(NotificationDelivered)
    assert (delivered.notification_id, delivered.attempts) == (mail.id, 1)


async def test_nothing_due_sends_nothing(world: Notifications) -> None:
    senders = Senders()
    assert await dispatch(world, senders) == (0, 0)
    assert senders.sent_mail == []


async def test_every_attempt_is_recorded(world: Notifications) -> None:
    mail = await an_e_mail(world)
    await dispatch(world, Senders(emails=[DOWN]))
    world.clock.advance(timedelta(seconds=5))
    await dispatch(world, Senders())
    async with world.uow() as uow:
        attempts = (await uow.deliveries.attempts([mail.id]))[mail.id]
    assert [(a.number, a.ok, a.error_code) for a in attempts] == [(1, False, "smtp-unavailable"), (2, True, None)]
    assert [a.attempted_at for a in attempts] == [MONDAY_9, MONDAY_9 + timedelta(seconds=5)]


@pytest.mark.parametrize(("failures", "gap"), [(1, 5), (2, 10), (3, 20), (4, 40), (7, 300), (9, 300)])
async def test_a_failed_e_mail_backs_off_doubling_up_to_five_minutes(
    world: Notifications, failures: int, gap: int
) -> None:
    mail = await an_e_mail(world)
    for _ in range(failures):
        current = await stored(world, mail.id)
        world.clock.set(current.next_attempt_at)
        await dispatch(world, Senders(emails=[DOWN]))
    after = await stored(world, mail.id)
    assert after.attempts == failures
    assert after.next_attempt_at - world.clock.now() == timedelta(seconds=gap)
    assert after.state is DeliveryState.PENDING


async def test_a_delivery_is_not_sent_before_its_retry(world: Notifications) -> None:
    mail = await an_e_mail(world)
    await dispatch(world, Senders(emails=[DOWN]))
    world.clock.advance(timedelta(seconds=4))
    senders = Senders()
    assert await dispatch(world, senders) == (0, 0)
    assert (await stored(world, mail.id)).attempts == 1


async def test_the_first_failure_is_told_once_and_not_each_retry(world: Notifications) -> None:
    mail = await an_e_mail(world)
    for _ in range(3):
        world.clock.set((await stored(world, mail.id)).next_attempt_at)
        await dispatch(world, Senders(emails=[DOWN]))
    failed = world.published_of(NotificationFailed)
    assert [(f.attempts, f.final, f.error_code) for f in failed] == [(1, False, "smtp-unavailable")]


async def test_an_e_mail_without_an_address_waits_for_the_directory(world: Notifications) -> None:
    mail = await an_e_mail(world)
    await world.put_staff("kp-1", email=None, channels=["inbox"], team_leader_id="tl-1")
    await dispatch(world, Senders())
    waiting = await stored(world, mail.id)
    assert (waiting.state, waiting.last_error) == (DeliveryState.PENDING, "no-address")
    await world.put_staff("kp-1", team_leader_id="tl-1")  # the address is back
    world.clock.set(waiting.next_attempt_at)
    senders = Senders()
    assert await dispatch(world, senders) == (1, 1)
    assert senders.sent_mail[0][0] == "kp-1@example.org"


async def test_an_e_mail_fails_for_good_at_the_end_of_the_retry_window(world: Notifications) -> None:
    mail = await an_e_mail(world)
    world.clock.set(mail.give_up_at - timedelta(seconds=8))
    await dispatch(world, Senders(emails=[DOWN]))  # retried 5 s later, inside the window
    assert (await stored(world, mail.id)).state is DeliveryState.PENDING
    world.clock.set((await stored(world, mail.id)).next_attempt_at)
    await dispatch(world, Senders(emails=[DOWN]))  # the next retry (10 s) would come after the window
    final = await stored(world, mail.id)
    assert final.state is DeliveryState.FAILED
    assert [f.final for f in world.published_of(NotificationFailed)] == [False, True]


async def test_a_webhook_is_signed_with_the_subscriptions_secret_under_the_delivery_id(world: Notifications) -> None:
    hook, call = await a_webhook(world)
    senders = Senders()
    await dispatch(world, senders)
    assert senders.called == [(hook.url, (hook.secret,), str(call.id))]
    assert (await stored(world, call.id)).state is DeliveryState.DELIVERED


async def test_while_a_rotation_overlaps_both_secrets_sign(world: Notifications) -> None:
    hook, _ = await a_webhook(world)
    old = hook.secret
    hook.rotate_secret(MONDAY_9, timedelta(hours=24))
    async with world.uow() as uow:
        await uow.subscriptions.save(hook)
        await uow.commit()
    senders = Senders()
    await dispatch(world, senders)
    assert senders.called[0][1] == (hook.secret, old)


@pytest.mark.parametrize(("rand", "gap"), [(0.5, 2.5), (0.9, 4.5), (0.0, 1.0)])
async def test_a_failed_webhook_waits_a_random_share_of_its_back_off(
    world: Notifications, rand: float, gap: float
) -> None:
    _, call = await a_webhook(world)
    await dispatch(world, Senders(emails=[OK], webhooks=[AttemptOutcome(False, "http-500", status_code=500)]), rand)
    after = await stored(world, call.id)
    assert after.next_attempt_at - MONDAY_9 == timedelta(seconds=gap)


async def test_a_partners_retry_after_is_honoured(world: Notifications) -> None:
    _, call = await a_webhook(world)
    busy = AttemptOutcome(False, "http-429", status_code=429, retry_after=timedelta(minutes=10))
    await dispatch(world, Senders(webhooks=[busy]))
    assert (await stored(world, call.id)).next_attempt_at == MONDAY_9 + timedelta(minutes=10)


async def test_a_webhook_to_a_disabled_subscription_fails_at_once(world: Notifications) -> None:
    hook, call = await a_webhook(world)
    hook.disable("by hand", MONDAY_9)
    async with world.uow() as uow:
        await uow.subscriptions.save(hook)
        await uow.commit()
    senders = Senders()
    await dispatch(world, senders)
    assert senders.called == []
    failed = await stored(world, call.id)
    assert (failed.state, failed.last_error) == (DeliveryState.FAILED, "subscription-disabled")


async def test_a_persistent_failure_disables_the_subscription_and_tells_its_owner(world: Notifications) -> None:
    hook, call = await a_webhook(world)
    world.clock.set(call.give_up_at - timedelta(seconds=1))
    await dispatch(world, Senders(webhooks=[AttemptOutcome(False, "http-503", status_code=503)]))
    assert (await stored(world, call.id)).state is DeliveryState.FAILED
    async with world.uow() as uow:
        off = await uow.subscriptions.get(hook.id)
        told = await uow.alerts.inbox(PROVIDER, "admin-1", states=None, kinds=None, since=None, limit=5)
    assert off is not None
    assert not off.enabled
    assert off.disabled_reason is not None
    assert "http-503" in off.disabled_reason
    [alert] = told
    assert alert.kind is AlertKind.WEBHOOK_DISABLED
    assert alert.facts == {"subscription_id": str(hook.id), "retry_hours": 24, "error": "http-503"}
    assert any(r.kind == "webhook_disabled" for r in world.published_of(AlertRaised))
    [mail] = await world.deliveries_of(alert)
    assert (mail.recipient, mail.channel) == ("admin-1", Channel.EMAIL)
    assert "24" in mail.content["body"]


async def test_a_delivery_resent_while_it_was_being_sent_keeps_the_resend(world: Notifications) -> None:
    mail = await an_e_mail(world)

    class ResendingSenders(Senders):
        async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
            async with world.uow() as uow:  # someone marks it delivered by another round meanwhile
                found = await uow.deliveries.get(mail.id)
                assert found is not None
                found.state = DeliveryState.DELIVERED
                await uow.deliveries.save(found)
                await uow.commit()
            return DOWN

    await dispatch(world, ResendingSenders())
    after = await stored(world, mail.id)
    assert (after.state, after.attempts) == (DeliveryState.DELIVERED, 0)
    async with world.uow() as uow:
        assert (await uow.deliveries.attempts([mail.id]))[mail.id] == []


async def test_a_pending_delivery_resent_by_hand_while_it_was_being_sent_keeps_the_resend(
    world: Notifications,
) -> None:
    mail, other = await an_e_mail(world), await an_e_mail(world)
    admin = Principal("admin-1", PROVIDER, frozenset({"admin"}))
    resent_at = world.clock.now() + timedelta(seconds=3)  # before the retry in 5 s

    class ResendingSenders(Senders):
        async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
            if message_id == f"<{mail.id}@forlob>":  # still pending: someone re-sends it by hand
                world.clock.set(resent_at)
                await subscriptions.resend_delivery(world.uow(), world.options, admin, mail.id)
            return DOWN

    assert await dispatch(world, ResendingSenders()) == (2, 0)
    resent = await stored(world, mail.id)
    assert (resent.state, resent.attempts, resent.last_error) == (DeliveryState.PENDING, 0, None)
    assert resent.next_attempt_at == resent_at  # not the round's retry in 5 s
    assert resent.give_up_at == resent_at + world.options.retry_window
    retried = await stored(world, other.id)
    assert (retried.attempts, retried.last_error) == (1, "smtp-unavailable")
    # its outcome is neither on record nor reported; the other's is both
    async with world.uow() as uow:
        attempts = await uow.deliveries.attempts([mail.id, other.id])
    assert (len(attempts[mail.id]), len(attempts[other.id])) == (0, 1)
    assert [f.notification_id for f in world.published_of(NotificationFailed)] == [other.id]
    # the re-send is due now and goes out in the next round
    senders = Senders()
    assert await dispatch(world, senders) == (1, 1)
    assert [m[2] for m in senders.sent_mail] == [f"<{mail.id}@forlob>"]


async def test_a_round_whose_lease_ran_out_keeps_nothing_and_the_round_that_took_over_keeps_its_outcome(
    world: Notifications,
) -> None:
    mail = await an_e_mail(world)
    slow, newer = HeldSenders(emails=[DOWN]), HeldSenders()
    late = asyncio.create_task(dispatch(world, slow))
    await asyncio.wait_for(slow.started.wait(), timeout=5)
    world.clock.advance(world.options.claim_lease + timedelta(seconds=1))  # the send outlasts its lease
    taking_over = asyncio.create_task(dispatch(world, newer))
    await asyncio.wait_for(newer.started.wait(), timeout=5)  # claimed again, and being sent
    with capture_logs() as logs:
        slow.go.set()
        assert await asyncio.wait_for(late, timeout=5) == (1, 0)  # its failure comes back late
    assert logs == [{"event": "delivery.claim_lost", "log_level": "warning", "delivery_id": str(mail.id)}]
    newer.go.set()
    assert await asyncio.wait_for(taking_over, timeout=5) == (1, 1)
    after = await stored(world, mail.id)
    assert (after.state, after.attempts, after.last_error) == (DeliveryState.DELIVERED, 1, None)
    assert after.delivered_at == world.clock.now()
    async with world.uow() as uow:
        attempts = (await uow.deliveries.attempts([mail.id]))[mail.id]
    assert [(a.number, a.ok) for a in attempts] == [(1, True)]  # the late round's is not on record
    assert [d.notification_id for d in world.published_of(NotificationDelivered)] == [mail.id]
    assert world.published_of(NotificationFailed) == []

"""Nothing vanishes: SMTP or a webhook being down delays a delivery, never drops it; every attempt
is on record; a webhook failing for good disables its subscription and tells the owner."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from forlob_notifications.application.dispatch import DispatchResult, dispatch_due
from forlob_shared.events import AgreementBreached
from forlob_testkit.wait import eventually


async def test_smtp_down_for_a_while_then_the_email_arrives(world: Any, collector: Any) -> None:
    course = await world.start_course()
    world.smtp.stop()
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")

    async def attempted(n: int) -> Any:
        rows = await world.rows("SELECT * FROM deliveries WHERE alert_id = :a", a=alert["id"])
        return rows[0] if rows and rows[0]["attempts"] >= n else None

    first = await eventually(lambda: attempted(1), what="a first, failed attempt")
    assert first["state"] == "pending"
    assert first["last_error"] == "smtp-unavailable"
    assert first["next_attempt_at"] == world.clock.now() + timedelta(seconds=5)
    world.clock.advance(timedelta(seconds=5))
    second = await eventually(lambda: attempted(2), what="a second, failed attempt")
    assert second["state"] == "pending"
    assert second["next_attempt_at"] == world.clock.now() + timedelta(seconds=10)

    world.smtp.start()
    world.clock.advance(timedelta(seconds=10))
    mails = await eventually(lambda: _mails(world, "kp1@rca.example"), what="the e-mail after SMTP returned")
    assert len(mails) == 1
    delivered = await eventually(lambda: attempted(3), what="the delivery to be recorded")
    assert delivered["state"] == "delivered"
    attempts = await world.rows(
        "SELECT ok, error_code FROM delivery_attempts WHERE delivery_id = :d ORDER BY number", d=delivered["id"]
    )
    assert [(a["ok"], a["error_code"]) for a in attempts] == [
        (False, "smtp-unavailable"),
        (False, "smtp-unavailable"),
        (True, None),
    ]
    await eventually(lambda: _has(collector, "notification.delivered.v1"), what="notification.delivered")
    [failed] = world.events(collector, "notification.failed.v1")  # the first failure, not every one
    assert failed["final"] is False
    assert failed["error_code"] == "smtp-unavailable"
    [done] = world.events(collector, "notification.delivered.v1")
    assert done["attempts"] == 3


async def _subscribe(world: Any, receiver: Any, event_types: list[str]) -> dict[str, Any]:
    await world.put_staff(world.jobcentre, "cw-1", role="caseworker", email="cw1@jobcenter.example")
    await world.put_staff(world.jobcentre, "admin-1", role="admin", email="it@jobcenter.example")
    created = await world.client.post(
        "/webhooks/subscriptions",
        json={"url": receiver.url, "event_types": event_types, "description": "case system"},
        headers=world.auth(world.jobcentre, "admin-1", "admin"),
    )
    assert created.status_code == 201, created.text
    subscription: dict[str, Any] = created.json()
    assert subscription["secret"].startswith("whsec_")
    receiver.secret = subscription["secret"]
    return subscription


def _breach(world: Any, course: Any) -> AgreementBreached:
    return AgreementBreached(
        **world.of_course(course),
        breach_id=uuid4(),
        rule="unexcused_in_window",
        unexcused_absences=3,
        window_first_day=date(2026, 11, 10),
        window_last_day=date(2026, 11, 23),
        absence_ids=[uuid4(), uuid4(), uuid4()],
        detected_at=world.clock.now(),
    )


async def test_a_webhook_failing_five_times_then_recovering_gets_the_event_once(
    world: Any, webhook_receiver: Any, collector: Any
) -> None:
    subscription = await _subscribe(world, webhook_receiver, ["attendance.agreement_breached"])
    webhook_receiver.fail_next = 5
    course = await world.start_course()
    breach = _breach(world, course)
    await world.publish(breach)
    alert = await world.alert_for(f"breach:{breach.breach_id}")
    assert alert["org"] == world.jobcentre
    assert alert["recipient_staff_id"] == "cw-1"

    async def webhook_attempts(n: int) -> Any:
        rows = await world.rows("SELECT * FROM deliveries WHERE channel = 'webhook' AND alert_id = :a", a=alert["id"])
        return rows[0] if rows and rows[0]["attempts"] >= n else None

    gaps = [5, 10, 20, 40, 80]  # seconds: exponential back-off, of which a random share is waited (jitter)
    for attempt, gap in enumerate(gaps, start=1):
        row = await eventually(lambda attempt=attempt: webhook_attempts(attempt), what=f"attempt {attempt}")
        assert row["state"] == "pending"
        waited = row["next_attempt_at"] - world.clock.now()
        assert timedelta(seconds=1) <= waited <= timedelta(seconds=gap)
        world.clock.advance(timedelta(seconds=gap))
    delivered = await eventually(lambda: webhook_attempts(6), what="the sixth attempt")
    assert delivered["state"] == "delivered"

    # every request was signed (verified by the receiver) and carried the same webhook-id
    assert len(webhook_receiver.requests) == 6
    assert all(r["verified"] for r in webhook_receiver.requests)
    assert {r["headers"]["webhook-id"] for r in webhook_receiver.requests} == {str(delivered["id"])}
    assert {r["body"] for r in webhook_receiver.requests} == {webhook_receiver.requests[0]["body"]}
    [payload] = webhook_receiver.accepted.values()
    assert payload["type"] == "attendance.agreement_breached"
    # the partner contract's notice: coded facts about the referral, nothing of the caseworker's alert
    assert payload["data"]["participant_id"] == str(course.participant_id)
    assert payload["data"]["breach_id"] == str(breach.breach_id)
    assert payload["data"]["unexcused_absences"] == 3
    assert "link" not in payload["data"]
    assert "alert_id" not in payload["data"]

    # the caseworker got the e-mail too, and every attempt is on record through the API
    await eventually(lambda: _mails(world, "cw1@jobcenter.example"), what="the caseworker's e-mail")
    admin = world.auth(world.jobcentre, "admin-1", "admin")
    listed = await world.client.get("/deliveries", params={"subscription_id": subscription["id"]}, headers=admin)
    [record] = listed.json()
    assert [a["status_code"] for a in record["attempts"]] == [503, 503, 503, 503, 503, 204]
    assert record["state"] == "delivered"
    # the provider cannot see the jobcentre's deliveries
    provider_admin = world.auth(world.provider, "admin-1", "admin")
    assert (await world.client.get(f"/deliveries/{record['id']}", headers=provider_admin)).status_code == 404

    # a manual re-send goes out again under the same id: the partner recognises it
    resent = await world.client.post(f"/deliveries/{record['id']}/resend", headers=admin)
    assert resent.status_code == 200, resent.text
    await eventually(lambda: _count(webhook_receiver.requests, 7), what="the re-sent webhook")
    assert webhook_receiver.requests[-1]["headers"]["webhook-id"] == str(delivered["id"])
    assert len(webhook_receiver.accepted) == 1


async def test_persistent_failure_disables_the_subscription_and_tells_its_owner(
    make_world: Any, senders: Any, webhook_receiver: Any, collector: Any
) -> None:
    # A 36-second retry window instead of 24 hours, and the dispatcher run by the test.
    async with make_world(delivery_retry_hours=0.01, background_tasks=False) as world:
        subscription = await _subscribe(world, webhook_receiver, ["attendance.agreement_breached"])
        webhook_receiver.fail_next = 1000
        course = await world.start_course()
        breach = _breach(world, course)
        await world.publish(breach)
        alert = await world.alert_for(f"breach:{breach.breach_id}")

        whole = 1.0  # no jitter: each retry waits its whole back-off
        for gap in (5, 10, 20):
            await dispatch_due(world.uow, senders, world.options, world.clock.now(), rand=lambda: whole)
            world.clock.advance(timedelta(seconds=gap))
        await dispatch_due(world.uow, senders, world.options, world.clock.now(), rand=lambda: whole)  # 35 s: the last
        [hook] = await world.rows("SELECT * FROM deliveries WHERE channel = 'webhook'")
        assert hook["state"] == "failed"
        assert hook["attempts"] == 4
        assert len(webhook_receiver.requests) == 4

        admin = world.auth(world.jobcentre, "admin-1", "admin")
        state = (await world.client.get(f"/webhooks/subscriptions/{subscription['id']}", headers=admin)).json()
        assert state["enabled"] is False
        assert "http-503" in state["disabled_reason"]
        # the owner is told, in the inbox and by e-mail
        [notice] = (await world.client.get("/inbox", params={"kind": "webhook_disabled"}, headers=admin)).json()
        assert notice["facts"]["subscription_id"] == subscription["id"]
        await dispatch_due(world.uow, senders, world.options, world.clock.now())
        [mail] = world.smtp.to("it@jobcenter.example")
        assert mail.message["Subject"] == "Webhook slået fra efter gentagne fejl"
        await eventually(lambda: _final_failure(world, collector), what="notification.failed (final)")

        # nothing more goes to a disabled subscription; re-sending needs it enabled again
        refused = await world.client.post(f"/deliveries/{hook['id']}/resend", headers=admin)
        assert refused.status_code == 409
        webhook_receiver.fail_next = 0
        enabled = await world.client.patch(
            f"/webhooks/subscriptions/{subscription['id']}", json={"enabled": True}, headers=admin
        )
        assert enabled.json()["enabled"] is True
        assert (await world.client.post(f"/deliveries/{hook['id']}/resend", headers=admin)).status_code == 200
        await dispatch_due(world.uow, senders, world.options, world.clock.now())
        record = (await world.client.get(f"/deliveries/{hook['id']}", headers=admin)).json()
        assert record["state"] == "delivered"
        assert len(record["attempts"]) == 5
        assert list(webhook_receiver.accepted) == [str(hook["id"])]
        assert alert["id"]


async def _final_failure(world: Any, collector: Any) -> bool:
    return any(e["final"] and e["channel"] == "webhook" for e in world.events(collector, "notification.failed.v1"))


async def _mails(world: Any, address: str) -> Any:
    return world.smtp.to(address)


async def _has(collector: Any, routing_key: str) -> bool:
    return any(m.routing_key == routing_key for m in collector.messages)


async def _count(items: list[Any], n: int) -> bool:
    return len(items) >= n


class _SlowSenders:
    """Real senders whose e-mail waits until the test lets it go: a send in progress."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started = asyncio.Event()
        self.go = asyncio.Event()

    async def email(self, to: str, subject: str, body: str, message_id: str) -> Any:
        self.started.set()
        await self.go.wait()
        return await self.real.email(to, subject, body, message_id)

    async def webhook(self, url: str, secrets: Any, delivery_id: str, payload: dict[str, object]) -> Any:
        return await self.real.webhook(url, secrets, delivery_id, payload)


async def test_a_delivery_being_sent_is_not_sent_again_when_the_clock_moves_on(make_world: Any, senders: Any) -> None:
    # The lease of a claimed delivery is database time: the business clock jumping on (as a
    # moved test clock or an operator's correction does) must not hand it to a second sender.
    async with make_world(background_tasks=False) as world:
        course = await world.start_course()
        absence = world.absence(course)
        await world.publish(absence)
        await world.alert_for(f"absence:{absence.absence_id}")
        slow = _SlowSenders(senders)
        first = asyncio.create_task(dispatch_due(world.uow, slow, world.options, world.clock.now()))
        await asyncio.wait_for(slow.started.wait(), timeout=10)

        world.clock.advance(world.options.claim_lease + timedelta(hours=1))
        second = await dispatch_due(world.uow, senders, world.options, world.clock.now())
        assert second.attempted == 0
        slow.go.set()
        assert (await asyncio.wait_for(first, timeout=10)).delivered == 1
        assert len(world.smtp.to("kp1@rca.example")) == 1
        assert (await dispatch_due(world.uow, senders, world.options, world.clock.now())).attempted == 0


async def test_a_lease_that_ran_out_in_database_time_lets_another_sender_take_over(
    make_world: Any, senders: Any
) -> None:
    # A sender that crashed after claiming: with a lease of zero it has run out at once.
    async with make_world(background_tasks=False) as world:
        course = await world.start_course()
        absence = world.absence(course)
        await world.publish(absence)
        await world.alert_for(f"absence:{absence.absence_id}")
        async with world.uow() as uow:
            [claimed] = await uow.deliveries.claim(world.clock.now(), timedelta(0), 10)
            await uow.commit()
        result = await dispatch_due(world.uow, senders, world.options, world.clock.now())
        assert (result.attempted, result.delivered) == (1, 1)
        [mail] = world.smtp.to("kp1@rca.example")
        assert mail.message["Message-ID"] == f"<{claimed.delivery.id}@forlob>"


async def test_a_database_lost_while_recording_is_recorded_again_not_sent_again(make_world: Any, senders: Any) -> None:
    """The database goes away inside the recording transaction (its commit fails), after the
    outcome was applied: the retry must record that outcome, not refuse a delivered delivery
    (which gave the round up, so the lease ran out and the e-mail went out again)."""
    async with make_world(background_tasks=False) as world:
        course = await world.start_course()
        absence = world.absence(course)
        await world.publish(absence)
        await world.alert_for(f"absence:{absence.absence_id}")
        factory = _CommitFailsOnce(world, fail_call=2)
        result = await dispatch_due(factory, senders, world.options, world.clock.now())
        assert (result.attempted, result.delivered, factory.calls) == (1, 1, 3)
        [delivery] = await world.rows("SELECT state, attempts, claimed_until FROM deliveries")
        assert (delivery["state"], delivery["attempts"], delivery["claimed_until"]) == ("delivered", 1, None)
        assert len(await world.rows("SELECT * FROM delivery_attempts")) == 1
        # Nothing is left to claim, even once the lease would have run out.
        assert await dispatch_due(world.uow, senders, world.options, world.clock.now() + timedelta(hours=1)) == (
            DispatchResult(0, 0)
        )
        assert len(world.smtp.to("kp1@rca.example")) == 1


class _CommitFailsOnce:
    """Units of work whose ``fail_call``-th loses its database connection at commit."""

    def __init__(self, world: Any, fail_call: int) -> None:
        self.world, self.fail_call, self.calls = world, fail_call, 0

    def __call__(self) -> Any:
        self.calls += 1
        uow = self.world.uow()
        if self.calls == self.fail_call:

            async def lost() -> None:
                raise ConnectionResetError("the database went away mid-transaction")

            uow.commit = lost
        return uow


class _DatabaseAwayOnce:
    """A unit of work whose database is unreachable when the first outcome is to be recorded."""

    def __init__(self, world: Any, fail_calls: set[int]) -> None:
        self.world, self.fail_calls, self.calls = world, fail_calls, 0

    def __call__(self) -> Any:
        self.calls += 1
        if self.calls in self.fail_calls:
            return _Unreachable()
        return self.world.uow()


class _Unreachable:
    async def __aenter__(self) -> Any:
        raise ConnectionRefusedError("the database is restarting")

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_what_was_sent_is_recorded_once_the_database_is_back_and_not_sent_again(
    make_world: Any, senders: Any
) -> None:
    async with make_world(background_tasks=False) as world:
        course = await world.start_course()
        absence = world.absence(course)
        await world.publish(absence)
        await world.alert_for(f"absence:{absence.absence_id}")
        # Call 1 claims; calls 2 and 3 (recording what was sent) find the database away.
        factory = _DatabaseAwayOnce(world, fail_calls={2, 3})
        result = await dispatch_due(factory, senders, world.options, world.clock.now())
        assert (result.attempted, result.delivered, factory.calls) == (1, 1, 4)
        [delivery] = await world.rows("SELECT state, attempts, claimed_until FROM deliveries")
        assert (delivery["state"], delivery["attempts"], delivery["claimed_until"]) == ("delivered", 1, None)
        assert len(world.smtp.to("kp1@rca.example")) == 1

"""The referring organisation's system hears its referral's milestones by webhook: signed, once,
with pseudonymous data only, and only the types it subscribed to."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from forlob_shared.events import ReferralAccepted, ReferralWaitlisted
from forlob_shared.testing.wait import eventually


async def test_a_subscribed_milestone_reaches_the_referring_organisation_once(
    world: Any, webhook_receiver: Any
) -> None:
    admin = world.auth(world.jobcentre, "admin-1", "admin")
    created = await world.client.post(
        "/webhooks/subscriptions",
        json={"url": webhook_receiver.url, "event_types": ["referral.accepted"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    webhook_receiver.secret = created.json()["secret"]
    referral_id, participant_id = uuid4(), uuid4()
    common = {
        "referral_id": referral_id,
        "participant_id": participant_id,
        "programme_code": "RCA-UDV-13",
        "referring_org": world.jobcentre,
        "provider_org": world.provider,
    }
    accepted = ReferralAccepted(**common, intake_date=date(2026, 11, 30), decided_at=datetime.now(UTC))
    event_id = await world.publish(accepted, subject=str(referral_id))
    await world.publish(accepted, event_id=event_id, subject=str(referral_id))  # delivered twice
    # not subscribed to waiting-list news: nothing is sent for it
    await world.publish(
        ReferralWaitlisted(**common, position=1, decided_at=datetime.now(UTC)), subject=str(referral_id)
    )

    async def received() -> Any:
        return list(webhook_receiver.accepted.values()) or None

    [payload] = await eventually(received, what="the referral.accepted webhook")
    assert payload["type"] == "referral.accepted"
    assert payload["data"]["event_id"] == str(event_id)
    assert payload["data"]["referral_id"] == str(referral_id)
    assert payload["data"]["intake_date"] == "2026-11-30"
    assert all(r["verified"] for r in webhook_receiver.requests)

    async def all_handled() -> bool:
        handled = await world.scalar(
            "SELECT count(*) FROM inbox WHERE event_type IN ('dk.forlob.referral.accepted.v1',"
            " 'dk.forlob.referral.waitlisted.v1')"
        )
        return bool(handled == 2)

    await eventually(all_handled, what="both events handled")
    # one delivery: not for the repeated event, not for the waiting list nobody subscribed to
    assert await world.scalar("SELECT count(*) FROM deliveries WHERE channel = 'webhook'") == 1


async def test_partners_may_subscribe_to_the_milestones(world: Any) -> None:
    admin = world.auth(world.jobcentre, "admin-1", "admin")
    types = (await world.client.get("/webhooks/event-types", headers=admin)).json()
    for name in ("referral.accepted", "referral.waitlisted", "referral.seat_offered", "programme.started"):
        assert name in types

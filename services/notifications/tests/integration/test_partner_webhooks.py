"""The referring organisation's system hears its referral's milestones by webhook: signed, once,
in the published partner contract (pseudonymous ids and codes only), and only the types it
subscribed to."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from jsonschema import Draft202012Validator

from forlob_shared import partner
from forlob_shared.events import ReferralAccepted, ReferralWaitlisted
from forlob_testkit.wait import eventually


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
    UUID(payload["id"])  # the partner event's id, the same as its CloudEvent's on the AMQP feed
    assert payload["subject"] == str(referral_id)
    assert payload["dataschema"] == "https://api.forlob.example/partner/schemas/referral.accepted.v1.json"
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


async def test_every_milestone_webhook_is_its_partner_events_data_as_its_schema_says(
    world: Any, webhook_receiver: Any
) -> None:
    """One shape per type: the course's start and end reach the partner as the partner contract's
    data (its dates, outcome, first-job date and agreed hours), nothing of an alert and no staff."""
    admin = world.auth(world.jobcentre, "admin-1", "admin")
    wanted = ["programme.started", "programme.ended", "closing_note.available"]
    created = await world.client.post(
        "/webhooks/subscriptions", json={"url": webhook_receiver.url, "event_types": wanted}, headers=admin
    )
    assert created.status_code == 201, created.text
    webhook_receiver.secret = created.json()["secret"]
    course = await world.start_course()
    ended = world.ended(course, date(2027, 2, 19)).model_copy(update={"first_job_date": date(2027, 3, 1)})
    await world.publish(ended, subject=str(course.referral_id))

    async def all_three() -> Any:
        found = {p["type"]: p for p in webhook_receiver.accepted.values()}
        return found if len(found) == 3 else None

    payloads = await eventually(all_three, what="the start, end and closing-note webhooks")
    for event_type, payload in payloads.items():
        data = payload["data"]
        schema = partner.partner_json_schema(partner.partner_event_class(f"dk.forlob.partner.{event_type}.v1"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        # exactly the contract's fields, each as its schema says (no alert id, kind, facts or link)
        Draft202012Validator({**schema, "additionalProperties": False}).validate(data)
        assert set(data) <= set(schema["properties"]), event_type
        assert (
            payload["dataschema"]
            == partner.partner_json_schema(
                partner.partner_event_class(f"dk.forlob.partner.{event_type}.v1"), "https://api.forlob.example"
            )["$id"]
        )
        for staff in ("kp-1", "tl-1", "cw-1"):  # the provider's staff and the caseworker, as the start names them
            assert staff not in str(payload), (event_type, staff)
    data = payloads["programme.ended"]["data"]
    assert (data["start_date"], data["end_date"], data["first_job_date"]) == ("2026-11-23", "2027-02-19", "2027-03-01")
    assert data["outcome"] == "ordinary_employment"
    started = payloads["programme.started"]["data"]
    assert started["agreed_weekly_minutes"] == 4 * 7 * 60  # Monday to Thursday 07:30-14:30
    assert len(started["agreed_schedule"]) == 4
    # the caseworker's closing-note alert is still raised for people (inbox and e-mail)
    await world.alert_for(f"ended:{course.referral_id}")

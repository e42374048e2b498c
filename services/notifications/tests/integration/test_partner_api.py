"""The partner API over HTTP on the real database: every event's ``dataschema`` answers with the
schema its ``data`` holds against; reads are limited per partner system on the service's clock;
a replay reaching back past what the retention forgot says so (docs/partners.md#catch-up)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from jsonschema import Draft202012Validator

from forlob_notifications.application.catch_up import prune_feed
from forlob_notifications.partners.feed import publish
from forlob_shared.partner import PartnerEvent, partner_event_types, partner_json_schema
from forlob_testkit.partner_events import AReferral

from .conftest import JOBCENTRE, MONDAY_9

API = "https://api.forlob.example"  # the world's FORLOB_NOTIFICATIONS_PUBLIC_API_URL
OTHER_JOBCENTRE = "jobcenter-odense"


def _partner(world: Any, org: str = JOBCENTRE, staff: str = "jc-case-system") -> dict[str, str]:
    return dict(world.auth(org, staff, "partner_system"))


async def _publish(world: Any, *events: PartnerEvent) -> None:
    async with world.uow() as uow:
        for event in events:
            await publish(uow, world.options, event)
        await uow.commit()


async def _a_course(world: Any, referral: AReferral) -> None:
    absence = uuid4()
    for event in (
        referral.received(),
        referral.accepted(),
        referral.started(),
        referral.hours_changed(weekly_minutes=1440),
        referral.unexplained(absence),
        referral.reestablished(absence),
        referral.breached(),
        referral.rescheduled(date(2027, 3, 26)),
        referral.ended(),
    ):
        await _publish(world, event)
        world.clock.advance(timedelta(hours=1))


async def test_every_dataschema_on_a_replay_answers_with_the_schema_its_data_holds_against(world: Any) -> None:
    await _a_course(world, AReferral(JOBCENTRE))
    page = (await world.client.get("/partner/events", params={"after": "0"}, headers=_partner(world))).json()
    assert len(page["events"]) == 9
    for event in page["events"]:
        url = event["dataschema"]
        assert url.startswith(f"{API}/partner/schemas/"), url
        answer = await world.client.get(url)  # as it is, and without a token
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/schema+json"
        assert answer.headers["cache-control"] == "public, max-age=86400"
        schema = answer.json()
        assert schema["$id"] == url
        Draft202012Validator.check_schema(schema)
        Draft202012Validator(schema).validate(event["data"])
        # Cached: the same ETag gets 304 and no body.
        again = await world.client.get(url, headers={"If-None-Match": answer.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == answer.headers["etag"]


async def test_each_type_of_the_contract_is_served_and_nothing_else(world: Any) -> None:
    for cls in partner_event_types().values():
        answer = await world.client.get(f"/partner/schemas/{cls.name}.v{cls.version}.json")
        assert answer.json() == partner_json_schema(cls, API)
    for name in (
        "referral.accepted.v2.json",  # a version that does not exist
        "referral.accepted.json",
        "referral.accepted.v1",
        "referral.accepted.v1.json.bak",
        "referral.received.V1.json",
        "nothing.v1.json",
        "..%2F..%2Fetc%2Fpasswd",
        "%00.v1.json",  # a control character: every service's input guard refuses it first (422)
    ):
        answer = await world.client.get(f"/partner/schemas/{name}")
        assert answer.status_code == (422 if "%00" in name else 404), name
        assert answer.headers["content-type"] == "application/problem+json"
    refused = await world.client.post("/partner/schemas/referral.accepted.v1.json", json={})
    assert refused.status_code == 405


async def test_partner_reads_are_limited_per_partner_system_and_come_back_with_time(make_world: Any) -> None:
    async with make_world(rate_partner_reads_per_minute=3) as world:
        referral = AReferral(JOBCENTRE)
        await _publish(world, referral.received())
        ours, colleague = _partner(world), _partner(world, staff="jc-other-system")
        remaining = []
        for path in ("/partner/events", f"/partner/referrals/{referral.referral_id}", "/partner/events"):
            answer = await world.client.get(path, headers=ours)
            assert answer.status_code == 200, answer.text
            assert (answer.headers["ratelimit-limit"], answer.headers["ratelimit-policy"]) == ("3", "3;w=60")
            remaining.append(answer.headers["ratelimit-remaining"])
        assert remaining == ["2", "1", "0"]
        refused = await world.client.get("/partner/events", headers=ours)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "20"  # one request's share of a minute
        assert (refused.headers["ratelimit-remaining"], refused.headers["ratelimit-reset"]) == ("0", "60")
        assert (await world.client.get(f"/partner/referrals/{referral.referral_id}", headers=ours)).status_code == 429

        # Another partner system, of the same organisation or another, has its own allowance.
        assert (await world.client.get("/partner/events", headers=colleague)).status_code == 200
        other = _partner(world, OTHER_JOBCENTRE, "od-case-system")
        assert (await world.client.get("/partner/events", headers=other)).status_code == 200
        # The schemas are public and not counted.
        assert (await world.client.get("/partner/schemas/referral.received.v1.json")).status_code == 200

        world.clock.advance(timedelta(seconds=19))
        assert (await world.client.get("/partner/events", headers=ours)).status_code == 429
        world.clock.advance(timedelta(seconds=1))
        back = await world.client.get("/partner/events", headers=ours)
        assert (back.status_code, back.headers["ratelimit-remaining"]) == (200, "0")
        assert (await world.client.get("/partner/events", headers=ours)).status_code == 429
        world.clock.advance(timedelta(minutes=1))
        assert (await world.client.get("/partner/events", headers=ours)).headers["ratelimit-remaining"] == "2"


@pytest.mark.parametrize(
    ("params", "cursors", "complete"),
    [
        ({"after": "0"}, [1, 4, 5], False),
        ({}, [1, 4, 5], False),
        ({"since": (MONDAY_9 - timedelta(days=400)).isoformat()}, [1, 4, 5], False),
        ({"after": "2"}, [4, 5], False),  # a cursor before the newest forgotten one
        ({"since": (MONDAY_9 + timedelta(hours=2)).isoformat()}, [4, 5], False),  # when it was written
        ({"after": "3"}, [4, 5], True),  # the newest forgotten one: nothing after it went
        ({"after": "4"}, [5], True),
        ({"since": (MONDAY_9 + timedelta(hours=2, seconds=1)).isoformat()}, [4, 5], True),
    ],
)
async def test_a_replay_reaching_back_past_what_the_retention_forgot_says_events_are_missing(
    world: Any, params: dict[str, str], cursors: list[int], complete: bool
) -> None:
    lively, old, late = AReferral(JOBCENTRE), AReferral(JOBCENTRE), AReferral(JOBCENTRE)
    await _publish(world, lively.received())  # 1
    world.clock.advance(timedelta(hours=1))
    await _publish(world, old.received())  # 2
    world.clock.advance(timedelta(hours=1))
    await _publish(world, old.accepted())  # 3, the newest the retention will forget
    world.clock.advance(timedelta(days=100))
    await _publish(world, lively.accepted(), late.received())  # 4, 5
    headers = _partner(world)
    whole = (await world.client.get("/partner/events", params={"after": "0"}, headers=headers)).json()
    assert (whole["complete"], whole["pruned_through"], whole["pruned_until"]) == (True, None, None)
    assert whole["retention_days"] == 400

    world.clock.advance(timedelta(days=300, hours=1))  # the old referral's last event is 400 days and 1 hour old
    assert await prune_feed(world.uow(), world.options.feed_retention, world.clock.now()) == 2

    answer = await world.client.get("/partner/events", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    expected_ids = [whole["events"][n - 1]["id"] for n in cursors]
    assert [e["id"] for e in page["events"]] == expected_ids
    assert page["complete"] is complete
    assert (page["pruned_through"], page["pruned_until"], page["retention_days"]) == (
        "3",
        (MONDAY_9 + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        400,
    )
    # Another organisation's feed lost nothing, and is told nothing.
    other = await world.client.get("/partner/events", headers=_partner(world, OTHER_JOBCENTRE, "od-case-system"))
    assert (other.json()["complete"], other.json()["pruned_through"]) == (True, None)


async def test_the_referral_state_shows_the_open_proposal_and_no_more_once_withdrawn(world: Any) -> None:
    """GET /partner/referrals/{id} on the real database: the provider's open proposal (programme,
    relation, planned start, when), none once withdrawn, declined or referred on (a decline naming
    another proposal leaves it); never a staff id; another organisation's referral and an unknown
    one are 404."""
    course, proposal = AReferral(JOBCENTRE), uuid4()
    await _publish(world, course.received(), course.accepted(), course.started(), course.next_step_proposed(proposal))
    path = f"/partner/referrals/{course.referral_id}"
    answer = await world.client.get(path, headers=_partner(world))
    assert answer.status_code == 200, answer.text
    assert answer.json()["open_proposal"] == {
        "proposal_id": str(proposal),
        "next_programme_code": "RCA-JOB-8",
        "next_provider_org": "rca-aalborg",
        "relation": "sequence",
        "planned_start": "2027-03-01",
        "proposed_at": "2026-11-30T12:00:00Z",
    }
    assert "staff" not in answer.text
    assert "decline" not in answer.text
    await _publish(world, course.next_step_withdrawn(proposal))
    withdrawn = (await world.client.get(path, headers=_partner(world))).json()
    assert (withdrawn["open_proposal"], withdrawn["next_step"]) == (None, None)
    again, declined_elsewhere = uuid4(), uuid4()
    await _publish(world, course.next_step_proposed(again), course.next_step_declined(declined_elsewhere))
    still = (await world.client.get(path, headers=_partner(world))).json()
    assert still["open_proposal"]["proposal_id"] == str(again)
    await _publish(world, course.next_step_declined(again))
    declined = await world.client.get(path, headers=_partner(world))
    assert (declined.json()["open_proposal"], declined.json()["next_step"]) == (None, None)
    assert "staff" not in declined.text
    await _publish(world, course.next_step_proposed(uuid4()), course.next_step_planned(uuid4()))
    referred = (await world.client.get(path, headers=_partner(world))).json()
    assert referred["open_proposal"] is None
    assert referred["next_step"]["next_programme_code"] == "RCA-JOB-8"

    other = _partner(world, OTHER_JOBCENTRE, "od-case-system")
    assert (await world.client.get(path, headers=other)).status_code == 404
    assert (await world.client.get(f"/partner/referrals/{uuid4()}", headers=_partner(world))).status_code == 404

"""Escalation to the team leader after the programme's time in working minutes; acknowledging stops it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from forlob_notifications.application.sweep import run_due_rules
from forlob_testkit.wait import eventually

# Friday 27 November 2026, 15:50 in Copenhagen: ten working minutes left of the week.
FRIDAY_1550 = datetime(2026, 11, 27, 14, 50, tzinfo=UTC)
# The next Monday, 08:00 Copenhagen.
MONDAY_0800 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


async def test_escalation_comes_at_the_right_working_moment_and_not_outside_hours(world: Any, collector: Any) -> None:
    course = await world.start_course(escalation_minutes=30)
    world.clock.set(FRIDAY_1550)
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    # 10 minutes on Friday, the weekend counts nothing, 20 more on Monday morning.
    assert alert["due_at"] == MONDAY_0800 + timedelta(minutes=20)

    for moment in (FRIDAY_1550 + timedelta(minutes=40), datetime(2026, 11, 29, 12, 0, tzinfo=UTC)):
        world.clock.set(moment)  # Friday evening, Sunday noon: nobody is at work
        assert (await run_due_rules(world.uow, world.options, world.clock.now())).escalated == 0
    world.clock.set(MONDAY_0800 + timedelta(minutes=19))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).escalated == 0
    assert await world.scalar("SELECT escalated_to FROM alerts WHERE id = :i", i=alert["id"]) is None

    world.clock.set(MONDAY_0800 + timedelta(minutes=20))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).escalated == 1
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).escalated == 0  # once only

    mails = await eventually(lambda: _mails(world, "tl1@rca.example"), what="the escalation e-mail")
    assert mails[0].message["Subject"].startswith("Eskaleret: Fravær")
    leader = world.auth(world.provider, "tl-1", "team_leader")
    [item] = (await world.client.get("/inbox", headers=leader)).json()
    assert item["id"] == str(alert["id"])
    assert item["escalated_to"] == "tl-1"
    assert item["level"] == 1
    await eventually(lambda: _has(collector, "alert.escalated.v1"), what="alert.escalated")
    [escalated] = world.events(collector, "alert.escalated.v1")
    assert escalated["escalated_to"] == "tl-1"
    assert escalated["escalated_at"] == "2026-11-30T07:20:00Z"


async def test_acknowledging_stops_escalation(world: Any, collector: Any) -> None:
    course = await world.start_course(escalation_minutes=30)
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    contact = world.auth(world.provider, "kp-1", "contact_person")

    world.clock.advance(timedelta(minutes=5))
    acknowledged = await world.client.post(f"/alerts/{alert['id']}/acknowledge", headers=contact)
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["state"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == "kp-1"
    again = await world.client.post(f"/alerts/{alert['id']}/acknowledge", headers=contact)
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == acknowledged.json()["acknowledged_at"]

    world.clock.advance(timedelta(hours=2))
    assert (await run_due_rules(world.uow, world.options, world.clock.now())).escalated == 0
    assert world.smtp.to("tl1@rca.example") == []
    await eventually(lambda: _has(collector, "alert.acknowledged.v1"), what="alert.acknowledged")
    assert len(world.events(collector, "alert.acknowledged.v1")) == 1
    assert world.events(collector, "alert.escalated.v1") == []

    open_only = await world.client.get("/inbox", params={"state": "open"}, headers=contact)
    assert open_only.json() == []
    acknowledged_only = await world.client.get("/inbox", params={"state": "acknowledged"}, headers=contact)
    assert [a["id"] for a in acknowledged_only.json()] == [str(alert["id"])]
    bad_filter = await world.client.get("/inbox", params={"state": "forgotten"}, headers=contact)
    assert bad_filter.status_code == 422


async def test_another_organisation_cannot_see_or_acknowledge_the_alert(world: Any) -> None:
    course = await world.start_course()
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    stranger = world.auth("aspa-odense", "kp-1", "contact_person", "team_leader", "admin")  # same staff id, other org

    assert (await world.client.get(f"/alerts/{alert['id']}", headers=stranger)).status_code == 404
    refused = await world.client.post(f"/alerts/{alert['id']}/acknowledge", headers=stranger)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await world.client.get("/inbox", headers=stranger)).json() == []
    assert (await world.client.get("/inbox", params={"everyone": True}, headers=stranger)).json() == []
    assert await world.scalar("SELECT state FROM alerts WHERE id = :i", i=alert["id"]) == "open"

    # within the organisation: a colleague sees it with its deliveries; only leaders list everyone's
    colleague = world.auth(world.provider, "kp-2", "contact_person")
    detail = await world.client.get(f"/alerts/{alert['id']}", headers=colleague)
    assert detail.status_code == 200
    assert [d["channel"] for d in detail.json()["deliveries"]] == ["email"]
    assert (await world.client.get("/inbox", params={"everyone": True}, headers=colleague)).status_code == 403
    leader = world.auth(world.provider, "tl-1", "team_leader")
    assert len((await world.client.get("/inbox", params={"everyone": True}, headers=leader)).json()) == 1


async def _mails(world: Any, address: str) -> Any:
    return world.smtp.to(address)


async def _has(collector: Any, routing_key: str) -> bool:
    return any(m.routing_key == routing_key for m in collector.messages)

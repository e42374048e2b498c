"""Against the running service (PostgreSQL, RabbitMQ, SMTP): safety on visits over its API and
sweep, and the alerts of the shapes without a timetable from the events attendance and referral
publish (a missed meeting, an overdue cadence, an overdue outreach contact) and their closing."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from forlob_notifications.application.sweep import run_due_rules
from forlob_notifications.application.visits import raise_overdue_visits
from forlob_shared.events import (
    MeetingCadenceOverdue,
    MeetingPlace,
    MeetingPlanned,
    OutreachContactAttempted,
    OutreachContactOverdue,
)
from forlob_shared.events.outreach import ContactChannel, ContactOutcome, ContactPlace
from forlob_testkit.wait import eventually

pytestmark = pytest.mark.servers


async def team(world: Any) -> None:
    """Besides kp-1 (led by tl-1) and tl-1: kp-2 led by tl-1, another team leader, an outreach worker."""
    await world.put_staff(world.provider, "kp-2", role="contact_person", email="kp2@rca.example", team_leader_id="tl-1")
    await world.put_staff(world.provider, "tl-2", role="team_leader", email="tl2@rca.example")
    await world.put_staff(world.provider, "ow-1", role="specialist", email="ow1@rca.example")


def soon(read: Any) -> Any:
    """``eventually`` waits on a coroutine: a plain reading, made one."""

    async def look() -> Any:
        return read()

    return look


def iso(moment: Any) -> str:
    return moment.isoformat()


async def sweep(world: Any, minutes: int) -> Any:
    world.clock.set(world.start + timedelta(minutes=minutes))
    return await run_due_rules(world.uow, world.options, world.clock.now())


async def test_the_visit_api_starts_lists_and_ends_and_refuses_what_cannot_be(world: Any, collector: Any) -> None:
    await team(world)
    me = world.auth(world.provider, "kp-1", "contact_person")
    now = world.clock.now()
    started = await world.client.post(
        "/visits",
        json={"kind": "home", "planned_end": iso(now + timedelta(hours=1)), "colleague_id": "kp-2"},
        headers=me,
    )
    assert started.status_code == 201, started.text
    visit = started.json()
    assert (visit["staff_id"], visit["colleague_id"], visit["kind"], visit["overdue"]) == (
        "kp-1",
        "kp-2",
        "home",
        False,
    )
    assert visit["overdue_from"] == iso(now + timedelta(minutes=75)).replace("+00:00", "Z")

    for bad in (
        {"kind": "home", "planned_end": iso(now - timedelta(minutes=1))},  # in the past
        {"kind": "home", "planned_end": "2026-11-23T10:00:00"},  # no offset
        {"kind": "home", "planned_end": iso(now + timedelta(days=2))},  # not a visit
        {"kind": "picnic", "planned_end": iso(now + timedelta(hours=1))},
        {"kind": "home", "planned_end": iso(now + timedelta(hours=1)), "colleague_id": "kp-1"},  # oneself
        {"kind": "home", "planned_end": iso(now + timedelta(hours=1)), "address": "somewhere"},  # no place, ever
    ):
        refused = await world.client.post("/visits", json=bad, headers=me)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await world.client.post("/visits", json={"kind": "home"})).status_code == 401
    dpo = world.auth(world.provider, "dpo-1", "dpo")
    assert (await world.client.get("/visits", headers=dpo)).status_code == 403

    colleague = world.auth(world.provider, "kp-2", "contact_person")
    assert [v["id"] for v in (await world.client.get("/visits", headers=colleague)).json()] == [visit["id"]]
    elsewhere = world.auth("another-provider", "kp-1", "team_leader")
    assert (await world.client.get("/visits", headers=elsewhere)).json() == []
    assert (await world.client.post(f"/visits/{visit['id']}/end", headers=elsewhere)).status_code == 404
    assert (await world.client.get(f"/visits/{visit['id']}", headers=elsewhere)).status_code == 404
    outsider = world.auth(world.provider, "ow-1", "specialist")  # not along, not of the team
    assert (await world.client.post(f"/visits/{visit['id']}/end", headers=outsider)).status_code == 403

    world.clock.advance(timedelta(minutes=40))
    ended = await world.client.post(f"/visits/{visit['id']}/end", headers=me)
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_by"] == "kp-1"
    again = await world.client.post(f"/visits/{visit['id']}/end", headers=me)  # idempotent: the same answer
    assert (again.status_code, again.json()["ended_at"]) == (200, ended.json()["ended_at"])
    assert (await world.client.get("/visits", headers=me)).json() == []

    await eventually(soon(lambda: world.events(collector, "visit.ended.v1")), what="visit.ended")
    [begun] = world.events(collector, "visit.started.v1")
    assert set(begun) >= {"visit_id", "provider_org", "staff_id", "kind", "colleague_id", "planned_end"}
    [done] = world.events(collector, "visit.ended.v1")
    assert done["was_overdue"] is False


async def test_an_overdue_visit_alerts_once_escalates_unacknowledged_and_closes_when_ended(
    world: Any, collector: Any
) -> None:
    await team(world)
    world.start = world.clock.now()
    me = world.auth(world.provider, "kp-1", "contact_person")
    body = {"kind": "street", "planned_end": iso(world.start + timedelta(hours=1)), "colleague_id": "kp-2"}
    visit = (await world.client.post("/visits", json=body, headers=me)).json()

    assert (await sweep(world, 74)).visits_overdue == 0
    assert (await sweep(world, 75)).visits_overdue == 1
    assert (await sweep(world, 76)).visits_overdue == 0  # once only
    for address in ("tl1@rca.example", "kp2@rca.example"):
        [mail] = await eventually(soon(lambda a=address: world.smtp.to(a)), what=f"the visit e-mail to {address}")
        assert mail.message["Subject"] == "Besøg ved kp-1 ikke afsluttet siden 23.11.2026 kl. 10:00"
    leader = world.auth(world.provider, "tl-1", "team_leader")
    [alert] = (await world.client.get("/inbox", params={"kind": "visit_overdue"}, headers=leader)).json()
    assert (alert["participant_ref"], alert["referral_id"], alert["facts"]["visit_staff_id"]) == (None, None, "kp-1")
    assert (await world.client.get(f"/visits/{visit['id']}", headers=leader)).json()["overdue"] is True

    assert (await sweep(world, 90)).escalated == 2  # nobody acknowledged in 15 minutes
    everyone = await world.client.get("/inbox", params={"kind": "visit_overdue", "everyone": "true"}, headers=leader)
    escalated = {a["recipient_staff_id"]: a["escalated_to"] for a in everyone.json()}
    assert escalated == {"kp-2": "tl-1", "tl-1": "tl-2"}
    await eventually(soon(lambda: world.smtp.to("tl2@rca.example")), what="the escalation e-mail")

    world.clock.advance(timedelta(minutes=3))
    assert (await world.client.post(f"/visits/{visit['id']}/end", headers=me)).status_code == 200
    everyone = await world.client.get("/inbox", params={"kind": "visit_overdue", "everyone": "true"}, headers=leader)
    assert {(a["state"], a["close_reason"]) for a in everyone.json()} == {("closed", "visit_ended")}
    await eventually(soon(lambda: world.events(collector, "visit.ended.v1")), what="visit.ended")
    [overdue] = world.events(collector, "visit.overdue.v1")
    assert (overdue["staff_id"], overdue["colleague_id"]) == ("kp-1", "kp-2")
    assert world.events(collector, "visit.ended.v1")[0]["was_overdue"] is True


async def test_two_replicas_sweeping_at_once_find_an_overdue_visit_once(world: Any) -> None:
    me = world.auth(world.provider, "kp-1", "contact_person")
    start = world.clock.now()
    body = {"kind": "home", "planned_end": iso(start + timedelta(minutes=30))}
    assert (await world.client.post("/visits", json=body, headers=me)).status_code == 201
    at = start + timedelta(minutes=50)
    found = await asyncio.gather(*(raise_overdue_visits(world.uow(), world.options, at) for _ in range(2)))
    assert sorted(found) == [0, 1]
    assert await world.scalar("SELECT count(*) FROM alerts WHERE kind = 'visit_overdue'") == 1


async def test_a_missed_meeting_alerts_the_contact_person_in_its_own_words(world: Any) -> None:
    course = await world.start_course()
    missed = world.absence(course, window=timedelta(hours=1)).model_copy(update={"meeting_id": uuid4()})
    await world.publish(missed, subject=str(course.referral_id))
    alert = await world.alert_for(f"absence:{missed.absence_id}")
    assert (alert["kind"], alert["recipient_staff_id"]) == ("absence", "kp-1")
    assert alert["facts"]["meeting_id"] == str(missed.meeting_id)
    [mail] = await eventually(soon(lambda: world.smtp.to("kp1@rca.example")), what="the missed meeting's e-mail")
    assert mail.message["Subject"].startswith("Udeblevet fra møde: deltager ref.")


async def test_an_overdue_cadence_reminds_the_contact_person_until_a_meeting_is_planned(world: Any) -> None:
    course = await world.start_course()
    overdue = MeetingCadenceOverdue(
        **world.of_course(course),
        last_meeting_day=date(2026, 11, 13),
        max_days_between=7,
        due_by=date(2026, 11, 20),
        detected_at=world.clock.now(),
    )
    await world.publish(overdue, subject=str(course.referral_id))
    reminder = await world.alert_for(f"meeting_overdue:{course.referral_id}:2026-11-20")
    assert (reminder["kind"], reminder["recipient_staff_id"], reminder["due_at"]) == ("meeting_overdue", "kp-1", None)
    starts = world.clock.now() + timedelta(days=1)
    planned = MeetingPlanned(
        **world.of_course(course),
        meeting_id=uuid4(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place=MeetingPlace.PROVIDER,
        staff_id="kp-1",
        planned_at=world.clock.now(),
    )
    await world.publish(planned, subject=str(course.referral_id))

    async def closed() -> Any:
        return await world.scalar(
            "SELECT close_reason FROM alerts WHERE id = :i AND state = 'closed'", i=reminder["id"]
        )

    assert await eventually(closed, what="the reminder to close") == "meeting_planned"


async def test_an_overdue_outreach_contact_reminds_the_team_member_until_the_next_attempt(world: Any) -> None:
    await team(world)
    case_id = uuid4()
    about = {"case_id": case_id, "provider_org": world.provider, "programme_code": "OUTREACH"}
    await world.publish(
        OutreachContactOverdue(**about, staff_id="ow-1", due_by=date(2026, 11, 20), detected_at=world.clock.now()),
        subject=str(case_id),
    )
    reminder = await world.alert_for(f"outreach_contact_overdue:{case_id}:2026-11-20")
    assert (reminder["recipient_staff_id"], reminder["referring_org"], reminder["referral_id"]) == ("ow-1", None, None)
    [mail] = await eventually(soon(lambda: world.smtp.to("ow1@rca.example")), what="the reminder's e-mail")
    assert str(case_id)[:8] in mail.message["Subject"]
    attempt = OutreachContactAttempted(
        **about,
        attempt_id=uuid4(),
        place=ContactPlace.STREET,
        channel=ContactChannel.IN_PERSON,
        outcome=ContactOutcome.NO_ANSWER,
        staff_id="ow-1",
        attempted_at=world.clock.now(),
    )
    await world.publish(attempt, subject=str(case_id))

    async def closed() -> Any:
        return await world.scalar(
            "SELECT close_reason FROM alerts WHERE id = :i AND state = 'closed'", i=reminder["id"]
        )

    assert await eventually(closed, what="the reminder to close") == "contact_attempted"

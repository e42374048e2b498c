"""The course record and the messages over HTTP: roles (403), other organisations (404, nothing
changed), bad input (422), and what each reader sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika

from forlob_shared.events import PendingEvent, StaffChanged, encode
from forlob_shared.messaging.topology import Topology
from forlob_testkit.auth import auth
from forlob_testkit.infra import TestInfra
from forlob_testkit.referral import (
    CASEWORKER,
    COORDINATOR,
    OTHER_CASEWORKER,
    OTHER_COORDINATOR,
    PROVIDER_ORG,
    REFERRING_ORG,
    SCHEDULE,
    Api,
)
from forlob_testkit.wait import eventually

PSYCHOLOGIST = auth(PROVIDER_ORG, "specialist", staff="ps-1")
CONTACT = auth(PROVIDER_ORG, "contact_person", staff="cp-1")
WORKSHOP = auth(PROVIDER_ORG, "workshop_lead", staff="wl-1")
NOTE = "Sleeps badly; suggests mornings off on Fridays."
TALK = {
    "held_on": "2026-06-04",
    "staff_ids": ["co-3", "cp-1"],
    "topics": ["attendance_hours", "wellbeing_social"],
    "next_steps": "Try four days next week",
}


async def started(api: Api) -> str:
    await api.programme()
    rid = str((await api.refer())["id"])
    await api.act(rid, "accept")
    api.clock.advance(timedelta(days=15))  # Thursday 4 June
    await api.act(rid, "start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "cp-1"})
    return rid


async def record(api: Api, rid: str, headers: dict[str, str]) -> Any:
    response = await api.client.get(f"/referrals/{rid}/record", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_talks_meetings_and_notes_with_who_reads_which_note(api: Api) -> None:
    rid = await started(api)
    talk = await api.post(f"/referrals/{rid}/record/talks", TALK, CONTACT)
    assert talk.status_code == 201, talk.text
    meeting = await api.post(
        f"/referrals/{rid}/record/meetings",
        {
            "kind": "closing_meeting",
            "starts_at": "2026-08-27T09:00:00+02:00",
            "place": "on_site",
            "caseworker_invited": True,
        },
    )
    assert meeting.status_code == 201, meeting.text
    held = await api.post(f"/referrals/{rid}/record/meetings/{meeting.json()['id']}/settle", {"status": "held"})
    assert held.json()["status"] == "held"
    note = await api.post(
        f"/referrals/{rid}/record/specialist-notes", {"specialism": "psychologist", "text": NOTE}, PSYCHOLOGIST
    )
    assert note.status_code == 201, note.text

    seen = await record(api, rid, CASEWORKER)
    assert seen["talks"][0]["topics"] == ["attendance_hours", "wellbeing_social"]
    assert seen["meetings"][0]["caseworker_invited"] is True
    assert seen["specialist_notes"] == []
    assert (await record(api, rid, CONTACT))["specialist_notes"] == []
    assert (await record(api, rid, COORDINATOR))["specialist_notes"][0]["text"] == NOTE

    attached = await api.post(f"/referrals/{rid}/record/specialist-notes/{note.json()['id']}/attach")
    assert attached.status_code == 200, attached.text
    assert (await record(api, rid, CASEWORKER))["specialist_notes"][0]["text"] == NOTE
    assert NOTE not in str(await api.events())  # never in an event


async def test_roles_other_organisations_and_bad_input(api: Api) -> None:
    rid = await started(api)
    # the wrong role: 403
    assert (await api.post(f"/referrals/{rid}/record/talks", TALK, WORKSHOP)).status_code == 403
    assert (await api.post(f"/referrals/{rid}/record/meetings", {}, CONTACT)).status_code == 403
    note = {"specialism": "physician", "text": "x"}
    assert (await api.post(f"/referrals/{rid}/record/specialist-notes", note, COORDINATOR)).status_code == 403
    assert (await api.post(f"/referrals/{rid}/record/talks", TALK, CASEWORKER)).status_code == 403
    # another organisation: 404, the same answer as for an id that does not exist
    for headers in (OTHER_COORDINATOR, auth("aspa-odense", "contact_person", staff="cp-9")):
        assert (await api.post(f"/referrals/{rid}/record/talks", TALK, headers)).status_code == 404
    other_specialist = auth("aspa-odense", "specialist", staff="ps-9")
    assert (await api.post(f"/referrals/{rid}/record/specialist-notes", note, other_specialist)).status_code == 404
    for headers in (OTHER_CASEWORKER, OTHER_COORDINATOR):
        assert (await api.client.get(f"/referrals/{rid}/record", headers=headers)).status_code == 404
        assert (await api.client.get(f"/referrals/{rid}/messages", headers=headers)).status_code == 404
        assert (await api.post(f"/referrals/{rid}/messages", {"text": "hi"}, headers)).status_code == 404
    assert (await record(api, rid, COORDINATOR))["talks"] == []
    # bad input: 422
    for bad in (
        {**TALK, "topics": ["gossip"]},
        {**TALK, "topics": []},
        {**TALK, "staff_ids": ["no spaces allowed"]},
        {**TALK, "next_steps": ""},
        {**TALK, "extra": 1},
    ):
        assert (await api.post(f"/referrals/{rid}/record/talks", bad)).status_code == 422, bad
    naive = {"kind": "closing_meeting", "starts_at": "2026-08-27T09:00:00", "place": "on_site"}
    assert (await api.post(f"/referrals/{rid}/record/meetings", naive)).status_code == 422
    assert (await api.post(f"/referrals/{rid}/messages", {"text": ""}, CASEWORKER)).status_code == 422
    assert (await api.post(f"/referrals/{rid}/messages", {"text": "x" * 4001}, CASEWORKER)).status_code == 422


async def test_a_message_and_its_read_receipt(api: Api) -> None:
    rid = await started(api)
    text = "Can the closing meeting move to Thursday?"
    posted = await api.post(f"/referrals/{rid}/messages", {"text": text}, CASEWORKER)
    assert posted.status_code == 201, posted.text
    assert posted.json()["side"] == "referrer"
    assert (await api.client.get(f"/referrals/{rid}/messages/unread", headers=COORDINATOR)).json() == 1
    # the provider's workshop lead and specialist are not parties to the thread
    for headers in (WORKSHOP, PSYCHOLOGIST):
        assert (await api.client.get(f"/referrals/{rid}/messages", headers=headers)).status_code in (403, 404)
    thread = (await api.client.get(f"/referrals/{rid}/messages", headers=CONTACT)).json()
    assert thread["your_side"] == "provider"
    assert thread["messages"][0]["read_by"] == "cp-1"
    assert (await api.client.get(f"/referrals/{rid}/messages/unread", headers=COORDINATOR)).json() == 0
    [event] = [e for e in await api.events() if e["type"] == "dk.forlob.referral.message_posted.v1"]
    assert event["data"]["from_side"] == "referrer"
    assert event["referringorg"] == REFERRING_ORG
    assert text not in str(event)


async def _publish_staff(infra: TestInfra, prefix: str, change: StaffChanged) -> None:
    """As the notifications service announces a change of its staff directory."""
    pending = PendingEvent(data=change, subject=f"{change.org}/{change.staff_id}", provider_org=change.org)
    body = encode(pending, source="forlob/notifications", sequence=1, time=datetime.now(UTC))
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        message = aio_pika.Message(body, message_id=str(pending.id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await exchange.publish(message, routing_key=change.routing_key)


async def test_a_talk_with_staff_the_directory_does_not_know_is_refused(
    api: Api, infra: TestInfra, prefix: str
) -> None:
    rid = await started(api)
    at = datetime(2026, 5, 1, tzinfo=UTC)
    for staff_id, active in (("co-3", True), ("cp-1", True), ("cp-2", False)):
        change = StaffChanged(org=PROVIDER_ORG, staff_id=staff_id, role="contact_person", active=active, changed_at=at)
        await _publish_staff(infra, prefix, change)

    async def refused() -> dict[str, Any] | None:
        response = await api.post(f"/referrals/{rid}/record/talks", {**TALK, "staff_ids": ["cp-1", "cp-2", "zz-9"]})
        return response.json() if response.status_code == 422 else None

    problem = await eventually(refused, timeout=20, what="the staff directory from staff.changed")
    assert (problem["field"], problem["unknown"]) == ("staff_ids", ["cp-2", "zz-9"])
    assert (await record(api, rid, COORDINATOR))["talks"] == []
    assert (await api.post(f"/referrals/{rid}/record/talks", TALK)).status_code == 201  # co-3 and cp-1

"""sms.replied through the real broker and database: "call me" → one task in the contact
person's inbox and one e-mail however often the reply is delivered, with nothing of the person
(nor of the reply's text) in it; the absence's alert notes the reply; no partner hears of it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from uuid import uuid4

from forlob_shared.events import SmsReplied, SmsReplyCode
from forlob_testkit.wait import eventually


async def test_call_me_is_one_task_one_e_mail_and_nothing_for_partners(world: Any, collector: Any) -> None:
    course = await world.start_course()
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    reply = SmsReplied(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=world.provider,
        reply_id=uuid4(),
        code=SmsReplyCode.OTHER_CALL_ME,
        in_reply_to=uuid4(),
        absence_id=absence.absence_id,
        received_at=world.clock.now() + timedelta(minutes=10),
    )
    await world.publish(reply, subject=str(course.referral_id))
    await world.publish(reply, subject=str(course.referral_id))  # the same reply, announced twice
    task = await world.alert_for(f"sms_reply:{reply.reply_id}")
    assert (task["kind"], task["recipient_staff_id"], task["state"]) == ("call_participant", "kp-1", "open")
    assert task["due_at"] is not None  # escalates like any alert

    async def two_mails() -> Any:
        mails = world.smtp.to("kp1@rca.example")
        return mails if len(mails) >= 2 else None

    mails = await eventually(two_mails, what="the absence's e-mail and the task's")

    async def consumed_twice() -> bool:
        count = await world.scalar("SELECT count(*) FROM inbox WHERE consumer = 'notifications.alerts'")
        return int(count) >= 4  # the start, the absence and the reply twice

    await eventually(consumed_twice, what="the second delivery of the reply")
    assert int(await world.scalar("SELECT count(*) FROM alerts WHERE kind = 'call_participant'")) == 1
    calls = [m for m in world.smtp.to("kp1@rca.example") if m.message["Subject"].startswith("Ring til deltageren")]
    assert len(calls) == 1
    body = calls[0].body
    assert "Svaret pr. sms: Andet, ring til mig" in body
    without_ids = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "", body)  # pseudonymous ids and the alert's link
    assert not re.search(r"\+?\d[\d ]{7,}\d", without_ids)  # no phone number (nor anything shaped like one)
    assert len(mails) >= 2

    noted = (await world.rows("SELECT facts FROM alerts WHERE id = :i", i=alert["id"]))[0]["facts"]
    facts = noted if isinstance(noted, dict) else json.loads(noted)
    assert facts["replied_by_text"] == "other_call_me"

    inbox = await world.client.get("/inbox", headers=world.auth(world.provider, "kp-1", "contact_person"))
    assert {item["kind"] for item in inbox.json()} == {"absence", "call_participant"}
    # the partner heard the course's start and nothing since: no notice, no contact, no text message
    assert {m.routing_key for m in collector.messages if m.routing_key.startswith("partner.")} <= {
        "partner.programme.started.v1"
    }

"""Text messages through the real broker and database: consent and replies consumed from
sms.* events, the sweep's question in its transaction, a reply delivered twice (two event ids,
one reply id) one fact, and an erasure that takes the messages' records too."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

import aio_pika

from forlob_attendance.application.courses import CoursePolicy, start_course
from forlob_attendance.application.sms import record_consent, request_reminders
from forlob_attendance.domain.sms import question_request_id
from forlob_shared.events import (
    EventData,
    ParticipantErased,
    PendingEvent,
    SmsConsentChanged,
    SmsConsentChannel,
    SmsConsentStatus,
    SmsReplied,
    SmsReplyCode,
    SmsTemplate,
    encode,
)
from forlob_shared.messaging.topology import Topology
from forlob_testkit.attendance import MONDAY, Attendance, local, programme_started
from forlob_testkit.infra import TestInfra
from forlob_testkit.wait import eventually

CONSUMED = "SELECT count(*) FROM inbox WHERE consumer = 'attendance.sms'"


async def _publish(infra: TestInfra, prefix: str, *events: tuple[EventData, str]) -> None:
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        for data, subject in events:
            pending = PendingEvent(data=data, subject=subject, provider_org="rca-aalborg")
            body = encode(pending, source="forlob/referral", sequence=1, time=datetime.now(UTC))
            message = aio_pika.Message(body, message_id=str(pending.id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await exchange.publish(message, routing_key=data.routing_key)


async def _consumed(attendance: Attendance, at_least: int) -> bool:
    return int(await attendance.scalar(CONSUMED)) >= at_least


async def test_a_question_a_reply_twice_one_fact_and_the_erasure(
    attendance: Attendance, infra: TestInfra, prefix: str
) -> None:
    course = await attendance.start()
    consent = SmsConsentChanged(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        status=SmsConsentStatus.OPTED_IN,
        channel=SmsConsentChannel.IN_PERSON,
        changed_at=local(MONDAY, 4),
    )
    await _publish(infra, prefix, (consent, str(course.referral_id)))
    await eventually(lambda: _consumed(attendance, 1), what="the consent")
    attendance.at(local(MONDAY, 8, 20))
    assert await attendance.sweep() == 1
    (asked,) = await attendance.events("sms.requested.v1")
    absence = (await attendance.slot(course.referral_id, MONDAY))["absence_id"]
    assert asked.data.request_id == question_request_id(absence, SmsTemplate.QUESTION_MISSED_ARRIVAL)
    assert asked.referringorg is None
    (detected,) = await attendance.events("absence.detected.v1")
    assert detected.data.absence_id == absence

    reply = SmsReplied(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        reply_id=uuid4(),
        code=SmsReplyCode.SICK,
        in_reply_to=asked.data.request_id,
        absence_id=absence,
        received_at=local(MONDAY, 8, 31),
    )
    # the gateway's webhook delivered twice: referral announces it twice, under two event ids
    await _publish(infra, prefix, (reply, str(course.referral_id)), (reply, str(course.referral_id)))
    await eventually(lambda: _consumed(attendance, 3), what="both deliveries of the reply")
    attempts = await attendance.rows("SELECT outcome, reason, recorded_by FROM contact_attempts")
    assert [dict(a) for a in attempts] == [
        {"outcome": "reason_given_by_text", "reason": "illness", "recorded_by": "sms"}
    ]
    slot = await attendance.slot(course.referral_id, MONDAY)
    assert (slot["state"], slot["reason"], slot["resolution"]) == ("excused", "illness", "reported")
    assert len(await attendance.events("absence.contact_recorded.v1")) == 1
    (resolved,) = await attendance.events("absence.resolved.v1")
    assert (resolved.data.reason, resolved.data.resolved_at) == ("illness", local(MONDAY, 8, 31))

    attendance.at(local(MONDAY, 18, 5))  # Tuesday's reminder is no first day: none
    assert await request_reminders(attendance.uow(), attendance.clock.now(), time(18)) == 0

    erasure = ParticipantErased(
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        referral_ids=[course.referral_id],
        erased_at=local(MONDAY, 20),
    )
    await _publish(infra, prefix, (erasure, str(course.participant_id)))

    async def erased() -> bool:
        return int(await attendance.scalar("SELECT count(*) FROM courses")) == 0

    await eventually(erased, what="the erasure")
    for table in ("sms_consents", "sms_requests", "sms_replies"):
        assert await attendance.scalar(f"SELECT count(*) FROM {table}") == 0, table


async def test_the_evening_reminder_of_a_course_starting_tomorrow(attendance: Attendance) -> None:
    attendance.at(local(MONDAY - timedelta(days=3), 12))
    course = programme_started()
    await attendance.apply(start_course, course, CoursePolicy(days_ahead=14))
    consent = SmsConsentChanged(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        status=SmsConsentStatus.OPTED_IN,
        channel=SmsConsentChannel.WEB,
        changed_at=local(MONDAY - timedelta(days=3), 12),
    )
    await attendance.apply(record_consent, consent)
    attendance.at(local(MONDAY - timedelta(days=1), 18))
    assert await request_reminders(attendance.uow(), attendance.clock.now(), time(18)) == 1
    assert await request_reminders(attendance.uow(), attendance.clock.now(), time(18)) == 0
    (asked,) = await attendance.events("sms.requested.v1")
    assert (asked.data.template, asked.data.day, asked.data.local_time) == (
        SmsTemplate.REMINDER_FIRST_DAY,
        MONDAY,
        "08:00",
    )
    assert asked.data.expires_at == local(MONDAY, 8)

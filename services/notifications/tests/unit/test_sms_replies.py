"""A participant's reply by text (sms.replied.v1): "call me", an unreadable reply or a reply to no
open question → a task in the contact person's inbox, escalating like any alert; the absence's
alert notes the reply's code in words; STOP is nothing here; a reply delivered twice is one task.
And the partner feed: text messages are internal, no partner ever hears of one."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from forlob_attendance.domain.sms import TEXT_OUTCOMES
from forlob_notifications.application import alerts, partner_events, sms_replies
from forlob_notifications.domain.alerts import AlertKind, AlertState
from forlob_notifications.domain.content import email
from forlob_notifications.partners import notices, translate
from forlob_shared import partner
from forlob_shared.events import (
    AlertEscalated,
    ContactRecorded,
    Envelope,
    SmsConsentChanged,
    SmsConsentChannel,
    SmsConsentStatus,
    SmsReplied,
    SmsReplyCode,
    SmsRequested,
    SmsTemplate,
)
from forlob_shared.texts import LANGUAGES, code_text
from forlob_testkit.in_memory.notifications_world import MONDAY_9, PROVIDER, Course, Notifications

ROOT = Path(__file__).resolve().parents[4]


def replied(course: Course, code: SmsReplyCode, absence_id: UUID | None = None, **kw: object) -> SmsReplied:
    return SmsReplied(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=PROVIDER,
        reply_id=kw.get("reply_id", uuid4()),  # type: ignore[arg-type]
        code=code,
        in_reply_to=uuid4() if absence_id else None,
        absence_id=absence_id,
        received_at=MONDAY_9 + timedelta(minutes=20),
    )


async def reply(world: Notifications, event: SmsReplied) -> None:
    async with world.uow() as uow:
        await sms_replies.on_sms_replied(uow, world.options, event, uuid4())
        await uow.commit()


async def tasks(world: Notifications) -> list[alerts.Alert]:
    return await world.alerts_of(PROVIDER, AlertKind.CALL_PARTICIPANT.value)


@pytest.mark.parametrize("code", [SmsReplyCode.OTHER_CALL_ME, SmsReplyCode.UNKNOWN])
async def test_call_me_is_a_task_for_the_contact_person_and_a_note_on_the_absence(
    world: Notifications, code: SmsReplyCode
) -> None:
    await world.staff_the_provider()
    course = await world.start_course(escalation_minutes=45)
    absence = world.absence(course)
    alert = await world.detect(absence)
    assert alert is not None
    await reply(world, replied(course, code, absence.absence_id))
    (task,) = await tasks(world)
    assert (task.recipient_staff_id, task.state, task.referral_id) == ("kp-1", AlertState.OPEN, course.referral_id)
    assert task.facts == {"replied_by_text": code.value, "absence_id": str(absence.absence_id)}
    assert task.due_at == MONDAY_9 + timedelta(minutes=20 + 45)  # from the reply, in working minutes
    noted = await world.alert_for(f"absence:{absence.absence_id}")
    assert noted is not None
    assert (noted.facts["replied_by_text"], noted.state) == (code.value, AlertState.OPEN)


async def test_the_task_s_e_mail_says_call_in_words_and_nothing_of_the_person(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    await reply(world, replied(course, SmsReplyCode.OTHER_CALL_ME))
    (task,) = await tasks(world)
    (mail,) = await world.deliveries_of(task)
    assert mail.recipient == "kp-1"
    assert mail.content["subject"].startswith("Ring til deltageren: ref. ")
    assert "Svaret pr. sms: Andet, ring til mig" in mail.content["body"]
    assert "other_call_me" not in mail.content["body"]


async def test_a_reply_to_no_open_question_is_a_task_whatever_it_says(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    await reply(world, replied(course, SmsReplyCode.SICK))  # "1" out of the blue: a person should call
    (task,) = await tasks(world)
    assert task.facts == {"replied_by_text": "sick"}


async def test_a_reason_by_text_notes_the_absence_and_asks_for_no_call(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    absence = world.absence(course)
    await world.detect(absence)
    await reply(world, replied(course, SmsReplyCode.DOCTOR, absence.absence_id))
    assert await tasks(world) == []
    noted = await world.alert_for(f"absence:{absence.absence_id}")
    assert noted is not None
    assert noted.facts["replied_by_text"] == "doctor"
    text = email(noted, "https://forlob.example", lang="en", zone=course_zone())["body"]
    assert "Replied by text: At the doctor's" in text


def course_zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Copenhagen")


async def test_stop_does_nothing_here_and_a_reply_delivered_twice_is_one_task(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    await reply(world, replied(course, SmsReplyCode.STOP))
    assert await tasks(world) == []
    twice = replied(course, SmsReplyCode.UNKNOWN)
    await reply(world, twice)
    await reply(world, twice)
    assert len(await tasks(world)) == 1


async def test_a_task_not_acknowledged_escalates_to_the_team_leader(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    await reply(world, replied(course, SmsReplyCode.OTHER_CALL_ME))
    result = await world.sweep(MONDAY_9 + timedelta(minutes=51))
    assert result.escalated == 1
    (escalated,) = world.published_of(AlertEscalated)
    assert escalated.escalated_to == "tl-1"


def test_the_words_for_each_reply_and_the_task_exist_in_every_language() -> None:
    for lang in LANGUAGES:
        for code in SmsReplyCode:
            assert code_text("sms_reply_code", code.value, lang, strict=True)
        for outcome in TEXT_OUTCOMES:
            assert code_text("contact_outcome", outcome, lang, strict=True)
        assert code_text("alert_kind", "call_participant", lang, strict=True)
        assert code_text("fact", "replied_by_text", lang, strict=True)


# -- the partner feed: nothing of a text message ---------------------------------------------------


def test_a_reply_by_text_is_told_to_the_jobcentre_only_as_the_call_it_stands_for() -> None:
    """The contact outcomes attendance records for a reply map to words the contract had already
    (or to nothing): the partner cannot tell a text from a call."""
    contract_hows = {"late_arrival", "reported", "reached", "reason_given", "contact_reestablished"}
    assert set(notices.CONTACT_MADE.values()) <= contract_hows
    assert notices.CONTACT_MADE["reason_given_by_text"] == "reason_given"
    assert notices.CONTACT_MADE["on_my_way"] == "reached"
    assert "asked_to_be_called" not in notices.CONTACT_MADE  # no contact until someone calls
    assert set(TEXT_OUTCOMES) - set(notices.CONTACT_MADE) == {"asked_to_be_called"}


def sms_events(course: Course) -> list[object]:
    about = {"referral_id": course.referral_id, "participant_id": course.participant_id, "provider_org": PROVIDER}
    return [
        SmsRequested(
            **about,
            request_id=uuid4(),
            template=SmsTemplate.QUESTION_MISSED_ARRIVAL,
            day=MONDAY_9.date(),
            requested_at=MONDAY_9,
            expires_at=MONDAY_9 + timedelta(hours=15),
        ),
        SmsConsentChanged(
            **about, status=SmsConsentStatus.OPTED_IN, channel=SmsConsentChannel.WEB, changed_at=MONDAY_9
        ),
        replied(course, SmsReplyCode.SICK),
    ]


async def test_text_messages_never_reach_a_partner(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    before = len(world.published)
    for event in sms_events(course):
        assert translate.milestones(event) == []  # type: ignore[arg-type]
        assert not event.routing_key.startswith("partner.")  # type: ignore[attr-defined]
        assert event.routing_key not in partner_events.FORWARDED  # type: ignore[attr-defined]
        envelope = Envelope(
            id=uuid4(), source="forlob/test", type="t", subject="s", time=MONDAY_9, sequence=1, data=event
        )
        async with world.uow() as uow:
            assert await partner_events.forward_to_referring_org(uow, world.options, envelope) == 0  # type: ignore[arg-type]
            await uow.commit()
    assert [e for e in world.published[before:] if isinstance(e, partner.PartnerEvent)] == []
    # The broker carries only partner.# to the partners' exchange: an sms.* key cannot match it.
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    to_partners = [b for b in definitions["bindings"] if b["destination"] == "forlob.partners"]
    assert to_partners
    assert all(b["routing_key"] == "partner.#" for b in to_partners)


async def test_a_reason_by_text_after_the_notice_is_told_as_reason_given(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    absence = world.absence(course)
    alert = await world.detect(absence)
    assert alert is not None
    async with world.uow() as uow:  # the notice went out: contact re-established is owed once
        found = await uow.alerts.by_cause(f"absence:{absence.absence_id}", for_update=True)
        assert found is not None
        found.notice_sent_at = MONDAY_9 + timedelta(minutes=5)
        await uow.alerts.save(found)
        await uow.commit()
    contact = ContactRecorded(
        **world.of_course(course),
        absence_id=absence.absence_id,
        outcome="reason_given_by_text",
        reason="illness",  # type: ignore[arg-type]
        recorded_at=MONDAY_9 + timedelta(minutes=20),
    )
    async with world.uow() as uow:
        await notices.on_contact_recorded(uow, world.options, contact)
        await uow.commit()
    told = world.published_of(partner.ContactReestablished)
    assert [(t.how, t.reason) for t in told] == [("reason_given", "illness")]

"""Text messages on the in-memory unit of work: a question asked at a detected absence only of a
participant who opted in, the evening reminders at the local hour in each course's own zone (a
change of daylight saving included), and each coded reply's facts, once per reply."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from forlob_attendance.application.courses import start_course
from forlob_attendance.application.meetings import MeetingPlan, plan_meeting
from forlob_attendance.application.periodic import tick
from forlob_attendance.application.sms import record_consent, request_reminders, take_reply
from forlob_attendance.domain.sms import question_request_id, reminder_request_id
from forlob_shared.events import (
    AbsenceReason,
    MeetingPlace,
    ProgrammeShape,
    ProgrammeStarted,
    SmsConsentChanged,
    SmsConsentChannel,
    SmsConsentStatus,
    SmsReplied,
    SmsReplyCode,
    SmsTemplate,
)
from forlob_testkit.attendance import MONDAY, local, programme_started
from forlob_testkit.attendance_rules import CONTACT_PERSON, Centre

TUESDAY = MONDAY + timedelta(days=1)
CPH, FAROE = ZoneInfo("Europe/Copenhagen"), ZoneInfo("Atlantic/Faroe")


def consent(course: ProgrammeStarted, status: SmsConsentStatus = SmsConsentStatus.OPTED_IN, **kw: Any) -> Any:
    return SmsConsentChanged(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        status=status,
        channel=kw.get("channel", SmsConsentChannel.IN_PERSON),
        changed_at=kw.get("at", datetime(2026, 11, 20, 9, tzinfo=UTC)),
    )


def reply(course: ProgrammeStarted, code: SmsReplyCode, absence_id: UUID | None, **kw: Any) -> SmsReplied:
    return SmsReplied(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        reply_id=kw.get("reply_id", uuid4()),
        code=code,
        absence_id=absence_id,
        received_at=kw.get("at", local(MONDAY, 8, 40)),
    )


async def opted_in_course(centre: Centre, **kwargs: Any) -> ProgrammeStarted:
    course = await centre.start(**kwargs)
    await centre.apply(record_consent, consent(course))
    return course


# ---- questions at detection ------------------------------------------------------------------


async def test_a_missed_arrival_asks_the_participant_who_opted_in_and_nobody_else(centre: Centre) -> None:
    texted = await opted_in_course(centre)
    silent = await centre.start()
    centre.at(local(MONDAY, 8, 20))
    assert await centre.sweep() == 2
    (asked,) = centre.events("sms.requested.v1")
    absence = centre.slot(texted.referral_id, MONDAY).absence_id
    assert absence is not None
    data = asked.data
    assert (data.referral_id, data.participant_id) == (texted.referral_id, texted.participant_id)
    assert data.absence_id == absence
    assert data.template is SmsTemplate.QUESTION_MISSED_ARRIVAL
    assert data.request_id == question_request_id(absence, SmsTemplate.QUESTION_MISSED_ARRIVAL)
    assert (data.day, data.local_time, data.meeting_id) == (MONDAY, "08:00", None)
    assert data.expires_at == local(TUESDAY, 0)  # the end of that day, in the course's zone
    assert asked.referring_org is None  # an internal command: never a partner's header
    assert silent.referral_id not in {e.data.referral_id for e in centre.events("sms.requested.v1")}


async def test_a_participant_who_opted_out_is_not_asked_and_an_older_change_does_not_win(centre: Centre) -> None:
    course = await opted_in_course(centre)
    await centre.apply(record_consent, consent(course, SmsConsentStatus.OPTED_OUT, at=local(MONDAY, 6)))
    stale = consent(course, SmsConsentStatus.OPTED_IN, at=local(MONDAY, 5))  # delivered late
    await centre.apply(record_consent, stale)
    centre.at(local(MONDAY, 8, 20))
    assert await centre.sweep() == 1
    assert centre.events("sms.requested.v1") == []


async def test_a_missed_meeting_asks_about_the_meeting(centre: Centre) -> None:
    course = await opted_in_course(centre, shape=ProgrammeShape.MEETINGS)
    start = local(TUESDAY, 10)
    plan = MeetingPlan(start, start + timedelta(hours=1), MeetingPlace.HOME)
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, plan)
    centre.at(local(TUESDAY, 10, 30))
    assert await centre.sweep() == 1
    (asked,) = centre.data("sms.requested.v1")
    assert (asked.template, asked.meeting_id, asked.absence_id) == (
        SmsTemplate.QUESTION_MISSED_MEETING,
        meeting.meeting_id,
        meeting.meeting_id,
    )
    assert asked.local_time == "10:00"


async def test_an_absence_detected_after_its_day_asks_nothing(centre: Centre) -> None:
    await opted_in_course(centre)
    centre.at(local(TUESDAY, 7))  # the sweep was down all of Monday
    assert await centre.sweep() == 1
    assert centre.events("sms.requested.v1") == []


# ---- reminders the evening before --------------------------------------------------------------


async def start_ahead(centre: Centre, **kwargs: Any) -> ProgrammeStarted:
    """A course started (with its consent) days before its first day, as referral starts one."""
    course = programme_started(**kwargs)
    await centre.apply(start_course, course, centre.policy)
    await centre.apply(record_consent, consent(course))
    return course


async def remind(centre: Centre, at: time = time(18)) -> list[Any]:
    before = len(centre.events("sms.requested.v1"))
    await request_reminders(centre.uow(), centre.clock.now(), at)
    return centre.data("sms.requested.v1")[before:]


def in_zone(day: date, hour: int, zone: ZoneInfo, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


async def test_the_first_day_is_reminded_from_the_local_hour_in_each_course_s_own_zone(centre: Centre) -> None:
    first = date(2026, 11, 30)  # a Monday
    centre.at(local(date(2026, 11, 25), 12))
    copenhagen = await start_ahead(centre, start=first)
    faroe = programme_started(start=first)
    faroe = faroe.model_copy(update={"timezone": "Atlantic/Faroe"})  # an hour behind Copenhagen
    await centre.apply(start_course, faroe, centre.policy)
    await centre.apply(record_consent, consent(faroe))
    sunday = first - timedelta(days=1)
    centre.at(in_zone(sunday, 17, CPH, 59))
    assert await remind(centre) == []
    centre.at(in_zone(sunday, 18, CPH))
    (asked,) = await remind(centre)
    assert (asked.referral_id, asked.day) == (copenhagen.referral_id, first)
    assert asked.template is SmsTemplate.REMINDER_FIRST_DAY
    assert asked.request_id == reminder_request_id(copenhagen.referral_id, first, SmsTemplate.REMINDER_FIRST_DAY)
    assert (asked.local_time, asked.expires_at) == ("08:00", in_zone(first, 8, CPH))
    centre.at(in_zone(sunday, 18, CPH, 30))
    assert await remind(centre) == []  # asked once, however often the job runs
    centre.at(in_zone(sunday, 18, FAROE))
    (later,) = await remind(centre)
    assert (later.referral_id, later.local_time) == (faroe.referral_id, "08:00")
    centre.at(in_zone(first + timedelta(days=1), 18, CPH))
    assert await remind(centre) == []  # the second day is no first day


@pytest.mark.parametrize(
    ("first", "utc_hour"),
    [(date(2026, 10, 26), 17), (date(2026, 3, 30), 16)],  # the evening after each change of the clock
    ids=["to-winter-time", "to-summer-time"],
)
async def test_the_evening_of_a_change_of_daylight_saving_keeps_the_local_hour(
    centre: Centre, first: date, utc_hour: int
) -> None:
    centre.at(in_zone(first - timedelta(days=5), 12, CPH))
    await start_ahead(centre, start=first, end=first + timedelta(weeks=13))
    sunday = first - timedelta(days=1)
    centre.at(datetime.combine(sunday, time(utc_hour - 1, 30), tzinfo=UTC))  # 17:30 local, whatever the offset
    assert await remind(centre) == []
    centre.at(datetime.combine(sunday, time(utc_hour), tzinfo=UTC))
    (asked,) = await remind(centre)
    assert asked.day == first


async def test_a_planned_meeting_is_reminded_the_evening_before_at_the_configured_hour(centre: Centre) -> None:
    centre.at(local(MONDAY, 9))
    course = await start_ahead(centre, start=MONDAY, shape=ProgrammeShape.MEETINGS)
    start = local(MONDAY + timedelta(days=2), 13, 30)
    plan = MeetingPlan(start, start + timedelta(hours=1), MeetingPlace.WORKPLACE)
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, plan)
    centre.at(local(TUESDAY, 16, 30))
    assert await remind(centre, time(17)) == []
    centre.at(local(TUESDAY, 17))
    (asked,) = await remind(centre, time(17))
    assert (asked.template, asked.local_time) == (SmsTemplate.REMINDER_MEETING, "13:30")
    assert asked.meeting_id == meeting.meeting_id
    assert asked.request_id == reminder_request_id(meeting.meeting_id, start.date(), SmsTemplate.REMINDER_MEETING)


async def test_no_reminder_without_consent_or_for_an_ended_course_and_the_tick_asks_too(centre: Centre) -> None:
    first = date(2026, 11, 30)
    centre.at(local(date(2026, 11, 25), 12))
    await centre.apply(start_course, programme_started(start=first), centre.policy)  # never opted in
    course = await start_ahead(centre, start=first)
    centre.at(local(first - timedelta(days=1), 19))
    result = await tick(centre.uow, centre.clock.now(), days_ahead=14, sweep_batch=100, reminder_at=time(18))
    assert result.sms_reminders == 1
    assert [d.referral_id for d in centre.data("sms.requested.v1")] == [course.referral_id]


# ---- replies ---------------------------------------------------------------------------------


async def missed_monday(centre: Centre) -> tuple[ProgrammeStarted, UUID]:
    course = await opted_in_course(centre)
    centre.at(local(MONDAY, 8, 20))
    await centre.sweep()
    absence = centre.slot(course.referral_id, MONDAY).absence_id
    assert absence is not None
    centre.at(local(MONDAY, 8, 45))
    return course, absence


@pytest.mark.parametrize(
    ("code", "reason"),
    [(SmsReplyCode.SICK, AbsenceReason.ILLNESS), (SmsReplyCode.DOCTOR, AbsenceReason.SPECIALIST_APPOINTMENT)],
)
async def test_a_reason_by_text_explains_the_absence_with_a_contact_attempt(
    centre: Centre, code: SmsReplyCode, reason: AbsenceReason
) -> None:
    course, absence = await missed_monday(centre)
    await centre.apply(take_reply, reply(course, code, absence))
    (contact,) = centre.data("absence.contact_recorded.v1")
    assert (contact.absence_id, contact.outcome, contact.reason) == (absence, "reason_given_by_text", reason)
    assert contact.recorded_at == local(MONDAY, 8, 40)  # when the participant answered
    (resolved,) = centre.data("absence.resolved.v1")
    assert (resolved.absence_id, resolved.resolution, resolved.reason) == (absence, "reported", reason)
    slot = centre.slot(course.referral_id, MONDAY)
    assert (slot.state, slot.reason, slot.resolution) == ("excused", reason.value, "reported")
    (attempt,) = centre.store.table("contact_attempts").values()
    assert (attempt.outcome, attempt.reason, attempt.recorded_by) == ("reason_given_by_text", reason.value, "sms")


async def test_on_my_way_is_a_contact_and_the_check_in_resolves_it_as_a_late_arrival(centre: Centre) -> None:
    course, absence = await missed_monday(centre)
    await centre.apply(take_reply, reply(course, SmsReplyCode.ON_MY_WAY, absence))
    (contact,) = centre.data("absence.contact_recorded.v1")
    assert (contact.outcome, contact.reason) == ("on_my_way", None)
    assert centre.events("absence.resolved.v1") == []
    centre.at(local(MONDAY, 9, 5))
    await centre.check_in(course.participant_id)
    (resolved,) = centre.data("absence.resolved.v1")
    assert (resolved.resolution, resolved.minutes_late) == ("late_arrival", 65)


@pytest.mark.parametrize("code", [SmsReplyCode.OTHER_CALL_ME, SmsReplyCode.UNKNOWN])
async def test_call_me_or_an_unreadable_reply_asks_to_be_called_and_explains_nothing(
    centre: Centre, code: SmsReplyCode
) -> None:
    course, absence = await missed_monday(centre)
    await centre.apply(take_reply, reply(course, code, absence))
    (contact,) = centre.data("absence.contact_recorded.v1")
    assert (contact.outcome, contact.reason) == ("asked_to_be_called", None)
    assert centre.events("absence.resolved.v1") == []
    assert centre.slot(course.referral_id, MONDAY).state == "absent"


async def test_stop_and_a_reply_to_no_question_write_nothing_here(centre: Centre) -> None:
    course, absence = await missed_monday(centre)
    before = centre.snapshot()
    await centre.apply(take_reply, reply(course, SmsReplyCode.STOP, absence))
    await centre.apply(take_reply, reply(course, SmsReplyCode.SICK, None))
    assert centre.snapshot() == before


async def test_a_replayed_reply_is_one_fact(centre: Centre) -> None:
    course, absence = await missed_monday(centre)
    replied = reply(course, SmsReplyCode.SICK, absence)
    await centre.apply(take_reply, replied)
    await centre.apply(take_reply, replied)  # the gateway's webhook delivered twice
    assert len(centre.events("absence.contact_recorded.v1")) == 1
    assert len(centre.events("absence.resolved.v1")) == 1
    assert len(centre.store.table("contact_attempts")) == 1


async def test_a_reason_after_the_late_arrival_is_a_contact_and_does_not_rewrite_the_arrival(centre: Centre) -> None:
    course, absence = await missed_monday(centre)
    await centre.check_in(course.participant_id, local(MONDAY, 8, 44))
    await centre.apply(take_reply, reply(course, SmsReplyCode.DOCTOR, absence))
    assert len(centre.events("absence.contact_recorded.v1")) == 1
    assert [r.resolution for r in centre.data("absence.resolved.v1")] == ["late_arrival"]
    assert centre.slot(course.referral_id, MONDAY).state == "present"


async def test_a_reply_naming_another_course_s_absence_is_ignored(centre: Centre) -> None:
    _course, absence = await missed_monday(centre)
    other = await opted_in_course(centre)
    before = len(centre.events())
    await centre.apply(take_reply, reply(other, SmsReplyCode.SICK, absence))
    assert len(centre.events()) == before

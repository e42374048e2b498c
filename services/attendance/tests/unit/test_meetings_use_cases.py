"""A meetings-shaped course on the in-memory unit of work: nothing expected between meetings, a
planned meeting missed is an absence (same sweep, same grace), held or cancelled; the cadence
reminder; commands of the wrong shape refused with nothing changed."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from forlob_attendance.application.courses import end_course
from forlob_attendance.application.meetings import (
    MeetingPlan,
    MeetingRecord,
    cancel_meeting,
    hold_meeting,
    meetings_at,
    meetings_of_referral,
    move_meeting,
    plan_meeting,
    remind_cadence,
)
from forlob_attendance.application.registration import AbsenceReport, report_absence
from forlob_attendance.domain.meetings import CancelledBy, MeetingState, WrongShape
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import (
    AbsenceReason,
    AttendanceRules,
    MeetingPlace,
    MeetingTopic,
    Outcome,
    ProgrammeEnded,
    ProgrammeShape,
    ProgrammeStarted,
)
from forlob_testkit.attendance import MONDAY, local
from forlob_testkit.attendance_rules import CONTACT_PERSON, OTHER_PROVIDER, Centre

TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in range(1, 4))


async def _meetings_course(centre: Centre, **kwargs: object) -> ProgrammeStarted:
    return await centre.start(shape=ProgrammeShape.MEETINGS, **kwargs)  # type: ignore[arg-type]


def _plan(
    day: object = TUESDAY, hour: int = 10, minutes: int = 60, place: MeetingPlace = MeetingPlace.HOME
) -> MeetingPlan:
    start = local(day, hour)  # type: ignore[arg-type]
    return MeetingPlan(start, start + timedelta(minutes=minutes), place)


async def test_a_meetings_course_expects_nothing_without_a_meeting(centre: Centre) -> None:
    course = await _meetings_course(centre)
    assert centre.slots(course.referral_id) == []
    centre.at(local(MONDAY + timedelta(days=4), 16))
    await centre.materialise()
    assert await centre.sweep() == 0
    centre.at(local(MONDAY + timedelta(days=7), 3))
    await centre.summarise()
    [week] = centre.data("attendance.week_summarised.v1")
    assert (week.agreed_minutes, week.absent_minutes, week.unexcused_absences) == (0, 0, 0)


async def test_a_planned_meeting_missed_is_detected_by_the_sweep_with_its_meeting_id(centre: Centre) -> None:
    course = await _meetings_course(centre, rules=AttendanceRules(absence_grace_minutes=20))
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan())
    assert (meeting.state, meeting.staff_id, meeting.place) == (MeetingState.PLANNED, "cp-1", "home")
    [planned] = centre.data("meeting.planned.v1")
    assert (planned.meeting_id, planned.starts_at) == (meeting.meeting_id, local(TUESDAY, 10))
    centre.at(local(TUESDAY, 10, 19))
    assert await centre.sweep() == 0  # the programme's grace
    centre.at(local(TUESDAY, 10, 20))
    assert await centre.sweep() == 1
    [detected] = centre.data("absence.detected.v1")
    assert (detected.meeting_id, detected.absence_id) == (meeting.meeting_id, meeting.meeting_id)
    assert (detected.expected_at, detected.expected_end) == (local(TUESDAY, 10), local(TUESDAY, 11))
    assert await centre.check_breaches() == 0  # one unexcused day is no breach

    centre.at(local(TUESDAY, 11, 30))
    held = await hold_meeting(
        centre.uow(),
        CONTACT_PERSON,
        meeting.meeting_id,
        MeetingRecord(local(TUESDAY, 10, 40), 45, (MeetingTopic.JOB_SEARCH, MeetingTopic.HEALTH)),
    )
    assert (held.state, held.minutes_late, held.duration_minutes, held.resolution) == (
        MeetingState.HELD,
        40,
        45,
        "late_arrival",
    )
    [resolved] = centre.data("absence.resolved.v1")
    assert (resolved.absence_id, resolved.resolution, resolved.minutes_late) == (meeting.meeting_id, "late_arrival", 40)
    [record] = centre.data("meeting.held.v1")
    assert record.topics == [MeetingTopic.HEALTH, MeetingTopic.JOB_SEARCH]


async def test_a_meeting_cancelled_in_advance_is_never_an_absence(centre: Centre) -> None:
    course = await _meetings_course(centre)
    first = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan())
    second = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(THURSDAY))
    by_participant = await cancel_meeting(
        centre.uow(), CONTACT_PERSON, first.meeting_id, CancelledBy.PARTICIPANT, AbsenceReason.ILLNESS
    )
    by_provider = await cancel_meeting(centre.uow(), CONTACT_PERSON, second.meeting_id, CancelledBy.PROVIDER)
    assert by_participant.state is by_provider.state is MeetingState.CANCELLED
    centre.at(local(THURSDAY, 18))
    assert await centre.sweep() == 0
    assert centre.data("absence.detected.v1") == []
    cancelled = centre.data("meeting.cancelled.v1")
    assert [(c.cancelled_by, c.reason) for c in cancelled] == [
        ("participant", AbsenceReason.ILLNESS),
        ("provider", None),
    ]
    centre.at(local(MONDAY + timedelta(days=7), 3))
    await centre.summarise()
    [week] = centre.data("attendance.week_summarised.v1")
    assert (week.agreed_minutes, week.absent_minutes, week.absences_by_reason) == (60, 60, {"illness": 1})


async def test_a_moved_meeting_keeps_its_id_and_is_expected_at_its_new_time(centre: Centre) -> None:
    course = await _meetings_course(centre)
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan())
    moved = await move_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, _plan(WEDNESDAY, 13, 30))
    assert (moved.meeting_id, moved.day, moved.starts_at) == (meeting.meeting_id, WEDNESDAY, local(WEDNESDAY, 13))
    assert [p.meeting_id for p in centre.data("meeting.planned.v1")] == [meeting.meeting_id] * 2
    centre.at(local(TUESDAY, 18))
    assert await centre.sweep() == 0
    centre.at(local(WEDNESDAY, 13, 16))
    assert await centre.sweep() == 1


async def test_reading_a_course_s_meetings_and_a_contact_person_s_week(centre: Centre) -> None:
    course = await _meetings_course(centre)
    other = await _meetings_course(centre)
    a = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(THURSDAY))
    b = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(TUESDAY))
    plan = _plan(WEDNESDAY)
    c = await plan_meeting(
        centre.uow(), CONTACT_PERSON, other.referral_id, MeetingPlan(plan.starts_at, plan.ends_at, plan.place, "cp-2")
    )
    of_course = await meetings_of_referral(centre.uow(), CONTACT_PERSON.org, course.referral_id)
    assert [m.meeting_id for m in of_course] == [b.meeting_id, a.meeting_id]
    week = await meetings_at(centre.uow(), CONTACT_PERSON.org, MONDAY, MONDAY + timedelta(days=6))
    assert [m.meeting_id for m in week] == [b.meeting_id, c.meeting_id, a.meeting_id]
    mine = await meetings_at(centre.uow(), CONTACT_PERSON.org, MONDAY, MONDAY + timedelta(days=6), "cp-2")
    assert [m.meeting_id for m in mine] == [c.meeting_id]
    assert await meetings_at(centre.uow(), OTHER_PROVIDER.org, MONDAY, MONDAY + timedelta(days=6)) == []
    with pytest.raises(NotFound):
        await meetings_of_referral(centre.uow(), OTHER_PROVIDER.org, course.referral_id)


async def test_the_cadence_reminder_comes_once_per_due_day(centre: Centre) -> None:
    course = await _meetings_course(centre)
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan())
    centre.at(local(TUESDAY, 11))
    await hold_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, MeetingRecord(local(TUESDAY, 10), 60))
    centre.at(local(TUESDAY + timedelta(days=7), 12))
    assert (await remind_cadence(centre.uow(), centre.clock.now()))[1] == 0  # the due day itself
    centre.at(local(TUESDAY + timedelta(days=8), 9))
    assert await remind_cadence(centre.uow(), centre.clock.now()) == (1, 1)
    centre.at(local(TUESDAY + timedelta(days=8), 15))
    assert await remind_cadence(centre.uow(), centre.clock.now()) == (0, 0)  # looked at today already
    centre.at(local(TUESDAY + timedelta(days=9), 9))
    assert await remind_cadence(centre.uow(), centre.clock.now()) == (1, 0)  # the same due day
    [overdue] = centre.data("meeting.cadence_overdue.v1")
    assert (overdue.last_meeting_day, overdue.due_by, overdue.max_days_between) == (
        TUESDAY,
        TUESDAY + timedelta(days=7),
        7,
    )
    assert overdue.referral_id == course.referral_id


async def test_a_timetabled_course_has_no_cadence_reminder(centre: Centre) -> None:
    await centre.start()
    centre.at(local(MONDAY + timedelta(days=30), 9))
    assert await remind_cadence(centre.uow(), centre.clock.now()) == (0, 0)


async def test_the_course_s_end_calls_off_the_meetings_after_it(centre: Centre) -> None:
    course = await _meetings_course(centre)
    kept = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(TUESDAY))
    later = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(THURSDAY))
    ended = ProgrammeEnded(
        **{
            k: getattr(course, k)
            for k in ("referral_id", "participant_id", "programme_code", "referring_org", "provider_org")
        },
        start_date=MONDAY,
        end_date=WEDNESDAY,
        outcome=Outcome.ORDINARY_EMPLOYMENT,
        ended_at=local(MONDAY, 12),
    )
    await centre.apply(end_course, ended)
    [cancelled] = centre.data("meeting.cancelled.v1")
    assert (cancelled.meeting_id, cancelled.cancelled_by) == (later.meeting_id, "provider")
    assert [s.id for s in centre.slots(course.referral_id)] == [kept.meeting_id]
    with pytest.raises(Conflict, match="ended"):
        await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan(TUESDAY, 12))


# ---- refused, with nothing changed ------------------------------------------------------------


async def test_commands_of_the_wrong_shape_are_refused(centre: Centre) -> None:
    timetabled = await centre.start()
    meetings = await _meetings_course(centre)
    centre.at(local(MONDAY, 9))
    before = centre.snapshot()
    with pytest.raises(WrongShape):
        await plan_meeting(centre.uow(), CONTACT_PERSON, timetabled.referral_id, _plan())
    with pytest.raises(WrongShape):
        await centre.check_in(meetings.participant_id, local(MONDAY, 9))
    report = AbsenceReport(meetings.participant_id, AbsenceReason.ILLNESS, TUESDAY, WEDNESDAY)
    with pytest.raises(WrongShape):
        await report_absence(centre.uow(), CONTACT_PERSON, report)
    assert centre.snapshot() == before


async def test_bad_meetings_are_refused(centre: Centre) -> None:
    course = await _meetings_course(centre)
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan())
    before = centre.snapshot()
    start = local(WEDNESDAY, 10)
    with pytest.raises(InvalidInput, match="ends before"):
        await plan_meeting(
            centre.uow(), CONTACT_PERSON, course.referral_id, MeetingPlan(start, start, MeetingPlace.PHONE)
        )
    with pytest.raises(InvalidInput, match="outside"):
        await plan_meeting(
            centre.uow(), CONTACT_PERSON, course.referral_id, _plan(course.planned_end_date + timedelta(days=1))
        )
    with pytest.raises(Conflict, match="another meeting"):
        await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, _plan())
    with pytest.raises(NotFound):
        await plan_meeting(centre.uow(), OTHER_PROVIDER, course.referral_id, _plan(WEDNESDAY))
    with pytest.raises(NotFound):
        await plan_meeting(centre.uow(), CONTACT_PERSON, uuid4(), _plan(WEDNESDAY))
    with pytest.raises(NotFound):
        await hold_meeting(centre.uow(), CONTACT_PERSON, uuid4(), MeetingRecord(None, 30))
    with pytest.raises(NotFound):
        await cancel_meeting(centre.uow(), OTHER_PROVIDER, meeting.meeting_id, CancelledBy.PROVIDER)
    with pytest.raises(InvalidInput, match="future"):
        await hold_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, MeetingRecord(local(THURSDAY, 10), 30))
    assert centre.snapshot() == before
    await cancel_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, CancelledBy.PROVIDER)
    with pytest.raises(Conflict, match="cancelled"):
        await hold_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, MeetingRecord(None, 30))
    with pytest.raises(Conflict, match="cancelled"):
        await move_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, _plan(WEDNESDAY))

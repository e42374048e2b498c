"""A participant's days with a moved clock: arrivals, detection, lateness, reported absence."""

from __future__ import annotations

from datetime import timedelta

from forlob_testkit.attendance import MONDAY, PROVIDER, Attendance, auth, local

STAFF = auth()
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + timedelta(days=n) for n in range(1, 5))


async def test_a_normal_day_gives_check_in_and_out_and_no_absence(attendance: Attendance) -> None:
    course = await attendance.start()
    participant = course.participant_id
    attendance.at(local(MONDAY, 7, 55))
    arrived = await attendance.client.post(f"/participants/{participant}/check-in", headers=STAFF)
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["minutes_late"] == 0
    attendance.at(local(MONDAY, 9))
    assert await attendance.sweep() == 0
    attendance.at(local(MONDAY, 12, 40))
    left = await attendance.client.post(f"/participants/{participant}/check-out", headers=STAFF)
    assert left.status_code == 200, left.text
    assert left.json()["minutes_early"] == 20
    assert left.json()["attended_minutes"] == 4 * 60 + 45
    [checked_in] = await attendance.events("attendance.checked_in.v1")
    assert checked_in.data.minutes_late == 0
    assert checked_in.data.expected_at == local(MONDAY, 8)
    assert checked_in.subject == str(course.referral_id)
    [checked_out] = await attendance.events("attendance.checked_out.v1")
    assert (checked_out.data.minutes_early, checked_out.data.attended_minutes) == (20, 285)
    assert checked_out.sequence == checked_in.sequence + 1
    assert await attendance.events("absence.detected.v1") == []
    slot = await attendance.slot(course.referral_id, MONDAY)
    assert slot["state"] == "present"


async def test_detection_at_start_plus_grace_then_a_late_arrival_resolves_it(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(
        local(
            MONDAY,
            8,
            14,
        )
        + timedelta(seconds=59)
    )
    assert await attendance.sweep() == 0  # inside the 15 minutes' grace
    attendance.at(local(MONDAY, 8, 15))
    assert await attendance.sweep() == 1
    assert await attendance.sweep() == 0  # detected once
    [detected] = await attendance.events("absence.detected.v1")
    assert detected.data.referral_id == course.referral_id
    assert detected.data.participant_id == course.participant_id
    assert detected.data.day == MONDAY
    assert detected.data.expected_at == local(MONDAY, 8)
    # the window's end: the jobcentre's notice counts the minutes missed against it, never beyond
    assert detected.data.expected_end == local(MONDAY, 13)
    assert detected.data.detected_at == local(MONDAY, 8, 15)
    assert detected.subject == str(detected.data.absence_id)
    assert detected.sequence == 1
    assert (detected.providerorg, detected.referringorg) == ("rca-aalborg", "jobcenter-aalborg")
    slot = await attendance.slot(course.referral_id, MONDAY)
    assert (slot["state"], slot["absence_id"]) == ("absent", detected.data.absence_id)

    attendance.at(local(MONDAY, 8, 40))
    arrived = await attendance.client.post(f"/participants/{course.participant_id}/check-in", headers=STAFF)
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["minutes_late"] == 40
    assert arrived.json()["absence_resolved"] == str(detected.data.absence_id)
    [resolved] = await attendance.events("absence.resolved.v1")
    assert resolved.data.absence_id == detected.data.absence_id
    assert (resolved.data.resolution, resolved.data.minutes_late) == ("late_arrival", 40)
    assert resolved.subject == detected.subject
    assert resolved.sequence == 2
    [checked_in] = await attendance.events("attendance.checked_in.v1")
    assert checked_in.data.minutes_late == 40
    slot = await attendance.slot(course.referral_id, MONDAY)
    assert (slot["state"], slot["resolution"]) == ("present", "late_arrival")


async def test_absence_reported_the_evening_before_means_no_detection(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 19, 30))
    reported = await attendance.client.post(
        f"/participants/{course.participant_id}/absences",
        json={"reason": "illness", "first_day": str(TUESDAY), "last_day": str(TUESDAY)},
        headers=auth(PROVIDER, "contact_person", staff="cp-1"),
    )
    assert reported.status_code == 201, reported.text
    assert reported.json()["excused_slots"] == 1
    attendance.at(local(TUESDAY, 10))
    assert await attendance.sweep() == 1
    assert [e.data.day for e in await attendance.events("absence.detected.v1")] == [MONDAY]  # Tuesday is excused
    assert (await attendance.slot(course.referral_id, TUESDAY))["state"] == "excused"
    [event] = await attendance.events("attendance.absence_reported.v1")
    assert (event.data.reason, event.data.first_day, event.data.last_day) == ("illness", TUESDAY, TUESDAY)
    assert event.data.reported_at == local(MONDAY, 19, 30)


async def test_an_internship_day_is_attendance_elsewhere(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 7))
    reported = await attendance.client.post(
        f"/participants/{course.participant_id}/absences",
        json={"reason": "internship", "first_day": str(WEDNESDAY), "last_day": str(WEDNESDAY)},
        headers=STAFF,
    )
    assert reported.status_code == 201, reported.text
    attendance.at(local(WEDNESDAY, 12))
    assert await attendance.sweep() == 2
    detected = await attendance.events("absence.detected.v1")
    assert {e.data.day for e in detected} == {MONDAY, TUESDAY}  # Wednesday is at the internship
    assert (await attendance.slot(course.referral_id, WEDNESDAY))["state"] == "internship"
    attendance.at(local(MONDAY + timedelta(days=7), 6))
    assert await attendance.summarise() == 1
    [week] = await attendance.events("attendance.week_summarised.v1")
    assert week.data.week_start == MONDAY
    assert week.data.agreed_minutes == 5 * 300
    assert week.data.internship_minutes == 300
    assert week.data.absences_by_reason == {"internship": 1}


async def test_absence_reported_after_detection_resolves_it(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 9))
    assert await attendance.sweep() == 1
    [detected] = await attendance.events("absence.detected.v1")
    reported = await attendance.client.post(
        f"/participants/{course.participant_id}/absences",
        json={"reason": "specialist_appointment", "first_day": str(MONDAY), "last_day": str(MONDAY)},
        headers=STAFF,
    )
    assert reported.json()["resolved_absences"] == [str(detected.data.absence_id)]
    [resolved] = await attendance.events("absence.resolved.v1")
    assert (resolved.data.resolution, resolved.data.reason) == ("reported", "specialist_appointment")
    assert (await attendance.slot(course.referral_id, MONDAY))["state"] == "excused"


async def test_a_course_that_ends(attendance: Attendance) -> None:
    from forlob_attendance.application.courses import end_course
    from forlob_shared.events import Outcome, ProgrammeEnded

    course = await attendance.start()
    ended = ProgrammeEnded(
        referral_id=course.referral_id,
        participant_id=course.participant_id,
        programme_code=course.programme_code,
        referring_org=course.referring_org,
        provider_org=course.provider_org,
        start_date=MONDAY,
        end_date=TUESDAY,
        outcome=Outcome.ORDINARY_EMPLOYMENT,
        ended_at=local(TUESDAY, 14),
    )
    await attendance.apply(end_course, ended)
    attendance.at(local(FRIDAY, 14))
    assert await attendance.sweep() == 2  # Monday and Tuesday only
    assert await attendance.scalar("SELECT max(day) FROM slots WHERE referral_id = :r", r=course.referral_id) == TUESDAY
    before = await attendance.snapshot()
    attendance.at(local(FRIDAY + timedelta(days=3), 8))
    late = await attendance.client.post(f"/participants/{course.participant_id}/check-in", headers=STAFF)
    assert late.status_code == 422
    assert "outside the participant's course" in late.json()["detail"]
    assert await attendance.snapshot() == before


async def test_weekly_summary_counts_agreed_attended_and_unexcused(attendance: Attendance) -> None:
    course = await attendance.start()
    participant = course.participant_id
    for day, arrive, leave in ((MONDAY, (8, 0), (13, 0)), (TUESDAY, (8, 30), (12, 0))):
        attendance.at(local(day, *arrive))
        assert (await attendance.client.post(f"/participants/{participant}/check-in", headers=STAFF)).status_code == 200
        attendance.at(local(day, *leave))
        assert (
            await attendance.client.post(f"/participants/{participant}/check-out", headers=STAFF)
        ).status_code == 200
    attendance.at(local(FRIDAY, 23, 59))
    await attendance.sweep()
    assert await attendance.summarise() == 0  # the week is not over in Copenhagen
    attendance.at(local(MONDAY + timedelta(days=7), 0, 1))
    assert await attendance.summarise() == 0  # over locally, but the sweep waits for UTC midnight
    attendance.at(local(MONDAY + timedelta(days=7), 1, 0))
    assert await attendance.summarise() == 1
    assert await attendance.summarise() == 0
    [week] = await attendance.events("attendance.week_summarised.v1")
    assert week.data.agreed_minutes == 1500
    assert week.data.attended_minutes == 300 + 210
    assert week.data.absent_minutes == 1500 - 510
    assert week.data.unexcused_absences == 3


async def test_day_list_and_participant_slots(attendance: Attendance) -> None:
    first = await attendance.start()
    second = await attendance.start()
    attendance.at(local(MONDAY, 8, 5))
    listed = await attendance.client.post(
        "/check-ins",
        json={
            "entries": [
                {"participant_id": str(first.participant_id)},
                {"participant_id": str(second.participant_id), "at": local(MONDAY, 7, 58).isoformat()},
            ]
        },
        headers=STAFF,
    )
    assert listed.status_code == 200, listed.text
    assert [r["minutes_late"] for r in listed.json()["registered"]] == [5, 0]
    day = await attendance.client.get(f"/days/{MONDAY}", headers=STAFF)
    assert {s["participant_id"] for s in day.json()["slots"]} == {str(first.participant_id), str(second.participant_id)}
    assert {s["state"] for s in day.json()["slots"]} == {"present"}
    slots = await attendance.client.get(
        f"/participants/{first.participant_id}/slots", params={"from": str(MONDAY), "to": str(FRIDAY)}, headers=STAFF
    )
    assert [s["day"] for s in slots.json()["slots"]] == [str(MONDAY + timedelta(days=n)) for n in range(5)]
    other = await attendance.client.get(f"/days/{MONDAY}", headers=auth("aktivitetscenter-malmo"))
    assert other.json()["slots"] == []


async def test_contact_attempts_are_recorded_as_coded_facts(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 9))
    await attendance.sweep()
    [detected] = await attendance.events("absence.detected.v1")
    absence = detected.data.absence_id
    for body in (
        {"outcome": "called_no_answer"},
        {"outcome": "reason_given", "reason": "illness", "at": local(MONDAY, 8, 50).isoformat()},
    ):
        response = await attendance.client.post(f"/absences/{absence}/contacts", json=body, headers=STAFF)
        assert response.status_code == 201, response.text
    contacts = await attendance.events("absence.contact_recorded.v1")
    assert [(c.data.outcome, c.data.reason) for c in contacts] == [
        ("called_no_answer", None),
        ("reason_given", "illness"),
    ]
    assert contacts[1].data.recorded_at == local(MONDAY, 8, 50)
    assert [c.sequence for c in contacts] == [2, 3]  # after absence.detected, in the absence's own order
    assert course


async def test_a_reported_absence_beyond_the_horizon_excuses_slots_made_later(attendance: Attendance) -> None:
    course = await attendance.start()
    holiday_first, holiday_last = MONDAY + timedelta(days=21), MONDAY + timedelta(days=25)  # a week in December
    reported = await attendance.client.post(
        f"/participants/{course.participant_id}/absences",
        json={"reason": "holiday", "first_day": str(holiday_first), "last_day": str(holiday_last)},
        headers=auth(PROVIDER, "coordinator", staff="co-1"),
    )
    assert reported.status_code == 201, reported.text
    assert reported.json()["excused_slots"] == 0  # no slots that far ahead yet
    attendance.at(local(holiday_first, 6))
    await attendance.materialise()
    rows = await attendance.rows(
        "SELECT state, reason FROM slots WHERE referral_id = :r AND day BETWEEN :f AND :l",
        r=course.referral_id,
        f=holiday_first,
        l=holiday_last,
    )
    assert [(r["state"], r["reason"]) for r in rows] == [("excused", "holiday")] * 5
    attendance.at(local(holiday_last, 14))
    await attendance.sweep()
    assert not [e for e in await attendance.events("absence.detected.v1") if e.data.day >= holiday_first]

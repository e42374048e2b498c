"""Calendar truth: nobody is expected on Christmas Eve or while the provider has declared itself
closed, so no slot is materialised then and the sweep raises no absence there."""

from __future__ import annotations

from datetime import date, time, timedelta

from forlob_testkit.attendance import Attendance, auth, local

COORDINATOR = auth("rca-aalborg", "coordinator", staff="ko-1")
CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday
MONDAY_14_DEC = date(2026, 12, 14)


async def _slot_days(attendance: Attendance, referral_id: object) -> list[date]:
    rows = await attendance.rows("SELECT day FROM slots WHERE referral_id = :r ORDER BY day", r=referral_id)
    return [r["day"] for r in rows]


async def test_christmas_eve_and_a_declared_closure_give_no_expected_arrival_and_no_absence(
    attendance: Attendance,
) -> None:
    attendance.at(local(MONDAY_14_DEC, 5))
    staff_day = MONDAY_14_DEC + timedelta(days=2)  # Wednesday 16 December
    declared = await attendance.client.post(
        "/closures",
        json={"first_day": str(staff_day), "last_day": str(staff_day), "reason": "staff_day"},
        headers=COORDINATOR,
    )
    assert declared.status_code == 201, declared.text
    course = await attendance.start(start=MONDAY_14_DEC)

    days = await _slot_days(attendance, course.referral_id)
    assert days == [
        date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 17), date(2026, 12, 18),
        date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 28),
    ]  # fmt: skip

    # Nobody comes at all; the sweep on the afternoon of Christmas Eve finds the missed days only.
    attendance.at(local(CHRISTMAS_EVE, 15))
    assert await attendance.sweep() == 7
    detected = {e.data.day for e in await attendance.events("absence.detected.v1")}
    assert staff_day not in detected
    assert CHRISTMAS_EVE not in detected
    assert len(detected) == 7


async def test_a_closure_declared_after_materialising_cancels_the_slots_and_the_sweep_stays_quiet(
    attendance: Attendance,
) -> None:
    course = await attendance.start()  # Monday 23 November 2026, slots 14 days ahead
    summer = {"first_day": "2026-11-30", "last_day": "2026-12-04", "reason": "summer_closure"}
    declared = await attendance.client.post("/closures", json=summer, headers=COORDINATOR)
    assert declared.status_code == 201
    # Notifications hears of it (its working time skips the closure); no jobcentre does.
    [announced] = await attendance.events("provider.calendar_changed.v1")
    assert announced.subject == "rca-aalborg"
    assert announced.referringorg is None
    assert [(c.closure_id, c.first_day, c.reason) for c in announced.data.closures] == [
        (declared.json()["closure_id"], date(2026, 11, 30), "summer_closure")
    ]
    days = await _slot_days(attendance, course.referral_id)
    assert not [d for d in days if date(2026, 11, 30) <= d <= date(2026, 12, 4)]
    assert date(2026, 11, 27) in days
    assert date(2026, 12, 7) in days

    attendance.at(local(date(2026, 12, 4), 15))
    assert await attendance.sweep() == 5  # the first week only
    detected = {e.data.day for e in await attendance.events("absence.detected.v1")}
    assert detected == {date(2026, 11, 23) + timedelta(days=n) for n in range(5)}

    # The materialiser carries on past the closure, never into it, nor into one declared beyond
    # what was materialised (a staff day on Tuesday 15 December).
    later = {"first_day": "2026-12-15", "last_day": "2026-12-15", "reason": "staff_day"}
    assert (await attendance.client.post("/closures", json=later, headers=COORDINATOR)).status_code == 201
    assert await attendance.materialise() > 0
    days = await _slot_days(attendance, course.referral_id)
    assert not [d for d in days if date(2026, 11, 30) <= d <= date(2026, 12, 4)]
    assert date(2026, 12, 15) not in days
    assert date(2026, 12, 14) in days
    assert date(2026, 12, 16) in days


async def test_a_closure_over_a_swept_day_is_refused_and_changes_nothing(attendance: Attendance) -> None:
    await attendance.start()
    attendance.at(local(date(2026, 11, 24), 15))
    assert await attendance.sweep() == 2  # Monday and Tuesday were missed
    before = await attendance.snapshot()
    late = {"first_day": "2026-11-23", "last_day": "2026-11-27", "reason": "other"}
    refused = await attendance.client.post("/closures", json=late, headers=COORDINATOR)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert await attendance.snapshot() == before
    assert (await attendance.client.get("/closures", headers=COORDINATOR)).json()["closures"] == []


async def test_bad_closures_are_refused(attendance: Attendance) -> None:
    backwards = {"first_day": "2026-12-04", "last_day": "2026-11-30", "reason": "summer_closure"}
    unknown = {"first_day": "2026-11-30", "last_day": "2026-11-30", "reason": "party"}
    end_first = {
        "first_day": "2026-11-30",
        "last_day": "2026-11-30",
        "reason": "other",
        "start": "12:00",
        "end": "10:00",
    }
    too_long = {"first_day": "2026-01-01", "last_day": "2027-06-30", "reason": "other"}
    for body in (backwards, unknown, end_first, too_long):
        response = await attendance.client.post("/closures", json=body, headers=COORDINATOR)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    # Declaring closures is the coordinator's: a workshop lead may not.
    ok = {"first_day": "2026-11-30", "last_day": "2026-11-30", "reason": "staff_day"}
    assert (await attendance.client.post("/closures", json=ok, headers=auth())).status_code == 403
    unknown_code = await attendance.client.put(
        "/customary-closures/no_such_day", json={"observed": False}, headers=COORDINATOR
    )
    assert unknown_code.status_code == 404


async def test_withdrawing_a_closure_expects_arrivals_again_from_now_on(attendance: Attendance) -> None:
    course = await attendance.start()
    closure = {"first_day": "2026-11-25", "last_day": "2026-11-27", "reason": "staff_day"}
    declared = await attendance.client.post("/closures", json=closure, headers=COORDINATOR)
    closure_id = declared.json()["closure_id"]
    # Withdrawn on Wednesday at 10:00: that day's arrival (08:00 plus grace) is past, the rest is not.
    attendance.at(local(date(2026, 11, 25), 10))
    assert (await attendance.client.delete(f"/closures/{closure_id}", headers=COORDINATOR)).status_code == 204
    days = await _slot_days(attendance, course.referral_id)
    assert date(2026, 11, 25) not in days
    assert date(2026, 11, 26) in days
    assert date(2026, 11, 27) in days
    other_org = auth("another-provider", "coordinator")
    assert (await attendance.client.delete(f"/closures/{closure_id}", headers=other_org)).status_code == 404


async def test_a_provider_that_works_on_christmas_eve_expects_its_participants(attendance: Attendance) -> None:
    attendance.at(local(MONDAY_14_DEC, 5))
    course = await attendance.start(start=MONDAY_14_DEC)
    assert CHRISTMAS_EVE not in await _slot_days(attendance, course.referral_id)
    opened = await attendance.client.put(
        "/customary-closures/christmas_eve", json={"observed": False}, headers=COORDINATOR
    )
    assert opened.status_code == 204
    assert CHRISTMAS_EVE in await _slot_days(attendance, course.referral_id)
    assert (await attendance.client.get("/closures", headers=COORDINATOR)).json()["customary_worked"] == [
        "christmas_eve"
    ]
    kept = await attendance.client.put(
        "/customary-closures/christmas_eve", json={"observed": True}, headers=COORDINATOR
    )
    assert kept.status_code == 204
    assert CHRISTMAS_EVE not in await _slot_days(attendance, course.referral_id)


async def test_a_part_day_closure_cuts_a_planned_window_at_its_start(attendance: Attendance) -> None:
    course = await attendance.start()  # agreed 08:00-13:00 every weekday
    thursday = date(2026, 11, 26)
    afternoon = {"first_day": str(thursday), "last_day": str(thursday), "reason": "staff_day", "start": "10:00"}
    attendance.at(local(thursday, 9))  # declared that morning: the arrival is due, not yet swept
    assert (await attendance.client.post("/closures", json=afternoon, headers=COORDINATOR)).status_code == 201
    slot = await attendance.slot(course.referral_id, thursday)
    assert (slot["window_start"], slot["window_end"]) == (time(8), time(10))
    assert slot["expected_end"] == local(thursday, 10)
    assert slot["state"] == "expected"  # still expected at 08:00: the morning is open
    assert await attendance.sweep() == 4  # Monday to Wednesday, and Thursday's missed arrival
    untouched = await attendance.slot(course.referral_id, thursday + timedelta(days=1))
    assert untouched["window_end"] == time(13)


async def test_a_closure_over_the_start_of_a_window_already_attended_adds_no_second_arrival(
    attendance: Attendance,
) -> None:
    # Checked in at 08:05; at 09:00 the coordinator closes 08:00-10:00 that day. The morning's
    # registered arrival stands for the day: no second arrival is expected at 10:00, so the
    # sweep reports nobody who is present.
    course = await attendance.start()  # agreed 08:00-13:00 every weekday
    thursday = date(2026, 11, 26)
    attendance.at(local(thursday, 8, 5))
    arrived = await attendance.client.post(
        f"/participants/{course.participant_id}/check-in", headers=auth("rca-aalborg", "contact_person")
    )
    assert arrived.status_code == 200, arrived.text
    attendance.at(local(thursday, 9))
    morning = {"first_day": str(thursday), "last_day": str(thursday), "reason": "staff_day", "end": "10:00"}
    declared = await attendance.client.post("/closures", json=morning, headers=COORDINATOR)
    assert declared.status_code == 201, declared.text
    [slot] = await attendance.rows(
        "SELECT state FROM slots WHERE referral_id = :r AND day = :d", r=course.referral_id, d=thursday
    )
    assert slot["state"] == "present"  # one slot that day: the arrival registered
    attendance.at(local(thursday, 15))
    assert await attendance.sweep() == 3  # Monday to Wednesday: Thursday was attended
    detected = {e.data.day for e in await attendance.events("absence.detected.v1")}
    assert thursday not in detected

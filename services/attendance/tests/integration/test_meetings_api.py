"""The meetings API against PostgreSQL: plan, move, hold, cancel, read; a missed meeting through
the real sweep (absence.detected.v1 with its meeting_id); the cadence reminder once across
replicas; and the refusals, each a problem with nothing changed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from forlob_attendance.application.courses import end_course
from forlob_attendance.application.meetings import remind_cadence
from forlob_shared.events import Outcome, ProgrammeEnded, ProgrammeShape
from forlob_testkit.attendance import MONDAY, PROVIDER, Attendance, auth, local

pytestmark = pytest.mark.servers

CP = auth(PROVIDER, "contact_person", staff="cp-1")
OTHER_ORG = auth("aktivitetscenter-malmo", "contact_person", staff="cp-9")
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in range(1, 4))


def _body(day: Any = TUESDAY, hour: int = 10, minutes: int = 60, place: str = "home", **more: Any) -> dict[str, Any]:
    start = local(day, hour)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "place": place,
    } | more


async def _refused(attendance: Attendance, method: str, path: str, status: int, **kwargs: Any) -> dict[str, Any]:
    before = await attendance.snapshot()
    response = await attendance.client.request(method, path, **kwargs)
    assert response.status_code == status, (path, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert await attendance.snapshot() == before, f"{method} {path} changed something"
    problem: dict[str, Any] = response.json()
    return problem


async def test_a_meeting_planned_missed_held_late_and_another_cancelled(attendance: Attendance) -> None:
    course = await attendance.start(shape=ProgrammeShape.MEETINGS)
    assert await attendance.scalar("SELECT count(*) FROM slots") == 0  # nothing expected without a meeting
    planned = await attendance.client.post(f"/referrals/{course.referral_id}/meetings", headers=CP, json=_body())
    assert planned.status_code == 201, planned.text
    meeting = planned.json()
    assert (meeting["state"], meeting["staff_id"], meeting["place"], meeting["day"]) == (
        "planned",
        "cp-1",
        "home",
        TUESDAY.isoformat(),
    )
    other = (
        await attendance.client.post(f"/referrals/{course.referral_id}/meetings", headers=CP, json=_body(THURSDAY))
    ).json()
    cancelled = await attendance.client.post(
        f"/meetings/{other['meeting_id']}/cancel", headers=CP, json={"cancelled_by": "participant", "reason": "illness"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["state"], cancelled.json()["cancelled_by"]) == ("cancelled", "participant")

    attendance.at(local(MONDAY, 16))
    assert await attendance.sweep() == 0  # no absence on a day without a meeting
    attendance.at(local(TUESDAY, 10, 16))
    assert await attendance.sweep() == 1
    [detected] = await attendance.events("absence.detected.v1")
    assert str(detected.data.meeting_id) == meeting["meeting_id"]
    assert detected.data.expected_end == local(TUESDAY, 11)
    attendance.at(local(TUESDAY, 11))
    held = await attendance.client.post(
        f"/meetings/{meeting['meeting_id']}/held",
        headers=CP,
        json={"held_at": local(TUESDAY, 10, 30).isoformat(), "duration_minutes": 30, "topics": ["job_search"]},
    )
    assert held.status_code == 200, held.text
    assert (held.json()["state"], held.json()["minutes_late"], held.json()["resolution"]) == (
        "held",
        30,
        "late_arrival",
    )
    [resolved] = await attendance.events("absence.resolved.v1")
    assert str(resolved.data.absence_id) == meeting["meeting_id"]

    attendance.at(local(THURSDAY, 18))
    assert await attendance.sweep() == 0  # cancelled in advance: never an absence
    outbox = await attendance.rows("SELECT routing_key FROM outbox ORDER BY position")
    keys = [r["routing_key"] for r in outbox if r["routing_key"].startswith("meeting.")]
    assert keys == ["meeting.planned.v1", "meeting.planned.v1", "meeting.cancelled.v1", "meeting.held.v1"]

    listed = (await attendance.client.get(f"/referrals/{course.referral_id}/meetings", headers=CP)).json()
    assert [(m["day"], m["state"]) for m in listed["meetings"]] == [
        (TUESDAY.isoformat(), "held"),
        (THURSDAY.isoformat(), "cancelled"),
    ]
    week = await attendance.client.get(
        "/meetings",
        headers=CP,
        params={"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=6)).isoformat(), "staff_id": "cp-1"},
    )
    assert [m["meeting_id"] for m in week.json()["meetings"]] == [meeting["meeting_id"], other["meeting_id"]]
    elsewhere = await attendance.client.get(
        "/meetings", headers=OTHER_ORG, params={"from": MONDAY.isoformat(), "to": THURSDAY.isoformat()}
    )
    assert elsewhere.json() == {"meetings": []}

    attendance.at(local(MONDAY + timedelta(days=7), 3))
    await attendance.summarise()
    [summary] = await attendance.events("attendance.week_summarised.v1")
    assert (summary.data.agreed_minutes, summary.data.attended_minutes) == (120, 30)


async def test_a_moved_meeting_is_the_same_meeting_at_its_new_time(attendance: Attendance) -> None:
    course = await attendance.start(shape=ProgrammeShape.MEETINGS)
    meeting = (
        await attendance.client.post(f"/referrals/{course.referral_id}/meetings", headers=CP, json=_body())
    ).json()
    moved = await attendance.client.put(
        f"/meetings/{meeting['meeting_id']}", headers=CP, json=_body(WEDNESDAY, 13, place="phone")
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["meeting_id"], moved.json()["day"], moved.json()["place"]) == (
        meeting["meeting_id"],
        WEDNESDAY.isoformat(),
        "phone",
    )
    attendance.at(local(TUESDAY, 18))
    assert await attendance.sweep() == 0
    attendance.at(local(WEDNESDAY, 13, 20))
    assert await attendance.sweep() == 1


async def test_the_cadence_reminder_is_sent_once_by_racing_replicas(attendance: Attendance) -> None:
    courses = [await attendance.start(shape=ProgrammeShape.MEETINGS) for _ in range(6)]
    attendance.at(local(MONDAY + timedelta(days=8), 9))
    now = attendance.clock.now()
    results = await asyncio.gather(*(remind_cadence(attendance.uow(), now, 2) for _ in range(5)))
    assert sum(n for _, n in results) <= 6
    while (await remind_cadence(attendance.uow(), now, 2))[0]:
        pass
    overdue = await attendance.events("meeting.cadence_overdue.v1")
    assert sorted(str(e.data.referral_id) for e in overdue) == sorted(str(c.referral_id) for c in courses)
    assert {e.data.due_by for e in overdue} == {MONDAY + timedelta(days=7)}


async def test_meeting_refusals(attendance: Attendance) -> None:
    timetabled = await attendance.start()
    course = await attendance.start(shape=ProgrammeShape.MEETINGS)
    plan = f"/referrals/{course.referral_id}/meetings"
    wrong = await _refused(
        attendance, "POST", f"/referrals/{timetabled.referral_id}/meetings", 409, headers=CP, json=_body()
    )
    assert wrong["type"].endswith("/wrong-shape")
    assert "timetabled" in wrong["detail"]
    attendance.at(local(MONDAY, 9))
    await _refused(attendance, "POST", f"/participants/{course.participant_id}/check-in", 409, headers=auth())
    await _refused(
        attendance,
        "POST",
        f"/participants/{course.participant_id}/absences",
        409,
        headers=auth(),
        json={"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat()},
    )
    await _refused(attendance, "POST", plan, 422, headers=CP, json=_body(minutes=0))  # ends as it starts
    bad = _body() | {"ends_at": local(TUESDAY, 9).isoformat()}
    await _refused(attendance, "POST", plan, 422, headers=CP, json=bad)  # ends before it starts
    await _refused(attendance, "POST", plan, 422, headers=CP, json=_body(place="garden"))
    await _refused(attendance, "POST", plan, 422, headers=CP, json=_body(MONDAY, 8))  # in the past
    await _refused(attendance, "POST", plan, 404, headers=OTHER_ORG, json=_body())
    await _refused(attendance, "POST", f"/referrals/{uuid4()}/meetings", 404, headers=CP, json=_body())
    await _refused(attendance, "POST", plan, 403, headers=auth(PROVIDER, "workshop_lead"), json=_body())
    await _refused(attendance, "POST", plan, 401, json=_body())
    await _refused(attendance, "POST", f"/meetings/{uuid4()}/held", 404, headers=CP, json={"duration_minutes": 30})
    await _refused(
        attendance, "POST", f"/meetings/{uuid4()}/cancel", 404, headers=CP, json={"cancelled_by": "provider"}
    )
    await _refused(attendance, "PUT", f"/meetings/{uuid4()}", 404, headers=CP, json=_body())
    await _refused(attendance, "GET", f"/referrals/{course.referral_id}/meetings", 404, headers=OTHER_ORG)
    meeting = (await attendance.client.post(plan, headers=CP, json=_body())).json()
    await _refused(
        attendance,
        "POST",
        f"/meetings/{meeting['meeting_id']}/cancel",
        404,
        headers=OTHER_ORG,
        json={"cancelled_by": "provider"},
    )
    await _refused(
        attendance,
        "POST",
        f"/meetings/{meeting['meeting_id']}/cancel",
        422,
        headers=CP,
        json={"cancelled_by": "someone"},
    )
    await _refused(attendance, "POST", plan, 409, headers=CP, json=_body())  # the same start twice
    await _refused(
        attendance, "GET", "/meetings", 422, headers=CP, params={"from": TUESDAY.isoformat(), "to": MONDAY.isoformat()}
    )


async def test_no_meeting_is_planned_in_an_ended_course(attendance: Attendance) -> None:
    course = await attendance.start(shape=ProgrammeShape.MEETINGS)
    later = (
        await attendance.client.post(f"/referrals/{course.referral_id}/meetings", headers=CP, json=_body(THURSDAY))
    ).json()
    ids = {
        k: getattr(course, k)
        for k in ("referral_id", "participant_id", "programme_code", "referring_org", "provider_org")
    }
    ended = ProgrammeEnded(
        **ids, start_date=MONDAY, end_date=TUESDAY, outcome=Outcome.ORDINARY_EMPLOYMENT, ended_at=local(MONDAY, 12)
    )
    await attendance.apply(end_course, ended)
    [cancelled] = await attendance.events("meeting.cancelled.v1")
    assert (str(cancelled.data.meeting_id), cancelled.data.cancelled_by) == (later["meeting_id"], "provider")
    problem = await _refused(
        attendance, "POST", f"/referrals/{course.referral_id}/meetings", 409, headers=CP, json=_body()
    )
    assert "ended" in problem["detail"]
    attendance.at(local(THURSDAY, 18))
    assert await attendance.sweep() == 0

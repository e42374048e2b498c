"""Combined courses over HTTP on PostgreSQL: an employer as the referral service announces it
(employer.registered.v1, applied as the consumer does), internship days planned in the agreed
plan, the SQL sweep raising no missed arrival on them, the week counting them as attended
elsewhere; and each refusal a problem with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from forlob_attendance.application.internships import record_employer
from forlob_shared.events import ProgrammeShape
from forlob_shared.events.employment import EmployerRegistered, EmployerSector
from forlob_testkit.attendance import MONDAY, PROVIDER, Attendance, auth, local

pytestmark = pytest.mark.servers

CP = auth(PROVIDER, "contact_person", staff="cp-1")
OTHER_ORG = auth("aktivitetscenter-malmo", "contact_person", staff="cp-9")
TUESDAY = MONDAY + timedelta(days=1)


async def _employer(attendance: Attendance, org: str = PROVIDER) -> str:
    employer_id = uuid4()
    registered = EmployerRegistered(
        employer_id=employer_id,
        provider_org=org,
        country="DK",
        sector=EmployerSector.PRIVATE,
        registered_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    await attendance.apply(record_employer, registered)
    return str(employer_id)


async def test_internship_days_are_attendance_elsewhere_through_the_sweep_and_the_week(attendance: Attendance) -> None:
    course = await attendance.start()
    employer = await _employer(attendance)
    body = {"employer_id": employer, "first_day": str(MONDAY), "last_day": str(MONDAY + timedelta(13)), "weekdays": [1]}
    headers = {**CP, "Idempotency-Key": "plan-1"}
    planned = await attendance.client.post(f"/referrals/{course.referral_id}/internships", json=body, headers=headers)
    assert planned.status_code == 201, planned.text
    assert (planned.json()["weekdays"], planned.json()["slots_at_internship"]) == ([1], 2)
    again = await attendance.client.post(f"/referrals/{course.referral_id}/internships", json=body, headers=headers)
    assert again.json() == planned.json()
    assert await attendance.scalar("SELECT count(*) FROM internships") == 1

    attendance.at(local(TUESDAY, 20))
    assert await attendance.sweep() == 1  # Monday's window; Tuesday is at the company
    assert (await attendance.slot(course.referral_id, TUESDAY))["state"] == "internship"
    [event] = await attendance.events("attendance.internship_planned.v1")
    assert (str(event.data.employer_id), event.data.weekdays) == (employer, [1])
    assert str(event.subject) == str(course.referral_id)

    attendance.at(local(MONDAY + timedelta(days=7), 6))
    await attendance.sweep()
    await attendance.summarise()
    [week] = [e.data for e in await attendance.events("attendance.week_summarised.v1")]
    assert (week.agreed_minutes, week.attended_minutes, week.internship_minutes) == (1500, 0, 300)
    assert (week.absent_minutes, week.unexcused_absences, week.absences_by_reason) == (1200, 4, {})
    listed = await attendance.client.get(f"/referrals/{course.referral_id}/internships", headers=CP)
    assert [i["employer_id"] for i in listed.json()] == [employer]


async def _refused(attendance: Attendance, path: str, body: Any, status: int, headers: Any = CP) -> dict[str, Any]:
    before = await attendance.snapshot()
    response = await attendance.client.post(path, json=body, headers=headers)
    assert response.status_code == status, (body, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert await attendance.snapshot() == before, f"{body} changed something"
    problem: dict[str, Any] = response.json()
    return problem


async def test_a_plan_that_cannot_hold_is_a_problem_and_changes_nothing(attendance: Attendance) -> None:
    course = await attendance.start()
    meetings = await attendance.start(shape=ProgrammeShape.MEETINGS)
    employer = await _employer(attendance)
    theirs = await _employer(attendance, "aktivitetscenter-malmo")
    attendance.at(local(TUESDAY, 9))
    path = f"/referrals/{course.referral_id}/internships"
    good = {"employer_id": employer, "first_day": str(TUESDAY), "last_day": str(TUESDAY), "weekdays": [1]}
    for body, status, field in [
        ({**good, "employer_id": str(uuid4())}, 404, "employer_id"),
        ({**good, "employer_id": theirs}, 404, "employer_id"),
        ({**good, "first_day": str(MONDAY)}, 422, "first_day"),
        ({**good, "last_day": str(MONDAY)}, 422, "last_day"),
        ({**good, "last_day": "2027-06-01"}, 422, "first_day"),
        ({**good, "weekdays": [9]}, 422, "weekdays"),
    ]:
        assert (await _refused(attendance, path, body, status))["field"] == field, body
    for bad in ({**good, "weekdays": []}, {**good, "why": "x"}, {**good, "first_day": "Tuesday"}):
        await _refused(attendance, path, bad, 422)
    wrong = await _refused(attendance, f"/referrals/{meetings.referral_id}/internships", good, 409)
    assert wrong["type"].endswith("wrong-shape")
    await _refused(attendance, path, good, 404, OTHER_ORG)

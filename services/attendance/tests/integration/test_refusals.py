"""Bad requests get a clear 4xx problem and change nothing; other organisations' ids are unknown."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from forlob_testkit.attendance import MONDAY, PROVIDER, Attendance, auth, local

STAFF = auth()
OTHER_ORG = auth("aktivitetscenter-malmo", "workshop_lead")


async def _refused(attendance: Attendance, method: str, path: str, status: int, **kwargs: Any) -> dict[str, Any]:
    before = await attendance.snapshot()
    response = await attendance.client.request(method, path, **kwargs)
    assert response.status_code == status, (path, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["title"]
    assert await attendance.snapshot() == before, f"{method} {path} changed something"
    return problem


async def test_check_in_refusals(attendance: Attendance) -> None:
    course = await attendance.start()
    mine = f"/participants/{course.participant_id}/check-in"
    attendance.at(local(MONDAY, 8, 30))
    await _refused(attendance, "POST", f"/participants/{uuid4()}/check-in", 404, headers=STAFF)
    await _refused(attendance, "POST", mine, 404, headers=OTHER_ORG)  # another provider's participant
    await _refused(attendance, "POST", mine, 401)
    await _refused(attendance, "POST", mine, 403, headers=auth(PROVIDER, "caseworker"))
    outside = await _refused(attendance, "POST", mine, 422, headers=STAFF, json={"at": local(MONDAY, 7, 0).isoformat()})
    assert "opening hours" in outside["detail"]
    await _refused(attendance, "POST", mine, 422, headers=STAFF, json={"at": local(MONDAY, 9).isoformat()})  # future
    await _refused(attendance, "POST", mine, 422, headers=STAFF, json={"at": "2026-11-23T08:00:00"})  # no offset
    await _refused(attendance, "POST", mine, 422, headers=STAFF, json={"at": local(MONDAY, 8).isoformat(), "x": 1})
    saturday = MONDAY + timedelta(days=5)
    attendance.at(local(saturday, 10))
    await _refused(attendance, "POST", mine, 422, headers=STAFF)  # the workshop is closed at the weekend
    attendance.at(local(MONDAY + timedelta(days=7), 8))
    assert (await attendance.client.post(mine, headers=STAFF)).status_code == 200
    await _refused(attendance, "POST", mine, 409, headers=STAFF)  # twice
    out = f"/participants/{course.participant_id}/check-out"
    await _refused(
        attendance, "POST", out, 422, headers=STAFF, json={"at": local(MONDAY + timedelta(days=7), 7, 59).isoformat()}
    )


async def test_check_out_without_check_in_is_a_conflict(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 12))
    await _refused(attendance, "POST", f"/participants/{course.participant_id}/check-out", 409, headers=STAFF)


async def test_a_day_list_with_one_bad_entry_registers_nobody(attendance: Attendance) -> None:
    first = await attendance.start()
    attendance.at(local(MONDAY, 8, 2))
    entries = [{"participant_id": str(first.participant_id)}, {"participant_id": str(uuid4())}]
    problem = await _refused(attendance, "POST", "/check-ins", 404, headers=STAFF, json={"entries": entries})
    assert problem["detail"].startswith("entry 1:")
    twice = [{"participant_id": str(first.participant_id)}] * 2
    await _refused(attendance, "POST", "/check-ins", 422, headers=STAFF, json={"entries": twice})
    await _refused(attendance, "POST", "/check-ins", 422, headers=STAFF, json={"entries": []})


async def test_absence_report_refusals(attendance: Attendance) -> None:
    course = await attendance.start()
    path = f"/participants/{course.participant_id}/absences"
    day = str(MONDAY + timedelta(days=1))
    good = {"reason": "illness", "first_day": day, "last_day": day}
    await _refused(attendance, "POST", path, 404, headers=OTHER_ORG, json=good)
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={**good, "reason": "hangover"})
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={**good, "first_day": "2026-11-27"})
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={**good, "first_day": "2026-01-05"})
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={**good, "last_day": "2030-01-01"})
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={**good, "note": "has the flu"})  # no free text


async def test_contact_refusals(attendance: Attendance) -> None:
    await attendance.start()
    attendance.at(local(MONDAY, 9))
    await attendance.sweep()
    [detected] = await attendance.events("absence.detected.v1")
    path = f"/absences/{detected.data.absence_id}/contacts"
    await _refused(attendance, "POST", path, 404, headers=OTHER_ORG, json={"outcome": "reached"})
    await _refused(attendance, "POST", f"/absences/{uuid4()}/contacts", 404, headers=STAFF, json={"outcome": "reached"})
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={"outcome": "reason_given"})  # which reason?
    await _refused(attendance, "POST", path, 422, headers=STAFF, json={"outcome": "sent_a_letter"})


async def test_reads_are_scoped_to_the_organisation(attendance: Attendance) -> None:
    course = await attendance.start()
    params = {"from": str(MONDAY), "to": str(MONDAY + timedelta(days=4))}
    path = f"/participants/{course.participant_id}/slots"
    await _refused(attendance, "GET", path, 404, headers=OTHER_ORG, params=params)
    await _refused(attendance, "GET", path, 422, headers=STAFF, params={"from": "2026-12-01", "to": "2026-11-01"})
    await _refused(attendance, "GET", "/days/not-a-day", 422, headers=STAFF)

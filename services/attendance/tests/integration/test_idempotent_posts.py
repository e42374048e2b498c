"""Idempotency-Key on attendance's POSTs against PostgreSQL: the pages and partner systems retry,
and a retry must not report an absence, record a contact or plan a meeting twice.

The same key with the same request answers the first response again (``Idempotent-Replayed``) and
changes nothing; with another request it is refused (422) and changes nothing; a refused request
leaves its key free; keys are per organisation; and keys are forgotten after their days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from forlob_shared.events import ProgrammeShape
from forlob_shared.http.idempotency_retention import forget_expired_keys
from forlob_testkit.attendance import MONDAY, PROVIDER, Attendance, auth, local

pytestmark = pytest.mark.servers

CP = auth(PROVIDER, "contact_person", staff="cp-1")
TUESDAY = MONDAY + timedelta(days=1)


def keyed(key: str, headers: dict[str, str] = CP) -> dict[str, str]:
    return headers | {"Idempotency-Key": key}


async def _twice(attendance: Attendance, path: str, body: Any, key: str) -> tuple[Any, Any]:
    first = await attendance.client.post(path, headers=keyed(key), json=body)
    assert first.status_code in (200, 201), first.text
    assert "Idempotent-Replayed" not in first.headers
    before = await attendance.snapshot()
    again = await attendance.client.post(path, headers=keyed(key), json=body)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await attendance.snapshot() == before, "a replay changed something"
    return first, again


async def test_an_absence_report_retried_with_its_key_is_reported_once(attendance: Attendance) -> None:
    course = await attendance.start()
    body = {"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat()}
    await _twice(attendance, f"/participants/{course.participant_id}/absences", body, "report-1")
    assert await attendance.scalar("SELECT count(*) FROM absence_reports") == 1
    assert len(await attendance.events("attendance.absence_reported.v1")) == 1


async def test_the_same_key_with_another_request_is_refused_and_changes_nothing(attendance: Attendance) -> None:
    course = await attendance.start()
    path = f"/participants/{course.participant_id}/absences"
    body = {"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat()}
    assert (await attendance.client.post(path, headers=keyed("k"), json=body)).status_code == 201
    before = await attendance.snapshot()
    other = await attendance.client.post(path, headers=keyed("k"), json=body | {"reason": "holiday"})
    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["reason"] == "idempotency-key-reused"
    assert await attendance.snapshot() == before


async def test_a_refused_request_leaves_its_key_free_for_the_corrected_one(attendance: Attendance) -> None:
    course = await attendance.start()
    path = f"/participants/{course.participant_id}/absences"
    before = await attendance.snapshot()
    backwards = {"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": MONDAY.isoformat()}
    refused = await attendance.client.post(path, headers=keyed("fix-me"), json=backwards)
    assert refused.status_code == 422, refused.text
    assert await attendance.snapshot() == before  # no claim left behind either
    corrected = {"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat()}
    assert (await attendance.client.post(path, headers=keyed("fix-me"), json=corrected)).status_code == 201


async def test_a_meeting_planned_held_and_a_contact_recorded_once_each(attendance: Attendance) -> None:
    course = await attendance.start(shape=ProgrammeShape.MEETINGS)
    start = local(TUESDAY, 10)
    plan = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "place": "home"}
    planned, _ = await _twice(attendance, f"/referrals/{course.referral_id}/meetings", plan, "plan-1")
    assert await attendance.scalar("SELECT count(*) FROM slots") == 1
    meeting_id = planned.json()["meeting_id"]

    attendance.at(local(TUESDAY, 10, 16))
    assert await attendance.sweep() == 1
    contact = {"outcome": "called_no_answer"}
    await _twice(attendance, f"/absences/{meeting_id}/contacts", contact, "contact-1")
    assert await attendance.scalar("SELECT count(*) FROM contact_attempts") == 1

    attendance.at(local(TUESDAY, 11))
    held = {"held_at": local(TUESDAY, 10, 30).isoformat(), "duration_minutes": 30, "topics": ["job_search"]}
    await _twice(attendance, f"/meetings/{meeting_id}/held", held, "held-1")
    assert len(await attendance.events("meeting.held.v1")) == 1


async def test_a_check_in_retried_with_its_key_answers_as_the_first_time(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 8, 5))
    first, _ = await _twice(attendance, f"/participants/{course.participant_id}/check-in", None, "arrive-1")
    assert first.json()["participant_id"] == str(course.participant_id)
    # Without a key a second check-in is a second request, and the participant is already in.
    again = await attendance.client.post(f"/participants/{course.participant_id}/check-in", headers=CP)
    assert again.status_code == 409, again.text


async def test_keys_are_per_organisation(attendance: Attendance) -> None:
    mine = await attendance.start()
    path = f"/participants/{mine.participant_id}/absences"
    body = {"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat()}
    assert (await attendance.client.post(path, headers=keyed("shared-key"), json=body)).status_code == 201
    stranger = keyed("shared-key", auth("aktivitetscenter-malmo", "contact_person", staff="cp-9"))
    theirs = await attendance.client.post(path, headers=stranger, json=body)
    assert theirs.status_code == 404, theirs.text  # their own request, run (and refused): no replay of ours
    assert "Idempotent-Replayed" not in theirs.headers


async def test_keys_are_forgotten_after_their_days(attendance: Attendance) -> None:
    course = await attendance.start()
    body = {"reason": "illness", "first_day": TUESDAY.isoformat(), "last_day": TUESDAY.isoformat()}
    path = f"/participants/{course.participant_id}/absences"
    assert (await attendance.client.post(path, headers=keyed("old"), json=body)).status_code == 201
    runtime = attendance.service.runtime
    days = runtime.settings.idempotency_key_days
    claimed = attendance.clock.now()
    assert await forget_expired_keys(runtime, claimed + timedelta(days=days) - timedelta(minutes=1)) == 0
    assert await forget_expired_keys(runtime, claimed + timedelta(days=days, minutes=1)) == 1
    assert await attendance.scalar("SELECT count(*) FROM idempotency_keys") == 0

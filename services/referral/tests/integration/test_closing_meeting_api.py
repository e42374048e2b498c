"""The closing meeting and the sub-goals' attainment over HTTP, on PostgreSQL: booked with the
start, re-booked within the course, read by both organisations, never in an event; bad input
gets 422 problem+json and changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from forlob_testkit.auth import auth
from forlob_testkit.referral import CASEWORKER, COORDINATOR, OTHER_COORDINATOR, SCHEDULE, Api, closing_note

START = {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "cp-1"}
CLOSING = {"starts_at": "2026-08-27T10:00:00+02:00", "place": "on_site"}
CONTACT = auth("rca-aalborg", "contact_person", staff="cp-1")


async def accepted(api: Api) -> str:
    await api.programme()
    rid = str((await api.refer())["id"])
    await api.act(rid, "accept")
    api.clock.advance(timedelta(days=15))  # Thursday 4 June
    return rid


async def meetings(api: Api, rid: str) -> list[dict[str, Any]]:
    response = await api.client.get(f"/referrals/{rid}/record", headers=CASEWORKER)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["meetings"]
    return found


def _instant(meeting: dict[str, Any]) -> dict[str, Any]:
    """The meeting with its time as an instant: the answer keeps the offset it was given."""
    return {**meeting, "starts_at": datetime.fromisoformat(meeting["starts_at"])}


def _problem(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def test_the_start_books_the_closing_meeting_which_both_organisations_read(api: Api) -> None:
    rid = await accepted(api)
    started = await api.act(rid, "start", {**START, "closing_meeting": CLOSING})
    booked = started["course"]["closing_meeting"]
    assert (booked["kind"], booked["place"], booked["status"], booked["caseworker_invited"]) == (
        "closing_meeting",
        "on_site",
        "planned",
        True,
    )
    assert _instant(booked)["starts_at"] == datetime.fromisoformat("2026-08-27T08:00:00Z")
    assert _instant((await api.get(rid, CASEWORKER))["course"]["closing_meeting"]) == _instant(booked)
    assert [m["id"] for m in await meetings(api, rid)] == [booked["id"]]
    # programme.started says when the course runs; the meeting, which may move, stays in the record.
    assert "closing" not in str(await api.events())


async def test_a_bad_closing_meeting_refuses_the_start_and_changes_nothing(api: Api) -> None:
    rid = await accepted(api)
    before = await api.events()
    for closing, words in (
        ({**CLOSING, "starts_at": "2026-08-31T10:00:00+02:00"}, "within the course (2026-06-01 to 2026-08-30)"),
        ({**CLOSING, "starts_at": "2026-05-29T10:00:00+02:00"}, "within the course"),
        ({**CLOSING, "starts_at": "2026-08-27T10:00:00"}, ""),  # no offset: whose ten o'clock?
        ({**CLOSING, "place": "the_pub"}, ""),
        ({**CLOSING, "note": "free text"}, ""),
        ({"place": "on_site"}, ""),
    ):
        problem = _problem(await api.post(f"/referrals/{rid}/start", {**START, "closing_meeting": closing}))
        assert words in problem["detail"] or words in str(problem), problem
    outside = _problem(
        await api.post(
            f"/referrals/{rid}/start", {**START, "closing_meeting": {**CLOSING, "starts_at": "2026-09-01T09:00:00Z"}}
        )
    )
    assert outside["field"] == "closing_meeting.starts_at"
    assert await api.events() == before
    assert (await api.get(rid))["state"] == "accepted"
    assert await meetings(api, rid) == []


async def test_the_coordinator_rebooks_the_closing_meeting_within_the_course(api: Api) -> None:
    rid = await accepted(api)
    booked = (await api.act(rid, "start", {**START, "closing_meeting": CLOSING}))["course"]["closing_meeting"]
    path = f"/referrals/{rid}/record/closing-meeting"
    earlier = {"starts_at": "2026-08-20T13:00:00+02:00", "place": "at_jobcentre", "caseworker_invited": True}
    key = {"Idempotency-Key": "rebook-1"}
    moved = await api.client.post(path, json=earlier, headers={**COORDINATOR, **key})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["id"], _instant(moved.json())["starts_at"], moved.json()["place"]) == (
        booked["id"],
        datetime.fromisoformat("2026-08-20T11:00:00Z"),
        "at_jobcentre",
    )
    again = await api.client.post(path, json=earlier, headers={**COORDINATOR, **key})
    assert again.json() == moved.json()
    assert _instant((await api.get(rid, CASEWORKER))["course"]["closing_meeting"]) == _instant(moved.json())

    # outside the course, the wrong role, another organisation, bad input: nothing moves
    late = _problem(await api.post(path, {**earlier, "starts_at": "2026-09-01T10:00:00+02:00"}))
    assert late["field"] == "starts_at"
    assert (await api.post(path, earlier, CASEWORKER)).status_code == 403
    assert (await api.post(path, earlier, CONTACT)).status_code == 403
    assert (await api.post(path, earlier, OTHER_COORDINATOR)).status_code == 404
    _problem(await api.post(path, {**earlier, "kind": "follow_up"}))
    _problem(await api.post(path, {"place": "on_site"}))
    assert [_instant(m) for m in await meetings(api, rid)] == [_instant(moved.json())]

    # a held meeting is not moved
    held = await api.post(f"/referrals/{rid}/record/meetings/{booked['id']}/settle", {"status": "held"})
    assert held.status_code == 200, held.text
    assert _problem(await api.post(path, earlier), 409)["current_state"] == "held"


async def test_a_course_is_not_shortened_past_its_closing_meeting(api: Api) -> None:
    rid = await accepted(api)
    await api.act(rid, "start", {**START, "closing_meeting": CLOSING})
    before = await api.events()
    problem = _problem(await api.post(f"/referrals/{rid}/reschedule", {"weeks": 12}))
    assert (problem["field"], "re-book the closing meeting first" in problem["detail"]) == ("weeks", True)
    assert await api.events() == before


def _sub(attainment: str, sub_goal: str = "Arrive by 08:00 four days a week") -> dict[str, str]:
    return {"sub_goal": sub_goal, "attainment": attainment}


async def test_each_sub_goal_is_attained_and_read_in_the_closing_note(api: Api) -> None:
    rid = await accepted(api)
    await api.act(rid, "start", START)
    note = closing_note()
    stable, hours = note["goal_attainment"]
    before = await api.events()
    for subs, missing, unknown in (
        ([], ["Arrive by 08:00 four days a week"], []),
        ([_sub("achieved"), _sub("achieved", "Learn Latin")], [], ["Learn Latin"]),
        ([_sub("achieved"), _sub("not_achieved")], [], []),
    ):
        body = {"end_date": "2026-06-04", "outcome": "education", "closing_note": {**note, "goal_attainment": [
            {**stable, "sub_goals": subs}, hours]}}  # fmt: skip
        problem = _problem(await api.post(f"/referrals/{rid}/end", body))
        assert (problem["field"], problem["missing"], problem["unknown"]) == (
            "closing_note.goal_attainment.0.sub_goals",
            missing,
            unknown,
        )
    body = {"end_date": "2026-06-04", "outcome": "education", "closing_note": {**note, "goal_attainment": [
        stable, {**hours, "sub_goals": [_sub("achieved", "Arrive by 08:00 four days a week")]}]}}  # fmt: skip
    assert _problem(await api.post(f"/referrals/{rid}/end", body))["unknown"] == ["Arrive by 08:00 four days a week"]
    coded = {**note, "goal_attainment": [{**stable, "sub_goals": [_sub("somewhat")]}, hours]}
    _problem(await api.post(f"/referrals/{rid}/end", {**body, "closing_note": coded}))
    assert await api.events() == before

    await api.act(rid, "end", {"end_date": "2026-06-04", "outcome": "education", "closing_note": note})
    kept = await api.client.get(f"/referrals/{rid}/closing-note", headers=CASEWORKER)
    assert kept.json()["goal_attainment"][0]["sub_goals"] == [
        {"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved", "comment": None}
    ]
    assert "Arrive by" not in str(await api.events())

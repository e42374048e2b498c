"""Referring on over HTTP, on a real database: the coordinator's proposal, the caseworker's referral
on, the handover meeting; the same Idempotency-Key twice is one referral; bad input is a clear 4xx
problem that changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from forlob_testkit.referral import CASEWORKER, COORDINATOR, OTHER_CASEWORKER, OTHER_COORDINATOR, PROVIDER_ORG, Api

OVERLAP = {"programme_code": "RCA-UDV-13", "provider_org": PROVIDER_ORG, "relation": "overlap"}
TWO_WEEKS_BEFORE = "2026-06-29"  # a Monday; the physiotherapy course's last day is Sunday 12 July


def keyed(headers: dict[str, str], name: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": name}


async def _physio_course(api: Api, capacity: int = 12) -> str:
    """A physiotherapy course started Monday 1 June for six weeks; the clock on Monday 15 June."""
    await api.programme("RCA-FYS", kind="physiotherapy", default_weeks=6, intake_weekdays=[0, 1, 2, 3, 4])
    await api.programme("RCA-UDV-13", capacity=capacity)
    rid = str((await api.refer(programme_code="RCA-FYS"))["id"])
    await api.act(rid, "accept")
    api.clock.advance(timedelta(days=12))
    schedule = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(4)]
    await api.act(rid, "start", {"start_date": "2026-06-01", "schedule": schedule, "contact_person_id": "kp-1"})
    api.clock.advance(timedelta(days=14))
    return rid


async def _counts(api: Api) -> tuple[int, int, int]:
    return (
        await api.scalar("SELECT count(*) FROM referrals"),
        await api.scalar("SELECT count(*) FROM handovers"),
        await api.scalar("SELECT count(*) FROM outbox"),
    )


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return dict(response.json())


async def test_the_caseworker_refers_on_once_per_key_and_both_sides_read_the_handover(api: Api) -> None:
    course = await _physio_course(api)
    body = {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE, "goals": [{"text": "Work-ready routine"}]}
    made = await api.post(f"/referrals/{course}/refer-on", body, keyed(CASEWORKER, "on-1"))
    assert made.status_code == 201, made.text
    again = await api.post(f"/referrals/{course}/refer-on", body, keyed(CASEWORKER, "on-1"))
    assert again.status_code == 201
    assert again.json() == made.json()
    handover = made.json()
    assert (handover["state"], handover["relation"], handover["planned_start"]) == (
        "referred",
        "overlap",
        TWO_WEEKS_BEFORE,
    )
    assert handover["facts"]["planned_end_date"] == "2026-07-12"
    assert await api.scalar("SELECT count(*) FROM referrals WHERE programme_code = 'RCA-UDV-13'") == 1
    assert (await api.event_types(course))[-1] == "course.referred_on.v1"
    nxt = await api.get(handover["next_referral_id"])
    assert (nxt["state"], nxt["wished_start"]) == ("received", TWO_WEEKS_BEFORE)
    listed = await api.client.get(f"/referrals/{handover['next_referral_id']}/handovers", headers=COORDINATOR)
    assert listed.json()["came_from"]["id"] == handover["id"]
    onward = await api.client.get(f"/referrals/{course}/handovers", headers=CASEWORKER)
    assert [h["id"] for h in onward.json()["onward"]] == [handover["id"]]
    accepted = await api.act(handover["next_referral_id"], "accept")
    assert accepted["intake_date"] == TWO_WEEKS_BEFORE


async def test_the_coordinator_proposes_and_the_caseworker_refers_on_from_the_proposal(api: Api) -> None:
    course = await _physio_course(api)
    attainment = [
        {
            "goal": "Stable attendance",
            "attainment": "achieved",
            "comment": "Every day since week two.",
            "sub_goals": [{"sub_goal": "Arrive by 08:00 four days a week", "attainment": "achieved"}],
        },
        {"goal": "Increase weekly hours", "attainment": "partly_achieved"},
    ]
    body = {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE, "goal_attainment": attainment}
    proposed = await api.post(f"/referrals/{course}/handovers", body, keyed(COORDINATOR, "prop-1"))
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()
    assert proposal["state"] == "proposed"
    assert proposal["facts"]["goals"] == {"achieved": 1, "partly_achieved": 1, "not_achieved": 0}
    assert "Every day" not in proposed.text  # the counts cross, the words do not
    assert (await api.post(f"/referrals/{course}/handovers", body, CASEWORKER)).status_code == 403
    referred = await api.post(f"/handovers/{proposal['id']}/refer", {}, keyed(CASEWORKER, "ref-1"))
    assert referred.status_code == 201, referred.text
    assert referred.json()["proposed_by_provider"] is True
    _problem(await api.post(f"/handovers/{proposal['id']}/refer", {}, keyed(CASEWORKER, "ref-2")), 409)
    _problem(await api.post(f"/handovers/{proposal['id']}/refer", {}, keyed(OTHER_CASEWORKER, "ref-3")), 404)


async def test_bad_handovers_are_clear_problems_and_change_nothing(api: Api) -> None:
    course = await _physio_course(api, capacity=1)
    holder = str((await api.refer(wished_start=TWO_WEEKS_BEFORE))["id"])
    await api.act(holder, "accept")
    before = await _counts(api)
    full = _problem(
        await api.post(f"/referrals/{course}/refer-on", {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE}, CASEWORKER),
        409,
    )
    assert full["reason"] == "no-free-seat"
    cases = [
        ({**OVERLAP, "planned_start": "2026-07-13"}, 422),  # an overlap after the course's last day
        ({**OVERLAP, "relation": "sequence", "planned_start": "2026-07-06"}, 422),  # a sequence before its end
        ({**OVERLAP, "planned_start": "2026-06-08"}, 422),  # in the past
        ({**OVERLAP, "programme_code": "NO-SUCH", "planned_start": TWO_WEEKS_BEFORE}, 422),
        ({**OVERLAP, "relation": "sideways", "planned_start": TWO_WEEKS_BEFORE}, 422),
    ]
    for body, status in cases:
        problem = _problem(await api.post(f"/referrals/{course}/refer-on", body, CASEWORKER), status)
        assert problem["detail"], body
    _problem(
        await api.post(
            f"/referrals/{course}/refer-on", {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE}, OTHER_CASEWORKER
        ),
        404,
    )
    # A course not running: the waiting holder has not started; an ended course is not referred on either.
    ended = _problem(
        await api.post(f"/referrals/{holder}/refer-on", {**OVERLAP, "planned_start": "2026-07-06"}, CASEWORKER), 409
    )
    assert ended["current_state"] == "accepted"
    assert await _counts(api) == before


async def test_the_handover_meeting_is_planned_in_the_courses_zone_and_held(api: Api) -> None:
    course = await _physio_course(api)
    made = await api.post(
        f"/referrals/{course}/refer-on", {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE}, keyed(CASEWORKER, "m")
    )
    hid = made.json()["id"]
    meeting = {
        "starts_at": "2026-06-22T10:00:00+02:00",
        "participants": [
            {"org": "jobcenter-aalborg", "staff_id": "cw-7"},
            {"org": PROVIDER_ORG, "staff_id": "co-3"},
        ],
    }
    planned = await api.post(f"/handovers/{hid}/meeting", meeting, keyed(COORDINATOR, "plan"))
    assert planned.status_code == 200, planned.text
    assert planned.json()["meeting"]["starts_at"] == "2026-06-22T10:00:00+02:00"
    assert planned.json()["meeting"]["timezone"] == "Europe/Copenhagen"
    stranger = {**meeting, "participants": [*meeting["participants"], {"org": "elsewhere", "staff_id": "x"}]}
    _problem(await api.post(f"/handovers/{hid}/meeting", stranger, COORDINATOR), 422)
    _problem(await api.post(f"/handovers/{hid}/meeting", meeting, OTHER_COORDINATOR), 404)
    _problem(await api.post(f"/handovers/{hid}/meeting/held", None, CASEWORKER), 409)  # not begun
    api.clock.advance(timedelta(days=7, hours=1))
    held = await api.post(f"/handovers/{hid}/meeting/held", None, keyed(CASEWORKER, "held"))
    assert held.status_code == 200, held.text
    assert held.json()["meeting"]["held_at"] is not None
    types = await api.event_types(course)
    assert types[-2:] == ["handover_meeting.planned.v1", "handover_meeting.held.v1"]
    # Ids, codes and dates only: no name, identity number or goal in any event.
    for event in await api.events():
        assert "Jens" not in str(event)
        assert "2110625629" not in str(event)
        assert "Work-ready" not in str(event)


async def test_the_caseworker_declines_a_proposal_once_per_key_and_may_then_refer_on(api: Api) -> None:
    course = await _physio_course(api)
    body = {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE}
    hid = (await api.post(f"/referrals/{course}/handovers", body, keyed(COORDINATOR, "p"))).json()["id"]
    assert (await api.event_types(course))[-1] == "course.next_step_proposed.v1"
    blocked = _problem(await api.post(f"/referrals/{course}/refer-on", body, CASEWORKER), 409)
    assert blocked["handover_id"] == hid
    reason = {"reason": "not_the_right_programme"}
    _problem(await api.post(f"/handovers/{hid}/decline", {"reason": "because"}, CASEWORKER), 422)
    _problem(await api.post(f"/handovers/{hid}/decline", reason, COORDINATOR), 403)
    _problem(await api.post(f"/handovers/{hid}/decline", reason, OTHER_CASEWORKER), 404)
    declined = await api.post(f"/handovers/{hid}/decline", reason, keyed(CASEWORKER, "d-1"))
    assert declined.status_code == 200, declined.text
    again = await api.post(f"/handovers/{hid}/decline", reason, keyed(CASEWORKER, "d-1"))
    assert again.json() == declined.json()  # the same key: the same answer, declined once
    assert declined.json()["state"] == "declined"
    assert declined.json()["decision"]["decline_reason"] == "not_the_right_programme"
    assert (await api.event_types(course))[-1] == "course.next_step_declined.v1"
    assert (await api.event_types(course)).count("course.next_step_declined.v1") == 1
    twice = _problem(await api.post(f"/handovers/{hid}/decline", reason, keyed(CASEWORKER, "d-2")), 409)
    assert twice["current_state"] == "declined"
    refer = _problem(await api.post(f"/handovers/{hid}/refer", {}, keyed(CASEWORKER, "r-1")), 409)
    assert refer["current_state"] == "declined"
    shown = await api.client.get(f"/handovers/{hid}", headers=COORDINATOR)
    assert shown.json()["decision"]["decline_reason"] == "not_the_right_programme"
    made = await api.post(f"/referrals/{course}/refer-on", {**body, "planned_start": "2026-07-06"}, CASEWORKER)
    assert made.status_code == 201, made.text


async def test_the_coordinator_withdraws_a_proposal_and_nobody_decides_it_after(api: Api) -> None:
    course = await _physio_course(api)
    body = {**OVERLAP, "planned_start": TWO_WEEKS_BEFORE}
    hid = (await api.post(f"/referrals/{course}/handovers", body, keyed(COORDINATOR, "p"))).json()["id"]
    _problem(await api.post(f"/handovers/{hid}/withdraw", None, CASEWORKER), 403)
    _problem(await api.post(f"/handovers/{hid}/withdraw", None, OTHER_COORDINATOR), 404)
    withdrawn = await api.post(f"/handovers/{hid}/withdraw", None, keyed(COORDINATOR, "w-1"))
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["state"], withdrawn.json()["decision"]["decline_reason"]) == ("withdrawn", None)
    assert (await api.event_types(course))[-1] == "course.next_step_withdrawn.v1"
    before = await _counts(api)
    for path, who, payload in (
        ("withdraw", COORDINATOR, None),
        ("decline", CASEWORKER, {"reason": "other"}),
        ("refer", CASEWORKER, {}),
    ):
        problem = _problem(await api.post(f"/handovers/{hid}/{path}", payload, keyed(who, f"{path}-2")), 409)
        assert problem["current_state"] == "withdrawn"
    assert await _counts(api) == before

"""A referral's whole life over HTTP: refer, accept, start, extend, shorten, change, end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from forlob_testkit.referral import (
    CASEWORKER,
    COORDINATOR,
    CPR,
    OTHER_CASEWORKER,
    OTHER_COORDINATOR,
    REFERRING_ORG,
    SCHEDULE,
    Api,
    closing_note,
)


async def test_the_whole_course_and_its_events(api: Api) -> None:
    await api.programme()
    referral = await api.refer()
    rid = referral["id"]
    assert referral["state"] == "received"
    assert referral["participant"] == {"name": "Jens Hansen", "identity_scheme": "dk_cpr"}
    assert "identity_number" not in str(referral)

    accepted = await api.act(rid, "accept")
    assert accepted["state"] == "accepted"
    assert accepted["intake_date"] == "2026-06-01"  # Monday 25 May is Whit Monday

    api.clock.advance(timedelta(days=12))  # Monday 1 June
    started = await api.act(
        rid,
        "start",
        {
            "start_date": "2026-06-01",
            "schedule": SCHEDULE,
            "contact_person_id": "lead-wood",
            "team_leader_id": "tl-1",
            "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}], "companion_present": True},
        },
    )
    assert started["state"] == "started"
    assert started["course"]["planned_end_date"] == "2026-08-30"  # the last day of 13 weeks
    assert started["course"]["plan"]["workshop"] == "Wood workshop"

    extended = await api.act(rid, "reschedule", {"weeks": 17})
    assert extended["course"]["planned_end_date"] == "2026-09-27"
    shortened = await api.act(rid, "reschedule", {"weeks": 15})
    assert shortened["course"]["planned_end_date"] == "2026-09-13"

    new_hours = [{"weekday": d, "start": "08:00", "end": "13:00"} for d in range(4)]
    changed = await api.act(
        rid, "agreement", {"effective_from": "2026-06-15", "schedule": new_hours, "contact_person_id": "lead-metal"}
    )
    assert changed["course"]["contact_person_id"] == "lead-metal"
    assert changed["course"]["schedule"][0]["end"] == "13:00:00"

    api.clock.advance(timedelta(weeks=10))
    ended = await api.act(
        rid,
        "end",
        {
            "end_date": "2026-08-07",
            "outcome": "ordinary_employment",
            "first_job_date": "2026-08-10",
            "closing_note": closing_note(),
        },
    )
    assert ended["state"] == "ended"
    assert ended["course"]["outcome"] == "ordinary_employment"
    assert ended["has_closing_note"] is True

    # the caseworker reads the closing note; the coordinator too
    for headers in (CASEWORKER, COORDINATOR):
        note = await api.client.get(f"/referrals/{rid}/closing-note", headers=headers)
        assert note.status_code == 200, note.text
        assert note.json()["specialist_notes"][0]["specialty"] == "physiotherapist"

    assert await api.event_types(rid) == [
        "referral.received.v1",
        "referral.accepted.v1",
        "programme.started.v1",
        "programme.rescheduled.v1",
        "programme.rescheduled.v1",
        "programme.agreement_changed.v1",
        "programme.ended.v1",
    ]
    events = [e for e in await api.events() if e["subject"] == rid]
    assert [e["sequence"] for e in events] == list(range(1, 8))
    assert all(e["referringorg"] == REFERRING_ORG and e["providerorg"] == "rca-aalborg" for e in events)
    assert {e["data"]["participant_id"] for e in events} == {referral["participant_id"]}
    started_event = events[2]["data"]
    assert started_event["schedule"][0] == {"weekday": 0, "start": "08:00:00", "end": "12:00:00"}
    assert started_event["timezone"] == "Europe/Copenhagen"
    assert started_event["country"] == "DK"
    assert started_event["contact_person_id"] == "lead-wood"
    assert started_event["team_leader_id"] == "tl-1"
    assert started_event["caseworker_id"] == "cw-7"
    assert started_event["legal_basis"] == "LAB-32-1-2"
    assert started_event["rules"]["absence_grace_minutes"] == 15
    assert len(started_event["opening_hours"]) == 5
    assert [events[3]["data"]["change"], events[4]["data"]["change"]] == ["extended", "shortened"]
    assert events[6]["data"]["outcome"] == "ordinary_employment"
    assert events[6]["data"]["first_job_date"] == "2026-08-10"


async def test_events_carry_no_personal_data(api: Api) -> None:
    await api.programme()
    rid = (await api.refer())["id"]
    await api.act(rid, "accept")
    api.clock.advance(timedelta(days=12))
    await api.act(rid, "start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "c"})
    api.clock.advance(timedelta(days=4))
    await api.act(rid, "end", {"end_date": "2026-06-05", "outcome": "dropped_out", "closing_note": closing_note()})
    async with api.service.runtime.engine.connect() as connection:
        import sqlalchemy as sa

        bodies = [bytes(b).decode() for (b,) in await connection.execute(sa.text("SELECT body FROM outbox"))]
    text = "\n".join(bodies)
    for secret in (CPR, "Jens", "Hansen", "Stable attendance", "Back pain", "Punctual", "Wood"):
        assert secret not in text


async def test_bad_starts_changes_and_ends_are_refused_and_change_nothing(api: Api) -> None:
    await api.programme()
    rid = (await api.refer())["id"]

    # start before acceptance: the wrong state
    early = await api.post(
        f"/referrals/{rid}/start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "c"}
    )
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["current_state"] == "received"
    assert "received" in early.json()["detail"]

    await api.act(rid, "accept")
    before = await api.events()
    bad: list[tuple[str, dict[str, Any], int, str]] = [
        (
            "start",
            {"start_date": "2026-06-02", "schedule": SCHEDULE, "contact_person_id": "c"},
            422,
            "not an intake day",
        ),
        (
            "start",
            {"start_date": "2026-05-25", "schedule": SCHEDULE, "contact_person_id": "c"},
            422,
            "not an intake day",
        ),
        ("start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "c", "weeks": 27}, 422, "26"),
        (
            "start",
            {
                "start_date": "2026-06-01",
                "schedule": [{"weekday": 4, "start": "13:00", "end": "14:30"}],
                "contact_person_id": "c",
            },
            422,
            "opening hours",
        ),
        ("start", {"start_date": "2026-06-01", "schedule": [], "contact_person_id": "c"}, 422, ""),
        ("reschedule", {"weeks": 20}, 409, "accepted"),
        ("end", {"end_date": "2026-06-05", "outcome": "moved", "closing_note": closing_note()}, 409, "accepted"),
        ("accept", {}, 409, "accepted"),
    ]
    for action, body, status, words in bad:
        response = await api.post(f"/referrals/{rid}/{action}", body)
        assert response.status_code == status, (action, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert words in response.text
    assert await api.events() == before

    api.clock.advance(timedelta(days=12))
    await api.act(rid, "start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "c"})
    before = await api.events()
    after_start: list[tuple[str, dict[str, Any], int, str]] = [
        ("reschedule", {"weeks": 27}, 422, "4 to 26"),
        ("reschedule", {"weeks": 3}, 422, "4 to 26"),
        ("reschedule", {"weeks": 13}, 422, "already ends"),
        ("agreement", {"effective_from": "2026-05-29", "schedule": SCHEDULE, "contact_person_id": "c"}, 422, "within"),
        (
            "end",
            {"end_date": "2026-05-29", "outcome": "moved", "closing_note": closing_note()},
            422,
            "before it started",
        ),
        ("end", {"end_date": "2026-07-01", "outcome": "moved", "closing_note": closing_note()}, 422, "future"),
        ("end", {"end_date": "2026-06-01", "outcome": "won_lottery", "closing_note": closing_note()}, 422, ""),
        (
            "end",
            {"end_date": "2026-06-01", "outcome": "moved", "closing_note": closing_note(goal_attainment=[])},
            422,
            "each of the referral's goals",
        ),
        ("start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "c"}, 409, "started"),
    ]
    for action, body, status, words in after_start:
        response = await api.post(f"/referrals/{rid}/{action}", body)
        assert response.status_code == status, (action, body, response.text)
        assert words in response.text, response.text
    assert await api.events() == before
    assert (await api.get(rid))["state"] == "started"


async def test_other_organisations_get_404_and_change_nothing(api: Api) -> None:
    await api.programme()
    rid = (await api.refer())["id"]
    before = await api.events()
    for headers in (OTHER_CASEWORKER, OTHER_COORDINATOR):
        assert (await api.client.get(f"/referrals/{rid}", headers=headers)).status_code == 404
        assert (await api.client.get(f"/referrals/{rid}/identity?purpose=curious", headers=headers)).status_code == 404
    for action, body in [("accept", None), ("reject", {"reason_code": "other"})]:
        response = await api.post(f"/referrals/{rid}/{action}", body, OTHER_COORDINATOR)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    hidden = await api.post(f"/referrals/{rid}/withdraw", {"reason_code": "moved"}, OTHER_CASEWORKER)
    assert hidden.status_code == 404
    # the referring caseworker may not decide intake; the provider may not withdraw for them
    assert (await api.post(f"/referrals/{rid}/accept", None, CASEWORKER)).status_code == 403
    assert (await api.post(f"/referrals/{rid}/withdraw", {"reason_code": "moved"}, COORDINATOR)).status_code == 403
    assert (await api.client.get("/referrals", headers=OTHER_CASEWORKER)).json() == []
    assert await api.events() == before
    assert (await api.get(rid))["state"] == "received"


async def test_reject_and_withdraw_close_the_referral(api: Api) -> None:
    await api.programme()
    first = (await api.refer())["id"]
    second = (await api.refer())["id"]
    rejected = await api.act(first, "reject", {"reason_code": "not_target_group"})
    assert rejected["state"] == "rejected"
    assert rejected["reason_code"] == "not_target_group"
    bad_reason = await api.post(f"/referrals/{second}/reject", {"reason_code": "dislike"})
    assert bad_reason.status_code == 422
    await api.act(second, "accept")
    withdrawn = await api.act(second, "withdraw", {"reason_code": "participant_declined"}, CASEWORKER)
    assert withdrawn["state"] == "withdrawn"
    again = await api.post(f"/referrals/{second}/withdraw", {"reason_code": "moved"}, CASEWORKER)
    assert again.status_code == 409
    assert again.json()["current_state"] == "withdrawn"
    withdrawn_event = next(e for e in await api.events() if e["type"].endswith("referral.withdrawn.v1"))
    assert withdrawn_event["data"]["previous_state"] == "accepted"
    assert withdrawn_event["data"]["reason_code"] == "participant_declined"
    listed = (await api.client.get("/referrals?state=withdrawn", headers=CASEWORKER)).json()
    assert [r["id"] for r in listed] == [second]
    assert listed[0]["participant"] is None  # lists carry no names

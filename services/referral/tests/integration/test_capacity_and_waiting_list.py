"""Seats under concurrency, the waiting list, offers of freed seats and the weekly flow."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from forlob_testkit.referral import CASEWORKER, COORDINATOR, OTHER_COORDINATOR, SCHEDULE, Api


async def test_twenty_concurrent_accepts_for_five_seats(api: Api) -> None:
    await api.programme(capacity=5)
    ids = []
    for _ in range(20):
        ids.append((await api.refer())["id"])
        api.clock.advance(timedelta(minutes=1))

    responses = await asyncio.gather(*(api.post(f"/referrals/{rid}/accept") for rid in ids))

    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
    states = [r.json()["state"] for r in responses]
    assert states.count("accepted") == 5
    assert states.count("waitlisted") == 15
    # the database agrees, and so do the events
    assert await api.scalar("SELECT count(*) FROM referrals WHERE state = 'accepted'") == 5
    assert await api.scalar("SELECT count(*) FROM referrals WHERE state = 'waitlisted'") == 15
    types = await api.event_types()
    assert types.count("referral.accepted.v1") == 5
    assert types.count("referral.waitlisted.v1") == 15
    # everyone accepted starts on the first intake Monday
    assert {r.json()["intake_date"] for r in responses if r.json()["state"] == "accepted"} == {"2026-06-01"}
    # the waiting list is in referral order, whatever order the decisions came in
    waiting = (await api.client.get("/programmes/RCA-UDV-13/waiting-list", headers=COORDINATOR)).json()
    assert waiting["length"] == 15
    assert [e["position"] for e in waiting["entries"]] == list(range(1, 16))
    assert [e["referral_id"] for e in waiting["entries"]] == [
        rid for rid, r in zip(ids, responses, strict=True) if r.json()["state"] == "waitlisted"
    ]
    # five seats free on 31 August (13 weeks on), five more 13 weeks later, and so on
    starts = [e["estimated_start"] for e in waiting["entries"]]
    assert starts == ["2026-08-31"] * 5 + ["2026-11-30"] * 5 + ["2027-03-01"] * 5


async def test_a_freed_seat_is_offered_to_the_first_in_line(api: Api) -> None:
    await api.programme(capacity=1)
    holder = (await api.refer())["id"]
    first = (await api.refer())["id"]
    second = (await api.refer())["id"]
    await api.act(holder, "accept")
    assert (await api.act(first, "accept"))["state"] == "waitlisted"
    assert (await api.act(second, "accept"))["state"] == "waitlisted"

    waiting = (await api.client.get("/programmes/RCA-UDV-13/waiting-list", headers=COORDINATOR)).json()
    assert [e["referral_id"] for e in waiting["entries"]] == [first, second]
    assert waiting["length"] == 2
    assert waiting["seats_held"] == 1
    # the holder's 13 weeks from 1 June end on 31 August, the first in line starts then, the second 13 weeks later
    assert [e["estimated_start"] for e in waiting["entries"]] == ["2026-08-31", "2026-11-30"]

    # the coordinator moves the second ahead, with a reason that is audited
    moved = await api.post(
        f"/programmes/RCA-UDV-13/waiting-list/{second}/move", {"position": 1, "reason": "risk of losing housing"}
    )
    assert moved.status_code == 200, moved.text
    assert [e["referral_id"] for e in moved.json()["entries"]] == [second, first]
    assert await api.scalar("SELECT reason FROM waitlist_moves") == "risk of losing housing"
    no_reason = await api.post(f"/programmes/RCA-UDV-13/waiting-list/{first}/move", {"position": 1, "reason": ""})
    assert no_reason.status_code == 422
    not_waiting = await api.post(
        f"/programmes/RCA-UDV-13/waiting-list/{holder}/move", {"position": 1, "reason": "because"}
    )
    assert not_waiting.status_code == 409
    elsewhere = await api.post(
        f"/programmes/RCA-UDV-13/waiting-list/{first}/move", {"position": 1, "reason": "because"}, OTHER_COORDINATOR
    )
    assert elsewhere.status_code == 404

    # the holder withdraws: the seat goes to the first in line, now the second referral
    await api.act(holder, "withdraw", {"reason_code": "participant_declined"}, CASEWORKER)
    offered = await api.get(second)
    assert offered["state"] == "accepted"
    assert offered["from_waiting_list"] is True
    assert offered["intake_date"] == "2026-06-01"
    assert await api.event_types(second) == [
        "referral.received.v1",
        "referral.waitlisted.v1",
        "referral.seat_offered.v1",
        "referral.accepted.v1",
    ]
    still = await api.get(first)
    assert still["state"] == "waitlisted"
    assert still["waitlist_position"] == 1
    assert still["estimated_start"] == "2026-08-31"


async def test_weekly_flow(api: Api) -> None:
    await api.programme()
    a = (await api.refer())["id"]
    b = (await api.refer())["id"]
    await api.act(a, "accept")
    await api.act(b, "reject", {"reason_code": "not_target_group"})
    api.clock.advance(timedelta(days=12))
    await api.act(a, "start", {"start_date": "2026-06-01", "schedule": SCHEDULE, "contact_person_id": "c"})
    flow = (await api.client.get("/programmes/RCA-UDV-13/flow?weeks=3", headers=COORDINATOR)).json()
    assert [w["week"] for w in flow] == ["2026-W21", "2026-W22", "2026-W23"]
    assert flow[0] == {
        "week": "2026-W21",
        "received": 2,
        "accepted": 1,
        "rejected": 1,
        "withdrawn": 0,
        "started": 0,
        "ended": 0,
    }
    assert flow[2]["started"] == 1
    assert (await api.client.get("/programmes/RCA-UDV-13/flow", headers=CASEWORKER)).status_code == 403
    assert (await api.client.get("/programmes/NOPE/flow", headers=COORDINATOR)).status_code == 404


async def test_free_seats_per_intake_date(api: Api) -> None:
    """Two seats, 13-week courses, intake on Mondays; from Wednesday 20 May the first intake is 1 June."""
    await api.programme(capacity=2)

    async def intakes(query: str = "") -> dict[str, Any]:
        response = await api.client.get(f"/programmes/RCA-UDV-13/intakes{query}", headers=COORDINATOR)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def free(calendar: dict[str, Any]) -> list[tuple[str, int]]:
        return [(i["intake_date"], i["free_seats"]) for i in calendar["intakes"]]

    empty = await intakes()
    assert (empty["programme_code"], empty["capacity"], empty["course_weeks"]) == ("RCA-UDV-13", 2, 13)
    assert free(empty) == [
        (f"2026-{d}", 2) for d in ("06-01", "06-08", "06-15", "06-22", "06-29", "07-06", "07-13", "07-20")
    ]

    first, second, third, rejected = [(await api.refer())["id"] for _ in range(4)]
    await api.act(first, "accept")
    await api.act(second, "accept")
    assert (await api.act(third, "accept"))["state"] == "waitlisted"  # waiting holds no seat
    await api.act(rejected, "reject", {"reason_code": "not_target_group"})
    # both hold their seats 1 June to 30 August: a whole course fits from 31 August
    assert free(await intakes("?count=14"))[-2:] == [("2026-08-24", 0), ("2026-08-31", 2)]
    assert {f for _, f in free(await intakes("?count=13"))} == {0}

    # on Monday 1 June the first starts a week late, and holds the seat until 6 September
    api.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    await api.act(first, "start", {"start_date": "2026-06-08", "schedule": SCHEDULE, "contact_person_id": "c"})
    calendar = free(await intakes("?count=15"))
    assert calendar[0] == ("2026-06-01", 0)  # today is an intake day
    assert calendar[-3:] == [("2026-08-24", 0), ("2026-08-31", 1), ("2026-09-07", 2)]

    # the capacity lowered below the seats held: none free, never fewer
    await api.programme(capacity=1)
    assert free(await intakes("?count=15"))[-3:] == [("2026-08-24", 0), ("2026-08-31", 0), ("2026-09-07", 1)]


async def test_free_seats_are_the_coordinators_own_and_counted_sanely(api: Api) -> None:
    await api.programme()
    for headers, status in ((OTHER_COORDINATOR, 404), (CASEWORKER, 403)):
        response = await api.client.get("/programmes/RCA-UDV-13/intakes", headers=headers)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
    for count in ("0", "53", "-1", "many"):
        response = await api.client.get(f"/programmes/RCA-UDV-13/intakes?count={count}", headers=COORDINATOR)
        assert response.status_code == 422, (count, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "count" in response.text
    most = (await api.client.get("/programmes/RCA-UDV-13/intakes?count=52", headers=COORDINATOR)).json()
    assert len(most["intakes"]) == 52
    assert (await api.client.get("/programmes/NOPE/intakes", headers=COORDINATOR)).status_code == 404

"""Programme shapes and outreach cases over HTTP, on a real database: good and bad cases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from forlob_referral.application.outreach import remind_overdue_contacts
from forlob_testkit.referral import CASEWORKER, COORDINATOR, CPR, PROVIDER_ORG, SCHEDULE, Api
from forlob_testkit.referral_outreach import (
    OTHER_TEAM_HEADERS,
    OUTREACH_COORDINATOR_HEADERS,
    OUTREACH_PROGRAMME_BODY,
    WORKER_HEADERS,
    case_body,
)

PERSONAL = ("kiosk", "stairwell", "bench", "Jens", "Hansen", CPR, "Sundhedshuset")
KEY = {"Idempotency-Key": "k"}


async def _outreach_programme(api: Api) -> None:
    response = await api.client.put(
        "/programmes/OPS-AAL", json=OUTREACH_PROGRAMME_BODY, headers=OUTREACH_COORDINATOR_HEADERS
    )
    assert response.status_code == 201, response.text
    assert response.json()["shape"] == "outreach"


async def _post(api: Api, path: str, body: Any, headers: dict[str, str] = WORKER_HEADERS) -> Any:
    return await api.client.post(path, json=body, headers=headers)


async def test_a_meetings_course_starts_with_a_cadence_and_wrong_shapes_are_refused(api: Api) -> None:
    programme = await api.programme(kind="ips", shape="meetings")
    assert programme["shape"] == "meetings"
    rid = (await api.refer())["id"]
    await api.act(rid, "accept")
    api.clock.advance(timedelta(days=12))  # Monday 1 June

    base = {"start_date": "2026-06-01", "contact_person_id": "ips-1"}
    refused = await api.post(f"/referrals/{rid}/start", {**base, "schedule": SCHEDULE, "cadence": {"kind": "weekly"}})
    assert refused.status_code == 409, refused.text
    assert "meetings programme" in refused.json()["detail"]
    missing = await api.post(f"/referrals/{rid}/start", base)
    assert missing.status_code == 422, missing.text
    assert (await api.get(rid))["state"] == "accepted"

    started = await api.act(rid, "start", {**base, "cadence": {"kind": "fortnightly"}})
    assert started["course"]["schedule"] == []
    assert started["course"]["cadence"] == {"kind": "fortnightly", "max_days_between": 14}
    [event] = [e for e in await api.events() if e["type"] == "dk.forlob.programme.started.v1"]
    assert event["data"]["shape"] == "meetings"
    assert event["data"]["schedule"] == []
    assert event["data"]["cadence"]["kind"] == "fortnightly"


async def test_a_cadence_on_a_timetabled_course_is_refused(api: Api) -> None:
    await api.programme()
    rid = (await api.refer())["id"]
    await api.act(rid, "accept")
    api.clock.advance(timedelta(days=12))
    body = {"start_date": "2026-06-01", "contact_person_id": "cp", "schedule": SCHEDULE, "cadence": {"kind": "weekly"}}
    refused = await api.post(f"/referrals/{rid}/start", body)
    assert refused.status_code == 409, refused.text
    assert "timetabled programme" in refused.json()["detail"]


async def test_an_outreach_programme_opens_cases_not_courses(api: Api) -> None:
    await _outreach_programme(api)
    referred = await api.client.post(
        "/referrals",
        json={
            "programme_code": "OPS-AAL",
            "provider_org": "ops-aalborg",
            "participant": {"name": "Jens Hansen", "identity_number": CPR},
        },
        headers=CASEWORKER,
    )
    assert referred.status_code == 409, referred.text
    assert "an outreach programme opens cases, not courses" in referred.json()["detail"]


async def test_from_first_attempt_to_handover_over_http(api: Api) -> None:
    await api.programme()  # the receiving provider's course
    await _outreach_programme(api)
    opened = await _post(api, "/outreach/cases", case_body())
    assert opened.status_code == 201, opened.text
    case = opened.json()
    cid = case["id"]
    assert (case["phase"], case["next_attempt_by"], case["identified"]) == ("contact_creation", "2026-05-23", False)

    api.clock.advance(timedelta(days=1))
    attempt = {"place": "street", "channel": "in_person", "outcome": "brief_contact", "note": "On the bench"}
    tried = await _post(api, f"/outreach/cases/{cid}/attempts", {**attempt, "next_within_days": 7})
    assert tried.status_code == 201, tried.text
    assert tried.json()["attempt_log"][0]["note"] == "On the bench"

    early = await _post(api, f"/outreach/cases/{cid}/identify", {"name": "Jens Hansen", "identity_number": CPR})
    assert early.status_code == 409, early.text
    assert (await api.client.get(f"/outreach/cases/{cid}", headers=WORKER_HEADERS)).json()["identified"] is False

    no_reason = await _post(api, f"/outreach/cases/{cid}/phase", {"phase": "closed"})
    assert no_reason.status_code == 422, no_reason.text
    moved = await _post(api, f"/outreach/cases/{cid}/phase", {"phase": "relationship"})
    assert moved.json()["phase"] == "relationship"

    api.clock.advance(timedelta(days=6))
    consent = await _post(
        api, f"/outreach/cases/{cid}/consent", {"method": "oral", "given_at": api.clock.now().isoformat()}
    )
    assert consent.status_code == 200, consent.text
    assert consent.json()["consent_record"]["recorded_by"] == "op-1"
    bad = await _post(api, f"/outreach/cases/{cid}/identify", {"name": "Jens Hansen", "identity_number": "2110625628"})
    assert bad.status_code == 422, bad.text
    identified = await _post(api, f"/outreach/cases/{cid}/identify", {"name": "Jens Hansen", "identity_number": CPR})
    assert identified.status_code == 200, identified.text
    assert identified.json()["participant_name"] == "Jens Hansen"
    assert CPR not in identified.text

    handover = await _post(
        api,
        f"/outreach/cases/{cid}/handover",
        {"programme_code": "RCA-UDV-13", "provider_org": PROVIDER_ORG, "goals": [{"text": "Find a daily rhythm"}]},
    )
    assert handover.status_code == 201, handover.text
    referral = handover.json()
    assert referral["referring_org"] == "ops-aalborg"
    assert referral["outreach"] == {
        "case_id": cid,
        "attempts": 1,
        "first_contact_on": "2026-05-21",
        "days_in_contact": 6,
    }
    # The receiving provider sees it like any referral, with the history's facts.
    seen = await api.get(referral["id"], COORDINATOR)
    assert seen["outreach"]["attempts"] == 1
    assert seen["participant"]["name"] == "Jens Hansen"

    after = (await api.client.get(f"/outreach/cases/{cid}", headers=WORKER_HEADERS)).json()
    assert after["phase"] == "bridging"
    assert after["handover_referral_ids"] == [referral["id"]]
    assert [p["phase"] for p in after["phases"]] == ["relationship", "bridging"]

    closed = await _post(
        api,
        f"/outreach/cases/{cid}/phase",
        {"phase": "closed", "close_reason": "handed_over", "helped_on_to": "Sundhedshuset"},
    )
    assert closed.status_code == 200, closed.text

    events = await api.events()
    received = [e for e in events if e["type"] == "dk.forlob.referral.received.v1"]
    assert received[0]["data"]["outreach_case_id"] == cid
    outreach = [e["type"].removeprefix("dk.forlob.") for e in events if e["subject"] == cid]
    assert outreach == [
        "outreach.case_opened.v1",
        "outreach.contact_attempted.v1",
        "outreach.phase_changed.v1",
        "outreach.consent_recorded.v1",
        "outreach.case_identified.v1",
        "outreach.phase_changed.v1",
        "outreach.phase_changed.v1",
    ]
    for event in events:
        assert not any(word in str(event) for word in PERSONAL), event


async def test_other_organisations_and_roles_see_nothing(api: Api) -> None:
    await _outreach_programme(api)
    cid = (await _post(api, "/outreach/cases", case_body())).json()["id"]
    other = await api.client.get(f"/outreach/cases/{cid}", headers=OTHER_TEAM_HEADERS)
    assert other.status_code == 404
    attempt = {"place": "street", "channel": "in_person", "outcome": "no_answer"}
    assert (await _post(api, f"/outreach/cases/{cid}/attempts", attempt, OTHER_TEAM_HEADERS)).status_code == 404
    assert (await api.client.get("/outreach/cases", headers=OTHER_TEAM_HEADERS)).json() == []
    assert (await api.client.get("/outreach/cases", headers=CASEWORKER)).status_code == 403


async def test_a_case_on_a_timetabled_programme_is_refused(api: Api) -> None:
    await api.programme()
    refused = await _post(api, "/outreach/cases", case_body(programme_code="RCA-UDV-13"), COORDINATOR)
    assert refused.status_code == 409, refused.text


async def test_the_caseload_puts_overdue_contacts_first(api: Api) -> None:
    await _outreach_programme(api)
    later = (await _post(api, "/outreach/cases", case_body(working_name="Later", next_within_days=10))).json()["id"]
    soon = (await _post(api, "/outreach/cases", case_body(working_name="Soon", next_within_days=1))).json()["id"]
    api.clock.advance(timedelta(days=3))
    load = (await api.client.get("/outreach/cases", headers=WORKER_HEADERS)).json()
    assert [(c["id"], c["overdue"]) for c in load] == [(soon, True), (later, False)]
    assert "description" not in load[0]


async def test_the_overdue_sweep_reminds_once_on_the_database_whichever_replica_runs_it(api: Api) -> None:
    await _outreach_programme(api)
    cid = (await _post(api, "/outreach/cases", case_body(next_within_days=2))).json()["id"]  # due Friday 22 May
    sweep_at = api.clock.now() + timedelta(days=3)
    # Two replicas' sweeps at once: the row lock and the reported due date let one reminder out.
    counts = await asyncio.gather(
        remind_overdue_contacts(api.service.runtime.uow(), sweep_at),
        remind_overdue_contacts(api.service.runtime.uow(), sweep_at),
    )
    assert sorted(counts) == [0, 1]
    assert await remind_overdue_contacts(api.service.runtime.uow(), sweep_at + timedelta(hours=1)) == 0
    overdue = [e for e in await api.events() if e["type"] == "dk.forlob.outreach.contact_overdue.v1"]
    assert [(e["subject"], e["data"]["due_by"]) for e in overdue] == [(cid, "2026-05-22")]

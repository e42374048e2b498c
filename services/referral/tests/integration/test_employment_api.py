"""Work and the way into it over HTTP, on a real database: the employer register, job development,
spells with the support phase, clarification results; events asserted in the outbox; bad input is a
clear 4xx that changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from forlob_testkit.auth import auth
from forlob_testkit.referral import CASEWORKER, COORDINATOR, OTHER_CASEWORKER, OTHER_COORDINATOR, PROVIDER_ORG, Api

CONSULTANT = auth(PROVIDER_ORG, "contact_person", staff="ips-1")
DPO = auth(PROVIDER_ORG, "dpo", staff="dpo-1")
EMPLOYER = {
    "country": "DK",
    "number": "13 58 56 28",
    "name": "Bageriet Ved Åen ApS",
    "sector": "private",
    "industry_code": "10.71",
    "contact": {"name": "Per Bagersen", "email": "per@bageriet.dk", "phone": "+45 12 34 56 78"},
}
ORGANISATION_DATA = ("Bageriet", "Bagersen", "per@bageriet.dk", "12 34 56 78", "13585628")


def key(name: str) -> dict[str, str]:
    return {**CONSULTANT, "Idempotency-Key": name}


async def _meetings_courses(api: Api, *programmes: tuple[str, str]) -> list[str]:
    """Started meetings courses from Monday 1 June, one per (code, kind); the clock on Monday 15 June."""
    ids = []
    for code, kind in programmes:
        await api.programme(code, kind=kind, shape="meetings")
        ids.append(str((await api.refer(programme_code=code))["id"]))
        await api.act(ids[-1], "accept")
    api.clock.advance(timedelta(days=12))
    start = {"start_date": "2026-06-01", "contact_person_id": "ips-1", "cadence": {"kind": "weekly"}}
    for rid in ids:
        await api.act(rid, "start", start)
    api.clock.advance(timedelta(days=14))
    return ids


async def _meetings_course(api: Api) -> str:
    [rid] = await _meetings_courses(api, ("IPS-AAL", "ips"))
    return rid


async def _employer(api: Api) -> dict[str, Any]:
    response = await api.post("/employers", EMPLOYER, key("employer"))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_an_employer_is_registered_with_a_valid_number_and_seen_by_its_provider_only(api: Api) -> None:
    made = await _employer(api)
    assert (made["number"], made["contact_email"]) == ("13585628", "per@bageriet.dk")
    replayed = await api.post("/employers", EMPLOYER, key("employer"))
    assert replayed.status_code == 201
    assert replayed.json()["id"] == made["id"]
    again = await api.post("/employers", EMPLOYER, key("employer-again"))
    assert again.status_code == 409, again.text
    assert again.json()["employer_id"] == made["id"]

    for number, country in [("13585629", "DK"), ("556703-7484", "SE")]:
        bad = await api.post("/employers", {**EMPLOYER, "number": number, "country": country}, key(number))
        assert bad.status_code == 422, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert bad.json()["field"] == "number"
    swedish = await api.post("/employers", {**EMPLOYER, "number": "556703-7485", "country": "SE"}, key("se"))
    assert swedish.status_code == 201, swedish.text

    listed = await api.client.get("/employers", headers=COORDINATOR)
    assert [e["name"] for e in listed.json()] == ["Bageriet Ved Åen ApS", "Bageriet Ved Åen ApS"]
    assert (await api.client.get(f"/employers/{made['id']}", headers=OTHER_COORDINATOR)).status_code == 404
    assert (await api.client.get("/employers", headers=CASEWORKER)).status_code == 403
    registered = [e for e in await api.events() if e["type"] == "dk.forlob.employer.registered.v1"]
    assert len(registered) == 2
    assert registered[0]["data"]["sector"] == "private"


async def test_an_ips_participant_from_employer_contacts_to_a_job_and_back_to_search(api: Api) -> None:
    rid = await _meetings_course(api)
    employer = await _employer(api)
    contacts = [
        {"employer_id": employer["id"], "day": "2026-06-03", "kind": "first_contact"},
        {"employer_id": employer["id"], "day": "2026-06-08", "kind": "interview", "referral_id": rid},
    ]
    for n, body in enumerate(contacts):
        response = await api.post("/employer-contacts", body, key(f"contact-{n}"))
        assert response.status_code == 201, response.text
    course_contacts = await api.client.get("/employer-contacts", params={"referral_id": rid}, headers=CONSULTANT)
    assert [c["kind"] for c in course_contacts.json()] == ["interview"]
    shown = await api.client.get(f"/employers/{employer['id']}", headers=CONSULTANT)
    assert [c["day"] for c in shown.json()["contacts"]] == ["2026-06-03", "2026-06-08"]

    job = {"employer_id": employer["id"], "kind": "ordinary", "start_date": "2026-06-10", "weekly_hours": 12}
    started = await api.post(f"/referrals/{rid}/spells", {**job, "disclosure": "partly"}, key("job"))
    assert started.status_code == 201, started.text
    view = started.json()
    assert (view["phase"], view["phase_since"], view["state"]) == ("employed_with_support", "2026-06-10", "started")
    spell_id = view["spells"][0]["id"]

    backwards = await api.post(
        f"/referrals/{rid}/spells/{spell_id}/end", {"end_date": "2026-06-09", "reason": "resigned"}, key("bad-end")
    )
    assert backwards.status_code == 422, backwards.text
    assert backwards.json()["field"] == "end_date"
    unchanged = await api.client.get(f"/referrals/{rid}/employment", headers=CASEWORKER)
    assert unchanged.json()["spells"][0]["end_date"] is None
    assert unchanged.json()["phase"] == "employed_with_support"

    ended = await api.post(
        f"/referrals/{rid}/spells/{spell_id}/end", {"end_date": "2026-06-12", "reason": "fixed_term_ended"}, key("end")
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["phase"], ended.json()["phase_since"]) == ("search", "2026-06-13")
    provider_sees = ended.json()["spells"][0]
    assert (provider_sees["employer_id"], provider_sees["disclosure"], provider_sees["end_reason"]) == (
        employer["id"],
        "partly",
        "fixed_term_ended",
    )
    # The jobcentre sees what the partner contract tells it: the job, not the employer, the
    # participant's choice about disclosure or why it ended.
    caseworker_sees = (await api.client.get(f"/referrals/{rid}/employment", headers=CASEWORKER)).json()["spells"][0]
    assert (caseworker_sees["kind"], caseworker_sees["start_date"], caseworker_sees["end_date"]) == (
        provider_sees["kind"],
        provider_sees["start_date"],
        "2026-06-12",
    )
    assert (caseworker_sees["employer_id"], caseworker_sees["disclosure"], caseworker_sees["end_reason"]) == (
        None,
        None,
        None,
    )

    assert (await api.event_types(rid))[-4:] == [
        "employment.job_started.v1",
        "programme.phase_changed.v1",
        "employment.job_ended.v1",
        "programme.phase_changed.v1",
    ]
    events = await api.events()
    participant_id = (await api.get(rid))["participant_id"]
    job_started = next(e for e in events if e["type"] == "dk.forlob.employment.job_started.v1")
    assert (job_started["data"]["disclosure"], job_started["data"]["participant_id"]) == ("partly", participant_id)
    contacted = [e for e in events if e["type"] == "dk.forlob.employment.employer_contacted.v1"]
    assert [e["data"]["referral_id"] for e in contacted] == [None, rid]
    assert all(e["subject"] == employer["id"] for e in contacted)
    outbox = str(events)
    for word in ORGANISATION_DATA:
        assert word not in outbox, word

    assert (await api.client.get(f"/referrals/{rid}/employment", headers=OTHER_CASEWORKER)).status_code == 404
    other = await api.post(f"/referrals/{rid}/spells", {**job, "disclosure": "no"}, OTHER_COORDINATOR)
    assert other.status_code == 404
    exported = await api.client.get(f"/dpo/participants/{participant_id}/export", headers=DPO)
    assert exported.status_code == 200, exported.text
    [work] = [c for c in exported.json()["categories"] if c["category"] == "work_and_education"]
    assert sorted(r["entry"] for r in work["records"]) == ["EmployerContact", "Spell"]


async def test_a_job_with_an_unknown_employer_or_on_another_providers_course_is_refused(api: Api) -> None:
    rid = await _meetings_course(api)
    body = {"kind": "ordinary", "start_date": "2026-06-10", "weekly_hours": 12, "disclosure": "no"}
    unknown = await api.post(
        f"/referrals/{rid}/spells", {**body, "employer_id": "00000000-0000-0000-0000-000000000001"}, key("u")
    )
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["field"] == "employer_id"
    no_employer = await api.post(f"/referrals/{rid}/spells", body, key("n"))
    assert no_employer.status_code == 422, no_employer.text
    too_many_hours = await api.post(f"/referrals/{rid}/spells", {**body, "weekly_hours": 61}, key("h"))
    assert too_many_hours.status_code == 422
    assert (await api.client.get(f"/referrals/{rid}/employment", headers=COORDINATOR)).json()["spells"] == []
    assert "employment.job_started.v1" not in await api.event_types(rid)


async def test_a_clarification_course_delivers_its_result_to_the_caseworker(api: Api) -> None:
    rid, ips = await _meetings_courses(api, ("AFK-AAL", "clarification"), ("IPS-AAL", "ips"))
    result = {
        "recommendation": "flex_job",
        "resources": ["work_experience", "network"],
        "challenges": ["health", "adaptability"],
        "meetings_held": 8,
        "work_trials": 2,
        "specialist_assessments": 1,
        "day": "2026-06-15",
    }
    given = await api.post(f"/referrals/{rid}/clarification-result", result, {**COORDINATOR, "Idempotency-Key": "r"})
    assert given.status_code == 201, given.text
    read = await api.client.get(f"/referrals/{rid}/employment", headers=CASEWORKER)
    assert read.json()["clarification_result"]["recommendation"] == "flex_job"
    assert read.json()["clarification_result"]["challenges"] == ["health", "adaptability"]
    again = await api.post(f"/referrals/{rid}/clarification-result", result, COORDINATOR)
    assert again.status_code == 409
    [event] = [e for e in await api.events() if e["type"] == "dk.forlob.programme.clarification_result.v1"]
    assert (event["data"]["recommendation"], event["data"]["work_trials"], event["subject"]) == ("flex_job", 2, rid)
    assert (await api.post(f"/referrals/{rid}/clarification-result", result, CASEWORKER)).status_code == 403

    refused = await api.post(f"/referrals/{ips}/clarification-result", result, COORDINATOR)
    assert refused.status_code == 409, refused.text
    assert refused.json()["reason"] == "not-a-clarification"
    assert (await api.client.get(f"/referrals/{ips}/employment", headers=CASEWORKER)).json()[
        "clarification_result"
    ] is None


async def test_a_swedish_sole_trader_is_registered_without_its_personnummer(api: Api) -> None:
    """An enskild firma's organisation number is the owner's personnummer: a 422 that does not
    repeat it, nothing registered, nothing in the outbox; registered without a number it is."""
    sole_trader = {**EMPLOYER, "country": "SE", "number": "880320-0016", "name": "Frisör Anna"}
    refused = await api.post("/employers", sole_trader, key("sole-trader"))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (refused.json()["field"], refused.json()["reason"]) == ("number", "personal-identity-number")
    assert "880320" not in refused.text
    assert (await api.client.get("/employers", headers=CONSULTANT)).json() == []
    assert not [e for e in await api.events() if e["type"] == "dk.forlob.employer.registered.v1"]

    made = await api.post("/employers", {**sole_trader, "number": None}, key("without"))
    assert made.status_code == 201, made.text
    assert made.json()["number"] is None
    again = await api.post("/employers", {**sole_trader, "number": None}, key("another"))
    assert again.status_code == 201, again.text  # two firms without a number never conflict
    assert [e["number"] for e in (await api.client.get("/employers", headers=CONSULTANT)).json()] == [None, None]
    for event in await api.events():
        assert "880320" not in str(event)


async def test_one_number_registered_twice_at_once_is_one_employer_and_a_409(api: Api) -> None:
    # Two browsers, two keys, one moment: the database's constraint decides, and the loser is told
    # which employer won rather than failing with a 500.
    first, second = await asyncio.gather(
        api.post("/employers", EMPLOYER, key("race-1")), api.post("/employers", EMPLOYER, key("race-2"))
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
    won, lost = (first, second) if first.status_code == 201 else (second, first)
    assert lost.json()["reason"] == "employer-registered"
    assert lost.json()["employer_id"] == won.json()["id"]
    registered = [e for e in await api.events() if e["type"] == "dk.forlob.employer.registered.v1"]
    assert len(registered) == 1

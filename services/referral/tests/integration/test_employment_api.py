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
    # Follow-along support: the employer the participant works for, only as the participant agreed.
    support = {"employer_id": employer["id"], "day": "2026-06-10", "kind": "follow_up", "referral_id": rid}
    unasked = await api.post("/employer-contacts", support, key("support-unasked"))
    assert unasked.status_code == 422, unasked.text
    assert unasked.headers["content-type"].startswith("application/problem+json")
    assert unasked.json()["field"] == "participant_consented"
    agreed = await api.post("/employer-contacts", {**support, "participant_consented": True}, key("support"))
    assert (agreed.status_code, agreed.json()["with_consent"]) == (201, True)
    course_contacts = await api.client.get("/employer-contacts", params={"referral_id": rid}, headers=CONSULTANT)
    assert [c["kind"] for c in course_contacts.json()] == ["interview", "follow_up"]  # the refused one is not there
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
    assert [e["data"]["referral_id"] for e in contacted] == [None, rid, rid]  # the refused one is not there
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
    assert sorted(r["entry"] for r in work["records"]) == ["EmployerContact", "EmployerContact", "Spell"]


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


async def test_every_bad_write_is_a_problem_and_changes_nothing(api: Api) -> None:
    """Issue 21's bad input, each through HTTP: a clear 4xx problem+json naming what is wrong, and
    the register, the contacts, each course's work and the outbox exactly as they were."""
    ips, afk = await _meetings_courses(api, ("IPS-AAL", "ips"), ("AFK-AAL", "clarification"))
    await api.programme("IPS-WAIT", kind="ips", shape="meetings")
    waiting = str((await api.refer(programme_code="IPS-WAIT"))["id"])
    await api.act(waiting, "accept")
    employer = (await _employer(api))["id"]
    job = {"employer_id": employer, "kind": "ordinary", "start_date": "2026-06-10", "weekly_hours": 12}
    started = await api.post(f"/referrals/{ips}/spells", {**job, "disclosure": "no"}, key("job"))
    spell = started.json()["spells"][0]["id"]
    ended = await api.post(f"/referrals/{ips}/spells/{spell}/end", {"end_date": "2026-06-12", "reason": "other"})
    assert ended.status_code == 200, ended.text

    async def state() -> Any:
        courses = [
            (await api.client.get(f"/referrals/{r}/employment", headers=COORDINATOR)).json()
            for r in (ips, afk, waiting)
        ]
        return (
            (await api.client.get("/employers", headers=CONSULTANT)).json(),
            (await api.client.get("/employer-contacts", headers=CONSULTANT)).json(),
            courses,
            len(await api.events()),
        )

    before = await state()
    unknown = "00000000-0000-0000-0000-000000000001"
    result = {
        "recommendation": "flex_job",
        "resources": [],
        "challenges": ["health"],
        "meetings_held": 3,
        "work_trials": 0,
        "specialist_assessments": 0,
        "day": "2026-06-15",
    }
    contact = {"employer_id": employer, "day": "2026-06-10", "kind": "follow_up", "referral_id": ips}
    bad: list[tuple[str, str, dict[str, Any], int, str | None]] = [
        # (path, what, body, status, the field the problem names)
        ("/employers", "a CVR number failing its check digit", {**EMPLOYER, "number": "13585629"}, 422, "number"),
        (
            "/employers",
            "an organisation number failing it",
            {**EMPLOYER, "country": "SE", "number": "5567037484"},
            422,
            "number",
        ),
        (
            "/employers",
            "a sole trader's personnummer",
            {**EMPLOYER, "country": "SE", "number": "8803200016"},
            422,
            "number",
        ),
        ("/employers", "a country with no register", {**EMPLOYER, "country": "NO"}, 422, "country"),
        ("/employers", "no name", {**EMPLOYER, "number": "29403473", "name": "  "}, 422, "name"),
        (
            "/employers",
            "an industry code that is none",
            {**EMPLOYER, "number": "29403473", "industry_code": "x"},
            422,
            "industry_code",
        ),
        ("/employers", "the same number again", EMPLOYER, 409, None),
        ("/employer-contacts", "an unknown employer", {**contact, "employer_id": unknown}, 404, "employer_id"),
        ("/employer-contacts", "an unknown course", {**contact, "referral_id": unknown}, 404, None),
        ("/employer-contacts", "a course not started", {**contact, "referral_id": waiting}, 409, None),
        ("/employer-contacts", "a day to come", {**contact, "day": "2026-07-01"}, 422, "day"),
        ("/employer-contacts", "a day before the course", {**contact, "day": "2026-05-29"}, 422, "day"),
        ("/employer-contacts", "a kind that is none", {**contact, "kind": "lunch"}, 422, None),
        (
            f"/referrals/{ips}/spells",
            "an unknown employer",
            {**job, "employer_id": unknown, "disclosure": "no"},
            404,
            "employer_id",
        ),
        (
            f"/referrals/{ips}/spells",
            "a job without its employer",
            {**job, "employer_id": None, "disclosure": "no"},
            422,
            "employer_id",
        ),
        (
            f"/referrals/{ips}/spells",
            "a start to come",
            {**job, "start_date": "2026-07-01", "disclosure": "no"},
            422,
            "start_date",
        ),
        (
            f"/referrals/{ips}/spells",
            "a start before the course",
            {**job, "start_date": "2026-05-29", "disclosure": "no"},
            422,
            "start_date",
        ),
        (
            f"/referrals/{ips}/spells",
            "the illness told, not the choice",
            {**job, "disclosure": "depression"},
            422,
            None,
        ),
        (f"/referrals/{waiting}/spells", "a course not started", {**job, "disclosure": "no"}, 409, None),
        (f"/referrals/{unknown}/spells", "an unknown course", {**job, "disclosure": "no"}, 404, None),
        (
            f"/referrals/{ips}/spells/{spell}/end",
            "a spell ended already",
            {"end_date": "2026-06-13", "reason": "other"},
            409,
            None,
        ),
        (
            f"/referrals/{ips}/spells/{unknown}/end",
            "an unknown spell",
            {"end_date": "2026-06-13", "reason": "other"},
            404,
            None,
        ),
        (f"/referrals/{ips}/clarification-result", "a result on an IPS course", result, 409, None),
        (f"/referrals/{waiting}/clarification-result", "a result on a course not started", result, 409, None),
        (
            f"/referrals/{afk}/clarification-result",
            "a result dated before the start",
            {**result, "day": "2026-05-20"},
            422,
            "day",
        ),
        (
            f"/referrals/{afk}/clarification-result",
            "a diagnosis for a challenge",
            {**result, "challenges": ["F32.1"]},
            422,
            None,
        ),
    ]
    for n, (path, what, body, status, field) in enumerate(bad):
        answer = await api.post(path, body, key(f"bad-{n}"))
        assert answer.status_code == status, (what, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json"), what
        problem = answer.json()
        assert problem["status"] == status, what
        if field is not None:
            assert problem["field"] == field, (what, problem)
    assert await state() == before
    # A job ending before it starts, on an open spell of the clarification course.
    clar_job = await api.post(f"/referrals/{afk}/spells", {**job, "disclosure": "yes"}, key("afk-job"))
    assert clar_job.status_code == 201, clar_job.text
    # Support is IPS's: a job on a clarification course is recorded with no phase and moves none.
    assert clar_job.json()["phase"] is None
    assert "programme.phase_changed.v1" not in await api.event_types(afk)
    before = await state()
    open_spell = clar_job.json()["spells"][0]["id"]
    backwards = await api.post(
        f"/referrals/{afk}/spells/{open_spell}/end", {"end_date": "2026-06-09", "reason": "resigned"}, key("back")
    )
    assert backwards.status_code == 422, backwards.text
    assert backwards.json()["field"] == "end_date"
    assert await state() == before

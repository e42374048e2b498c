"""The caseload in one read (GET /caseload) over HTTP, on a real database: each running course of a
meetings programme with the participant's name, phase, open job and latest employer contact; a
contact person reads their own, a coordinator everyone's; another organisation's courses are never
in it, even with the same consultant id; bad input is a problem+json 4xx."""

from __future__ import annotations

from datetime import timedelta

from forlob_testkit.auth import auth
from forlob_testkit.referral import CASEWORKER, COORDINATOR, CPR, OTHER_COORDINATOR, RCA, Api, referral_body

CONSULTANT = auth("rca-aalborg", "contact_person", staff="ips-1")
COLLEAGUE = auth("rca-aalborg", "contact_person", staff="ips-2")
OTHER_CONSULTANT = auth("aspa-odense", "contact_person", staff="ips-1")  # the same staff id elsewhere
EMPLOYER = {"country": "DK", "number": "13 58 56 28", "name": "Bageriet Ved Åen ApS", "sector": "private"}
OTHER_CPR = "0101651234"


def _person(name: str, number: str = CPR) -> dict[str, str]:
    return {"name": name, "identity_number": number, "identity_scheme": "dk_cpr"}


START = {"start_date": "2026-06-01", "cadence": {"kind": "weekly"}}


async def _courses(api: Api) -> tuple[str, str, str]:
    """Two IPS courses at rca-aalborg (ips-1's, ips-2's) and one at aspa-odense held by its own ips-1."""
    await api.programme("IPS-AAL", kind="ips", shape="meetings")
    await api.programme("DEV-AAL")  # a timetabled programme: never in a caseload
    mine = str((await api.refer(programme_code="IPS-AAL", participant=_person("Mette Nielsen")))["id"])
    theirs = str((await api.refer(programme_code="IPS-AAL", participant=_person("Jens Holm", OTHER_CPR)))["id"])
    put = await api.client.put(
        "/programmes/IPS-ODE", json={**RCA, "kind": "ips", "shape": "meetings"}, headers=OTHER_COORDINATOR
    )
    assert put.status_code in {200, 201}, put.text
    body = referral_body(programme_code="IPS-ODE", provider_org="aspa-odense", participant=_person("Sara Lund"))
    made = await api.client.post("/referrals", json=body, headers=CASEWORKER)
    assert made.status_code == 201, made.text
    elsewhere = str(made.json()["id"])
    for rid, who in ((mine, COORDINATOR), (theirs, COORDINATOR), (elsewhere, OTHER_COORDINATOR)):
        await api.act(rid, "accept", headers=who)
    api.clock.advance(timedelta(days=12))
    await api.act(mine, "start", {**START, "contact_person_id": "ips-1"})
    await api.act(theirs, "start", {**START, "contact_person_id": "ips-2"})
    await api.act(elsewhere, "start", {**START, "contact_person_id": "ips-1"}, headers=OTHER_COORDINATOR)
    api.clock.advance(timedelta(days=14))
    return mine, theirs, elsewhere


async def test_the_caseload_is_one_read_with_name_phase_job_and_latest_contact(api: Api) -> None:
    mine, theirs, elsewhere = await _courses(api)
    employer = await api.client.post("/employers", json=EMPLOYER, headers={**CONSULTANT, "Idempotency-Key": "e"})
    employer_id = employer.json()["id"]
    for n, day in enumerate(("2026-06-03", "2026-06-08")):
        contact = {"employer_id": employer_id, "day": day, "kind": "first_contact", "referral_id": mine}
        made = await api.client.post(
            "/employer-contacts", json=contact, headers={**CONSULTANT, "Idempotency-Key": f"c{n}"}
        )
        assert made.status_code == 201, made.text
    job = {
        "employer_id": employer_id,
        "kind": "ordinary",
        "start_date": "2026-06-10",
        "weekly_hours": 12,
        "disclosure": "no",
    }
    started = await api.client.post(
        f"/referrals/{mine}/spells", json=job, headers={**CONSULTANT, "Idempotency-Key": "j"}
    )
    assert started.status_code == 201, started.text

    own = await api.client.get("/caseload", headers=CONSULTANT)
    assert own.status_code == 200, own.text
    [row] = own.json()
    assert (row["referral_id"], row["participant_name"], row["contact_person_id"]) == (mine, "Mette Nielsen", "ips-1")
    assert (row["employment"]["phase"], row["employment"]["phase_since"]) == ("employed_with_support", "2026-06-10")
    assert [s["start_date"] for s in row["employment"]["spells"]] == ["2026-06-10"]
    assert row["latest_contact"]["day"] == "2026-06-08"

    everyone = (await api.client.get("/caseload", headers=COORDINATOR)).json()
    assert sorted(r["participant_name"] for r in everyone) == ["Jens Holm", "Mette Nielsen"]
    one = (await api.client.get("/caseload", params={"consultant": "ips-2"}, headers=COORDINATOR)).json()
    assert [r["referral_id"] for r in one] == [theirs]
    assert one[0]["latest_contact"] is None
    assert len((await api.client.get("/caseload", params={"limit": 1}, headers=COORDINATOR)).json()) == 1

    # Tenancy: the other provider's ips-1 sees only its own course, and ours never see it.
    there = (await api.client.get("/caseload", headers=OTHER_CONSULTANT)).json()
    assert [(r["referral_id"], r["participant_name"]) for r in there] == [(elsewhere, "Sara Lund")]
    assert elsewhere not in {r["referral_id"] for r in everyone}


async def test_another_consultants_caseload_bad_input_and_the_wrong_role_are_refused(api: Api) -> None:
    await _courses(api)
    cases = [
        ({"consultant": "ips-2"}, CONSULTANT, 403),
        ({"consultant": "not a staff id!"}, COORDINATOR, 422),
        ({"limit": 0}, COORDINATOR, 422),
        ({"limit": 201}, COORDINATOR, 422),
        ({"limit": "many"}, COORDINATOR, 422),
        ({}, CASEWORKER, 403),
    ]
    for params, who, expected in cases:
        refused = await api.client.get("/caseload", params=params, headers=who)
        assert refused.status_code == expected, (params, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json"), params
    assert (await api.client.get("/caseload", headers=COLLEAGUE)).json()[0]["contact_person_id"] == "ips-2"

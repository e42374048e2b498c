"""The programme catalogue: coordinators define their own programmes; anyone may read them."""

from __future__ import annotations

from typing import Any

from forlob_testkit.referral import CASEWORKER, COORDINATOR, OTHER_COORDINATOR, RCA, Api


async def test_define_change_and_read_a_programme(api: Api) -> None:
    created = await api.client.put("/programmes/RCA-UDV-13", json=RCA, headers=COORDINATOR)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["provider_org"] == "rca-aalborg"
    assert body["timezone"] == "Europe/Copenhagen"  # the country's, when not given
    assert body["opening_hours"][4] == {"weekday": 4, "start": "07:30:00", "end": "14:00:00"}

    changed = await api.client.put("/programmes/RCA-UDV-13", json={**RCA, "capacity": 20}, headers=COORDINATOR)
    assert changed.status_code == 200
    assert changed.json()["capacity"] == 20

    # caseworkers read a provider's catalogue to refer to it
    listed = await api.client.get("/programmes", params={"provider_org": "rca-aalborg"}, headers=CASEWORKER)
    assert [p["code"] for p in listed.json()] == ["RCA-UDV-13"]
    one = await api.client.get("/programmes/RCA-UDV-13", params={"provider_org": "rca-aalborg"}, headers=CASEWORKER)
    assert one.json()["capacity"] == 20
    assert (await api.client.get("/programmes/NOPE", headers=COORDINATOR)).status_code == 404

    events = [e for e in await api.events() if e["type"] == "dk.forlob.catalogue.programme_defined.v1"]
    assert [e["data"]["capacity"] for e in events] == [12, 20]
    assert events[0]["subject"] == "rca-aalborg/RCA-UDV-13"
    assert events[0]["providerorg"] == "rca-aalborg"
    assert events[0]["data"]["rules"]["breach_unexcused_absences"] == 3


async def test_programmes_belong_to_their_provider(api: Api) -> None:
    await api.programme()
    theirs = await api.client.put("/programmes/RCA-UDV-13", json={**RCA, "capacity": 1}, headers=OTHER_COORDINATOR)
    assert theirs.status_code == 201  # another provider's own programme with the same code
    mine = await api.client.get("/programmes/RCA-UDV-13", headers=COORDINATOR)
    assert mine.json()["capacity"] == 12
    assert (await api.client.put("/programmes/X", json=RCA, headers=CASEWORKER)).status_code == 403


async def test_bad_programmes_are_refused(api: Api) -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        ({"min_weeks": 14}, "min_weeks <= default_weeks"),
        ({"max_weeks": 12}, "default_weeks <= max_weeks"),
        ({"capacity": -1}, ""),
        ({"intake_weekdays": [7]}, "intake weekday"),
        ({"intake_weekdays": [5]}, "closed on every intake weekday"),
        # a Saturday is no working day: intake there would never come
        (
            {"intake_weekdays": [5], "opening_hours": [{"weekday": 5, "start": "09:00", "end": "13:00"}]},
            "closed on every intake weekday",
        ),
        ({"country": "NO"}, ""),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"opening_hours": [{"weekday": 0, "start": "10:00", "end": "09:00"}]}, ""),
        (
            {
                "opening_hours": [
                    {"weekday": 0, "start": "07:30", "end": "12:00"},
                    {"weekday": 0, "start": "11:00", "end": "14:00"},
                ]
            },
            "overlap",
        ),
        ({"kind": "magic"}, ""),
        ({"surprise": True}, ""),
    ]
    for change, words in bad:
        response = await api.client.put("/programmes/RCA-UDV-13", json={**RCA, **change}, headers=COORDINATOR)
        assert response.status_code == 422, (change, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert words in response.text, (change, response.text)
    assert await api.scalar("SELECT count(*) FROM programmes") == 0
    assert await api.scalar("SELECT count(*) FROM outbox") == 0


async def test_swedish_programme_keeps_swedish_holidays(api: Api) -> None:
    """Whit Monday is a holiday in Denmark but not in Sweden: intake there is on 25 May."""
    from forlob_testkit.referral import auth

    malmo = auth("aktivitetscenter-malmo", "coordinator")
    response = await api.client.put(
        "/programmes/AC-GRP",
        json={**RCA, "kind": "group_activation", "country": "SE"},
        headers=malmo,
    )
    assert response.status_code == 201
    assert response.json()["timezone"] == "Europe/Stockholm"
    referral = await api.refer(programme_code="AC-GRP", provider_org="aktivitetscenter-malmo")
    accepted = await api.client.post(f"/referrals/{referral['id']}/accept", headers=malmo)
    assert accepted.json()["intake_date"] == "2026-05-25"


async def test_the_api_is_documented(api: Api) -> None:
    page = await api.client.get("/docs")
    assert page.status_code == 200
    schema = (await api.client.get("/openapi.json")).json()
    for path in (
        "/programmes/{code}",
        "/programmes/{code}/waiting-list",
        "/programmes/{code}/intakes",
        "/referrals",
        "/referrals/{referral_id}/accept",
        "/referrals/{referral_id}/identity",
        "/referrals/{referral_id}/end",
    ):
        assert path in schema["paths"], path
    accept = schema["paths"]["/referrals/{referral_id}/accept"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in accept["parameters"])
    assert "ReferralOut" in str(accept["responses"]["200"])
    intakes = schema["paths"]["/programmes/{code}/intakes"]["get"]
    assert intakes["summary"] == "The next intake dates with the seats free on each"
    assert "IntakeCalendarOut" in str(intakes["responses"]["200"])
    assert "problem+json" in str(intakes["responses"]["422"])
    assert any(p["name"] == "count" and p["schema"]["maximum"] == 52 for p in intakes["parameters"])

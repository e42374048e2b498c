"""The directory, subscriptions and policies through the API: good input, bad input (a clear 4xx
and nothing changed), and other organisations' ids (404)."""

from __future__ import annotations

from typing import Any

import pytest


async def test_directory_keeps_staff_per_organisation(world: Any) -> None:
    admin = world.auth(world.provider, "admin-1", "admin")
    put = await world.client.put(
        "/staff/kp-2",
        json={
            "role": "contact_person",
            "email": "kp2@rca.example",
            "team_leader_id": "tl-1",
            "working_hours": [{"weekday": 0, "start": "07:30", "end": "14:30"}],
            "channels": ["inbox"],
        },
        headers=admin,
    )
    assert put.status_code == 200, put.text
    assert put.json()["org"] == world.provider
    got = await world.client.get("/staff/kp-2", headers=world.auth(world.provider, "tl-1", "team_leader"))
    assert got.json()["working_hours"] == [{"weekday": 0, "start": "07:30:00", "end": "14:30:00"}]
    listed = await world.client.get("/staff", params={"role": "team_leader"}, headers=admin)
    assert [m["staff_id"] for m in listed.json()] == ["tl-1"]

    # The directory holds e-mail addresses: those who keep it read it, a contact person does not.
    contact = world.auth(world.provider, "kp-1", "contact_person")
    assert (await world.client.get("/staff/kp-2", headers=contact)).status_code == 403
    assert (await world.client.get("/staff", headers=contact)).status_code == 403
    assert (await world.client.get("/staff", headers=world.auth(world.provider, "x-1"))).status_code == 403

    stranger = world.auth("aspa-odense", "admin-9", "admin")
    assert (await world.client.get("/staff/kp-2", headers=stranger)).status_code == 404
    assert (await world.client.get("/staff", headers=stranger)).json() == []


async def test_colleagues_show_ids_and_roles_to_the_staff_who_choose_them(world: Any) -> None:
    admin = world.auth(world.provider, "admin-1", "admin")
    for staff_id, body in (
        ("kp-2", {"role": "contact_person", "email": "kp2@rca.example"}),
        ("ps-1", {"role": "specialist", "channels": ["inbox"]}),
        ("kp-3", {"role": "contact_person", "channels": ["inbox"], "active": False}),
    ):
        assert (await world.client.put(f"/staff/{staff_id}", json=body, headers=admin)).status_code == 200
    contact = world.auth(world.provider, "kp-1", "contact_person")
    listed = await world.client.get("/colleagues", headers=contact)
    assert listed.status_code == 200, listed.text
    found = {m["staff_id"]: m for m in listed.json()}
    assert found["kp-2"] == {"staff_id": "kp-2", "role": "contact_person"}  # no e-mail address
    assert found["ps-1"]["role"] == "specialist"
    assert "kp-3" not in found  # no longer active
    assert "kp2@rca.example" not in listed.text
    for role in ("workshop_lead", "specialist", "coordinator"):
        assert (
            await world.client.get("/colleagues", headers=world.auth(world.provider, "x-1", role))
        ).status_code == 200
    # the referring side and a token without a role do not list a provider's people
    caseworker = world.auth("jobcenter-aalborg", "cw-1", "caseworker")
    assert (await world.client.get("/colleagues", headers=caseworker)).status_code == 403
    assert (await world.client.get("/colleagues", headers=world.auth(world.provider, "x-1"))).status_code == 403
    # another organisation sees its own (none here)
    stranger = world.auth("aspa-odense", "kp-9", "contact_person")
    assert (await world.client.get("/colleagues", headers=stranger)).json() == []


@pytest.mark.parametrize(
    ("headers_of", "body", "status"),
    [
        ("contact", {"role": "contact_person"}, 403),  # only admins, coordinators and team leaders
        ("admin", {"role": "wizard"}, 422),
        ("admin", {"role": "contact_person", "email": "not-an-address"}, 422),
        ("admin", {"role": "contact_person", "channels": ["email"]}, 422),  # e-mail without an address
        ("admin", {"role": "contact_person", "channels": ["pager"]}, 422),
        ("admin", {"role": "contact_person", "team_leader_id": "kp-9"}, 422),  # own team leader
        ("admin", {"role": "contact_person", "timezone": "Mars/Olympus"}, 422),
        ("admin", {"role": "contact_person", "working_hours": [{"weekday": 7, "start": "08:00", "end": "16:00"}]}, 422),
        ("admin", {"role": "contact_person", "working_hours": [{"weekday": 1, "start": "16:00", "end": "08:00"}]}, 422),
        (
            "admin",
            {
                "role": "contact_person",
                "working_hours": [
                    {"weekday": 1, "start": "08:00", "end": "12:00"},
                    {"weekday": 1, "start": "11:00", "end": "16:00"},
                ],
            },
            422,
        ),
        ("admin", {"role": "contact_person", "surprise": True}, 422),
    ],
)
async def test_bad_staff_input_changes_nothing(world: Any, headers_of: str, body: dict[str, Any], status: int) -> None:
    headers = {
        "admin": world.auth(world.provider, "admin-1", "admin"),
        "contact": world.auth(world.provider, "kp-1", "contact_person"),
    }[headers_of]
    response = await world.client.put("/staff/kp-9", json={"channels": ["inbox"], **body}, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await world.scalar("SELECT count(*) FROM staff WHERE staff_id = 'kp-9'") == 0
    assert (await world.client.put("/staff/bad id!", json={"role": "admin"}, headers=headers)).status_code in (
        403,
        422,
    )


async def test_assignments_come_from_the_course_events(world: Any) -> None:
    course = await world.start_course()
    provider = world.auth(world.provider, "kp-1", "contact_person")
    mine = await world.client.get("/assignments", params={"staff_id": "kp-1"}, headers=provider)
    [row] = mine.json()
    assert row["referral_id"] == str(course.referral_id)
    assert (row["contact_person_id"], row["team_leader_id"], row["caseworker_id"]) == ("kp-1", "tl-1", "cw-1")
    assert row["legal_basis"] == "LAB-32-1-2"
    caseworker = world.auth(world.jobcentre, "cw-1", "caseworker")
    assert (await world.client.get(f"/assignments/{course.referral_id}", headers=caseworker)).status_code == 200
    stranger = world.auth("jobcenter-odense", "cw-1", "caseworker")
    assert (await world.client.get(f"/assignments/{course.referral_id}", headers=stranger)).status_code == 404


async def test_bad_subscription_input_gets_a_clear_4xx(make_world: Any) -> None:
    async with make_world(webhook_require_https=True) as world:  # what production mode turns on
        admin = world.auth(world.jobcentre, "admin-1", "admin")
        cases = [
            ({"url": "http://partner.example/hooks", "event_types": ["programme.ended"]}, 422, "https"),
            ({"url": "https://partner.example/hooks", "event_types": ["absence.whatever"]}, 422, "unknown event type"),
            ({"url": "https://partner.example/hooks", "event_types": []}, 422, None),
            ({"url": "ftp://partner.example/hooks", "event_types": ["programme.ended"]}, 422, "http(s)"),
            ({"url": "https://user:pw@partner.example/", "event_types": ["programme.ended"]}, 422, "credentials"),
            ({"url": "https://10.0.0.7/hooks", "event_types": ["programme.ended"]}, 422, "private"),
            ({"url": "https://partner.example/hooks", "event_types": ["programme.ended"], "x": 1}, 422, None),
        ]
        for body, status, words in cases:
            response = await world.client.post("/webhooks/subscriptions", json=body, headers=admin)
            assert response.status_code == status, (body, response.text)
            problem = response.json()
            assert response.headers["content-type"] == "application/problem+json"
            if words:
                assert words in problem["detail"], problem
        unknown = await world.client.post(
            "/webhooks/subscriptions",
            json={"url": "https://partner.example/hooks", "event_types": ["absence.whatever"]},
            headers=admin,
        )
        assert "programme.ended" in unknown.json()["known"]
        not_admin = await world.client.post(
            "/webhooks/subscriptions",
            json={"url": "https://partner.example/hooks", "event_types": ["programme.ended"]},
            headers=world.auth(world.jobcentre, "cw-1", "caseworker"),
        )
        assert not_admin.status_code == 403
        assert await world.scalar("SELECT count(*) FROM webhook_subscriptions") == 0

        good = await world.client.post(
            "/webhooks/subscriptions",
            json={"url": "https://partner.example/hooks", "event_types": ["programme.ended"]},
            headers=admin,
        )
        assert good.status_code == 201
        sub_id = good.json()["id"]
        bad_patch = await world.client.patch(
            f"/webhooks/subscriptions/{sub_id}", json={"url": "http://partner.example/"}, headers=admin
        )
        assert bad_patch.status_code == 422
        stranger = world.auth(world.provider, "admin-1", "admin")
        assert (await world.client.get(f"/webhooks/subscriptions/{sub_id}", headers=stranger)).status_code == 404
        assert (await world.client.delete(f"/webhooks/subscriptions/{sub_id}", headers=stranger)).status_code == 404
        rotated = await world.client.patch(
            f"/webhooks/subscriptions/{sub_id}", json={"rotate_secret": True}, headers=admin
        )
        assert rotated.json()["secret"] != good.json()["secret"]
        assert "secret" not in (await world.client.get(f"/webhooks/subscriptions/{sub_id}", headers=admin)).json()
        assert (await world.client.delete(f"/webhooks/subscriptions/{sub_id}", headers=admin)).status_code == 204


async def test_policies_default_danish_and_kept_per_provider(world: Any) -> None:
    coordinator = world.auth(world.provider, "co-1", "coordinator")
    listed = (await world.client.get("/policies", headers=coordinator)).json()
    by_basis = {p["legal_basis"]: p for p in listed}
    assert by_basis["LAB-32-1-2"]["is_default"] is True
    assert by_basis["LAB-32-1-2"]["notify_within_working_minutes"] == 120
    assert "jobcentrets afgørelse" in by_basis["*"]["notice_text"]

    put = await world.client.put(
        "/policies/LAB-32-1-2",
        json={"notify_within_working_minutes": 60, "recipients": ["webhooks"], "notice_text": "Kun fakta."},
        headers=coordinator,
    )
    assert put.status_code == 200, put.text
    assert put.json()["is_default"] is False
    other = world.auth("aspa-odense", "co-1", "coordinator")
    theirs = (await world.client.get("/policies/LAB-32-1-2", headers=other)).json()
    assert theirs["notify_within_working_minutes"] == 120  # one provider's table is its own

    for body in (
        {"notify_within_working_minutes": 0, "recipients": ["caseworker"], "notice_text": "x"},
        {"notify_within_working_minutes": 60, "recipients": [], "notice_text": "x"},
        {"notify_within_working_minutes": 60, "recipients": ["the press"], "notice_text": "x"},
        {"notify_within_working_minutes": 60, "recipients": ["caseworker"], "notice_text": ""},
    ):
        bad = await world.client.put("/policies/LAB-32-1-2", json=body, headers=coordinator)
        assert bad.status_code == 422, body
    assert (await world.client.put("/policies/bad basis", json={}, headers=coordinator)).status_code == 422
    contact = world.auth(world.provider, "kp-1", "contact_person")
    refused = await world.client.put(
        "/policies/LAB-42",
        json={"notify_within_working_minutes": 60, "recipients": ["caseworker"], "notice_text": "x"},
        headers=contact,
    )
    assert refused.status_code == 403
    assert (await world.client.get("/policies/LAB-32-1-2", headers=coordinator)).json()[
        "notify_within_working_minutes"
    ] == 60

    reset = await world.client.delete("/policies/LAB-32-1-2", headers=coordinator)
    assert reset.json()["is_default"] is True
    assert await world.scalar("SELECT count(*) FROM notification_policies") == 0

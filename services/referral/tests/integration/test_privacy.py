"""Identity numbers behind an audited call; personal data erased after the retention period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from forlob_referral.application.retention import retention_job
from forlob_referral.main import spec
from forlob_shared.clock import ManualClock
from forlob_testkit.referral import (
    CASEWORKER,
    COORDINATOR,
    CPR,
    PROVIDER_ORG,
    REFERRING_ORG,
    Api,
    auth,
    referral_body,
)
from forlob_testkit.wait import eventually


async def test_reading_an_identity_number_is_audited(api: Api) -> None:
    await api.programme()
    rid = (await api.refer())["id"]
    assert CPR not in (await api.client.get(f"/referrals/{rid}", headers=COORDINATOR)).text

    response = await api.client.get(
        f"/referrals/{rid}/identity", params={"purpose": "call the GP"}, headers=COORDINATOR
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "referral_id": rid,
        "name": "Jens Hansen",
        "identity_scheme": "dk_cpr",
        "identity_number": CPR,
    }
    async with api.service.runtime.engine.connect() as connection:
        audit = (await connection.execute(sa.text("SELECT org, staff_id, purpose FROM identity_reads"))).all()
    assert [tuple(a) for a in audit] == [("rca-aalborg", "co-3", "call the GP")]

    no_purpose = await api.client.get(f"/referrals/{rid}/identity", headers=CASEWORKER)
    assert no_purpose.status_code == 422
    assert await api.scalar("SELECT count(*) FROM identity_reads") == 1


@pytest.mark.parametrize("roles", [(), ("specialist",), ("admin",), ("workshop_lead",), ("contact_person",)])
async def test_only_the_caseworker_and_the_coordinator_read_an_identity_number(
    api: Api, roles: tuple[str, ...]
) -> None:
    """Staff of the provider without either role (or without any role) get 403, nothing is read
    and nothing audited; the same roles at the referring jobcentre too."""
    await api.programme()
    rid = (await api.refer())["id"]
    for org in (PROVIDER_ORG, REFERRING_ORG):
        response = await api.client.get(
            f"/referrals/{rid}/identity", params={"purpose": "curious"}, headers=auth(org, *roles, staff="x-1")
        )
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert CPR not in response.text
    assert await api.scalar("SELECT count(*) FROM identity_reads") == 0


async def test_a_participant_keeps_one_pseudonym_per_provider(api: Api) -> None:
    await api.programme()
    await api.programme("RCA-FYS-4", kind="physiotherapy", default_weeks=4, min_weeks=4, max_weeks=8)
    first = await api.refer()
    second = await api.refer(programme_code="RCA-FYS-4")
    someone_else = await api.refer(participant={"name": "Eva", "identity_number": "0101651234"})
    assert first["participant_id"] == second["participant_id"]
    assert someone_else["participant_id"] != first["participant_id"]


async def test_invalid_identity_numbers_are_refused_without_echoing_them(api: Api) -> None:
    await api.programme()
    cases = {
        "2110625620": "check digit",  # modulus 11 fails
        "3213625629": "impossible birth date",  # 32nd of the 13th month
        "211062562": "length",
        "21106256AB": "format",
    }
    for number, words in cases.items():
        body = referral_body(participant={"name": "A", "identity_number": number, "identity_scheme": "dk_cpr"})
        response = await api.client.post("/referrals", json=body, headers=CASEWORKER)
        assert response.status_code == 422, number
        assert words in response.json()["detail"]
        assert number not in response.text
    swedish = referral_body(
        participant={"name": "Anna", "identity_number": "880320-0015", "identity_scheme": "se_personnummer"}
    )
    assert (await api.client.post("/referrals", json=swedish, headers=CASEWORKER)).status_code == 422
    swedish["participant"]["identity_number"] = "880320-0016"
    assert (await api.client.post("/referrals", json=swedish, headers=CASEWORKER)).status_code == 201
    assert await api.scalar("SELECT count(*) FROM referrals") == 1


async def test_the_retention_sweep_runs_in_the_service(
    make_database: Any, run_service: Any, clock: ManualClock
) -> None:
    """The periodic job is wired into the lifespan: with a short interval it erases on its own."""
    database = await make_database(spec())
    settings = {"retention_days": 1, "retention_sweep_interval": 0.05}
    async with run_service(spec(), database, clock=clock, with_relay=False, **settings) as service:
        api = Api(service, clock)
        await api.programme()
        rid = (await api.refer())["id"]
        await api.act(rid, "reject", {"reason_code": "duplicate"})
        api.clock.advance(timedelta(days=2))

        async def erased() -> bool:
            return bool(await api.scalar("SELECT personal_data_erased_at IS NOT NULL FROM referrals"))

        await eventually(erased, timeout=10, what="the retention sweep to erase the rejected referral")
        assert await retention_job(service.runtime, api.clock.now()) == 0

"""The first slice through everything: a referral posted over HTTP becomes referral.received.v1
in the referral service's outbox, the relay publishes it, and reporting consumes it through its
inbox and counts it — two services, two databases, the real broker."""

from __future__ import annotations

from typing import Any

from forlob_referral.main import spec as referral_spec
from forlob_reporting.main import spec as reporting_spec
from forlob_shared.release import release_version
from forlob_testkit.auth import auth as _auth
from forlob_testkit.wait import eventually

CASEWORKER = _auth("jobcenter-aalborg", "caseworker", staff="cw-7")
PROVIDER = _auth("rca-aalborg", "coordinator")
STRANGER = _auth("jobcenter-odense", "caseworker")

PROGRAMME = {
    "name": "Individual development course",
    "kind": "development_course",
    "capacity": 12,
    "intake_weekdays": [0],
    "default_weeks": 13,
    "min_weeks": 4,
    "max_weeks": 26,
    "opening_hours": [{"weekday": d, "start": "07:30", "end": "14:30" if d < 4 else "14:00"} for d in range(5)],
    "country": "DK",
}
PARTICIPANT = {"name": "Jens Hansen", "identity_number": "2110625629", "identity_scheme": "dk_cpr"}


def _referral(**fields: Any) -> dict[str, Any]:
    return {"participant": PARTICIPANT, **fields}


async def test_a_referral_reaches_the_reporting_figures(make_database: Any, run_service: Any) -> None:
    referral_db = await make_database(referral_spec())
    reporting_db = await make_database(reporting_spec())
    async with (
        run_service(reporting_spec(), reporting_db) as reporting,
        run_service(referral_spec(), referral_db) as referral,
    ):
        defined = await referral.client.put("/programmes/RCA-UDV-13", json=PROGRAMME, headers=PROVIDER)
        assert defined.status_code == 201, defined.text
        created = await referral.client.post(
            "/referrals",
            json=_referral(programme_code="RCA-UDV-13", provider_org="rca-aalborg", legal_basis="LAB-32-1-2"),
            headers=CASEWORKER,
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["state"] == "received"
        assert body["referring_org"] == "jobcenter-aalborg"

        async def counted() -> Any:
            response = await reporting.client.get("/figures/referrals-received", headers=PROVIDER)
            return response.json() if response.json()["total"] == 1 else None

        figures = await eventually(counted, what="reporting to count the referral")
        assert figures["rows"] == [
            {
                "programme_code": "RCA-UDV-13",
                "provider_org": "rca-aalborg",
                "referring_org": "jobcenter-aalborg",
                "count": 1,
            }
        ]
        # the referring side sees it too; an unrelated organisation sees nothing
        mine = await reporting.client.get("/figures/referrals-received", headers=CASEWORKER)
        assert mine.json()["total"] == 1
        theirs = await reporting.client.get("/figures/referrals-received", headers=STRANGER)
        assert theirs.json()["total"] == 0

        # visible to its two organisations, a 404 to anyone else
        referral_id = body["id"]
        assert (await referral.client.get(f"/referrals/{referral_id}", headers=PROVIDER)).status_code == 200
        hidden = await referral.client.get(f"/referrals/{referral_id}", headers=STRANGER)
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"


async def test_bad_requests_get_problem_details_and_change_nothing(make_database: Any, run_service: Any) -> None:
    referral_db = await make_database(referral_spec())
    async with run_service(referral_spec(), referral_db) as referral:
        assert (await referral.client.put("/programmes/X", json=PROGRAMME, headers=PROVIDER)).status_code == 201
        own = _auth("jobcenter-aalborg", "coordinator")
        assert (await referral.client.put("/programmes/X", json=PROGRAMME, headers=own)).status_code == 201
        cases = [
            ({}, None, 401),
            ({"Authorization": "Bearer not-a-jwt"}, _referral(programme_code="X", provider_org="y"), 401),
            (PROVIDER, _referral(programme_code="X", provider_org="y"), 403),  # not a caseworker
            (CASEWORKER, _referral(programme_code="", provider_org="rca-aalborg"), 422),
            (CASEWORKER, _referral(programme_code="X", provider_org="rca-aalborg", surprise=1), 422),
            (CASEWORKER, _referral(programme_code="X", provider_org="jobcenter-aalborg"), 422),  # refers to itself
            (CASEWORKER, _referral(programme_code="X", provider_org="rca-aalborg", wished_start="2001-01-01"), 422),
            (CASEWORKER, _referral(programme_code="NOPE", provider_org="rca-aalborg"), 422),  # unknown programme
            (CASEWORKER, {"programme_code": "X", "provider_org": "rca-aalborg"}, 422),  # no participant
        ]
        for headers, payload, status in cases:
            response = await referral.client.post("/referrals", json=payload, headers=headers)
            assert response.status_code == status, (payload, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["status"] == status
            assert problem["title"]
            assert problem["type"].startswith("https://")
        broken = await referral.client.post(
            "/referrals", content=b"{broken", headers={**CASEWORKER, "content-type": "application/json"}
        )
        assert broken.status_code == 422
        async with referral.runtime.engine.connect() as connection:
            from sqlalchemy import text

            assert (await connection.execute(text("SELECT count(*) FROM referrals"))).scalar() == 0
            # only the two programmes' catalogue events
            assert (await connection.execute(text("SELECT count(*) FROM outbox"))).scalar() == 2


async def test_health_and_metrics(make_database: Any, run_service: Any) -> None:
    async with run_service(reporting_spec(), await make_database(reporting_spec())) as reporting:
        ready = await reporting.client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
        live = await reporting.client.get("/health/live")
        assert live.status_code == 200
        # the release it runs, and which service answered
        assert live.json() == {"status": "ok", "service": "reporting", "version": release_version("reporting")}
        metrics = await reporting.client.get("/metrics")
        assert "forlob_events_consumed_total" in metrics.text

"""The IPS fidelity items and the clarification results against the running service (PostgreSQL,
RabbitMQ): the history published out of order and partly twice, served as worked out by hand
(forlob_testkit.reporting.ips), as CSV too; an erased participant named in no row, the figures
unchanged; and the same after a rebuild from the history, in place and into an empty database."""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from forlob_reporting.cli import run_rebuild
from forlob_reporting.main import spec as reporting_spec
from forlob_reporting.settings import ReportingSettings
from forlob_shared.events import ParticipantErased, PendingEvent
from forlob_testkit.auth import auth as bearer
from forlob_testkit.reporting.cohort import Published
from forlob_testkit.reporting.ips import (
    CLARIFICATION,
    EXPECTED_CLARIFICATION,
    EXPECTED_GENERAL,
    EXPECTED_IPS,
    IPS,
    JOBCENTRE,
    PERIOD,
    build_ips,
    participant,
    referral,
)
from forlob_testkit.wait import eventually

PARAMS = {"from": str(PERIOD[0]), "to": str(PERIOD[1])}
ERASED = participant(1)


async def fetch_all(client: Any) -> dict[str, Any]:
    answers = {}
    for org in (IPS[0], CLARIFICATION[0], JOBCENTRE):
        headers = bearer(org, "coordinator", staff="s-1")
        for path in ("/figures/ips-fidelity", "/figures/clarification-results"):
            response = await client.get(path, params=PARAMS, headers=headers)
            assert response.status_code == 200, response.text
            assert str(ERASED) not in response.text
            answers[f"{org}{path}"] = response.json()["rows"]
    return answers


def _expected(answers: dict[str, Any]) -> None:
    assert answers[f"{IPS[0]}/figures/ips-fidelity"] == [EXPECTED_IPS, EXPECTED_GENERAL]
    assert answers[f"{JOBCENTRE}/figures/ips-fidelity"] == []  # the provider's staff: not the jobcentre's
    assert answers[f"{CLARIFICATION[0]}/figures/clarification-results"] == [EXPECTED_CLARIFICATION]
    assert answers[f"{JOBCENTRE}/figures/clarification-results"] == [EXPECTED_CLARIFICATION]
    assert answers[f"{IPS[0]}/figures/clarification-results"] == []


async def _named(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        found = await connection.execute(
            sa.text("SELECT count(*) FROM referral_facts WHERE participant_id = :p"), {"p": ERASED}
        )
        return int(found.scalar_one())


def _erasure() -> Published:
    data = ParticipantErased(
        participant_id=ERASED, provider_org=IPS[0], referral_ids=[referral(1)], erased_at=build_ips()[-1].at
    )
    return Published(PendingEvent(data=data, subject=str(ERASED), provider_org=IPS[0]), 1, build_ips()[-1].at)


async def test_the_ips_items_are_served_as_computed_by_hand_and_survive_an_erasure_and_a_rebuild(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any, infra: Any, prefix: str
) -> None:
    events = build_ips()
    database = await make_database(reporting_spec())
    async with run_service(reporting_spec(), database) as reporting:
        engine = reporting.runtime.engine
        await publish(mix(events, duplicates=0.3))
        await inbox_reaches(engine, len(events))
        before = await fetch_all(reporting.client)
        _expected(before)
        one = await reporting.client.get(
            "/figures/ips-fidelity", params={**PARAMS, "programme": IPS[1]}, headers=bearer(IPS[0], "team_leader")
        )
        assert one.json()["rows"] == [EXPECTED_IPS]  # general job development is no programme's

        table = await reporting.client.get(
            "/figures/ips-fidelity", params={**PARAMS, "format": "csv"}, headers=bearer(IPS[0], "coordinator")
        )
        assert table.status_code == 200
        rows = list(csv.DictReader(io.StringIO(table.text.lstrip("\ufeff"))))
        assert [r["programme_code"] for r in rows] == [IPS[1], "general"]
        assert rows[0]["rapid_job_search.share_within_threshold"] == repr(1 / 3)
        assert rows[1]["employer_contacts.per_consultant.cons-b.per_week"] == "0.25"
        danish = await reporting.client.get(
            "/figures/clarification-results",
            params={**PARAMS, "format": "csv", "lang": "da"},
            headers=bearer(JOBCENTRE, "caseworker"),
        )
        (row,) = csv.DictReader(io.StringIO(danish.text.lstrip("\ufeff")), delimiter=";")
        assert (row["by_recommendation.flex_job"], row["meetings_held.p90"]) == ("1", "7,8")

        # The data protection officer's export shows the way into work, the staff unnamed.
        path = f"/dpo/participants/{ERASED}/export"
        export = await reporting.client.get(path, headers=bearer(IPS[0], "dpo"))
        assert export.status_code == 200, export.text
        held = {c["category"]: c["records"] for c in export.json()["categories"]}
        assert [r["kind"] for r in held["job_spell_facts"]] == ["ordinary"]
        assert [r["phase"] for r in held["support_phase_facts"]] == ["employed_with_support"]
        assert {r["staff_id"] for r in held["employer_contact_facts"]} == {"the provider's staff"}
        assert len(held["employer_contact_facts"]) == 3

        # The participant erased: named nowhere, every figure as it was.
        assert await _named(engine) == 1
        await publish([_erasure()])

        async def forgotten() -> bool:
            return await _named(engine) == 0

        await eventually(forgotten, what="the erasure to be applied")
        assert await fetch_all(reporting.client) == before
        assert (await reporting.client.get(path, headers=bearer(IPS[0], "dpo"))).status_code == 404

        result = await run_rebuild(reporting.settings)
        assert (result.applied, result.erasures) == (len(events), 1)
        assert await _named(engine) == 0
        assert await fetch_all(reporting.client) == before

        fresh = await make_database(reporting_spec())
        settings = ReportingSettings(database_url=fresh, broker_url=infra.broker_url, name_prefix=prefix)
        assert (await run_rebuild(settings)).applied == len(events)
    async with run_service(reporting_spec(), fresh) as rebuilt:
        assert await _named(rebuilt.runtime.engine) == 0
        assert await fetch_all(rebuilt.client) == before

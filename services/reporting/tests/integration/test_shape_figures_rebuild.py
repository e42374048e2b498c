"""The shapes' figures (meetings, outreach, visits) against the running service: published out of
order and partly twice, served by the API as worked out by hand, and the same after a rebuild
from the history stream, in place and into an empty database."""

from __future__ import annotations

from typing import Any

from forlob_reporting.cli import run_rebuild
from forlob_reporting.main import spec as reporting_spec
from forlob_reporting.settings import ReportingSettings
from forlob_testkit.auth import auth as bearer
from forlob_testkit.reporting.shapes import (
    EXPECTED_MEETINGS,
    EXPECTED_OUTREACH,
    EXPECTED_VISITS,
    IPS,
    JOBCENTRE,
    MARCH,
    OUTREACH,
    build_shapes,
)

PARAMS = {"from": str(MARCH[0]), "to": str(MARCH[1])}
ORGS = (IPS[0], OUTREACH[0], JOBCENTRE)


async def fetch_all(client: Any) -> dict[str, Any]:
    answers = {}
    for org in ORGS:
        headers = bearer(org, "coordinator", staff="s-1")
        for path in ("/figures", "/figures/visits"):
            response = await client.get(path, params=PARAMS, headers=headers)
            assert response.status_code == 200, response.text
            answers[f"{org}{path}"] = response.json()["rows"]
    return answers


def _row(rows: list[dict[str, Any]], programme: tuple[str, str]) -> dict[str, Any]:
    return next(r for r in rows if (r["provider_org"], r["programme_code"]) == programme)


async def test_the_shapes_figures_are_served_and_survive_a_rebuild(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any, infra: Any, prefix: str
) -> None:
    events = build_shapes()
    database = await make_database(reporting_spec())
    async with run_service(reporting_spec(), database) as reporting:
        await publish(mix(events, duplicates=0.3))
        await inbox_reaches(reporting.runtime.engine, len(events))
        before = await fetch_all(reporting.client)
        assert _row(before[f"{IPS[0]}/figures"], IPS)["meetings"] == EXPECTED_MEETINGS
        assert _row(before[f"{JOBCENTRE}/figures"], IPS)["meetings"] == EXPECTED_MEETINGS
        outreach = _row(before[f"{OUTREACH[0]}/figures"], OUTREACH)
        assert outreach == {"provider_org": OUTREACH[0], "programme_code": OUTREACH[1], "outreach": EXPECTED_OUTREACH}
        assert before[f"{OUTREACH[0]}/figures/visits"] == [{"provider_org": OUTREACH[0], "visits": EXPECTED_VISITS}]
        csv = await reporting.client.get(
            "/figures/visits", params={**PARAMS, "format": "csv"}, headers=bearer(OUTREACH[0], "coordinator")
        )
        assert csv.status_code == 200
        assert "visits.overdue" in csv.text.splitlines()[0]

        result = await run_rebuild(reporting.settings)
        assert result.applied == len(events)
        assert await fetch_all(reporting.client) == before

        fresh = await make_database(reporting_spec())
        settings = ReportingSettings(database_url=fresh, broker_url=infra.broker_url, name_prefix=prefix)
        assert (await run_rebuild(settings)).applied == len(events)
    async with run_service(reporting_spec(), fresh) as rebuilt:
        assert await fetch_all(rebuilt.client) == before

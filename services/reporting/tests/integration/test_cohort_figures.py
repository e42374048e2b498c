"""A synthetic cohort published as events, out of order and partly twice; every figure the API
shows is compared with a value computed here, independently, from the cohort's ground truth.
Then the read model is rebuilt from the history stream and must show exactly the same."""

from __future__ import annotations

import asyncio
from typing import Any

from forlob_reporting.application.figures import Scope, figures
from forlob_reporting.cli import run_rebuild
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.main import spec as reporting_spec
from forlob_reporting.settings import ReportingSettings
from forlob_shared.clock import SystemClock
from forlob_shared.db import create_engine, create_session_factory
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_testkit.auth import auth as bearer
from forlob_testkit.reporting.cohort import build_cohort
from forlob_testkit.reporting.expected import PERIODS, VIEWS, assert_ips, assert_same, expected_rows, jsonable


def auth(org: str) -> dict[str, str]:
    return bearer(org, "coordinator", staff="s-1")


# --- the tests ----------------------------------------------------------------------------------


async def fetch_all(client: Any) -> dict[str, Any]:
    """Every figure for every view and period, as the API answers."""
    answers = {}
    for org, by in VIEWS:
        for period in PERIODS:
            params = {"from": str(period.start), "to": str(period.end), "by": "referring_org" if by else "programme"}
            response = await client.get("/figures", params=params, headers=auth(org))
            assert response.status_code == 200, response.text
            answers[f"{org}/{by}/{period.start}"] = response.json()["rows"]
            ips = await client.get("/figures/ips-fidelity", params=params, headers=auth(org))
            answers[f"ips/{org}/{by}/{period.start}"] = ips.json()["rows"]
    return answers


async def test_every_figure_matches_the_cohort_and_survives_a_rebuild(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any, infra: Any, prefix: str
) -> None:
    cohort = build_cohort(300)
    database = await make_database(reporting_spec())
    async with run_service(reporting_spec(), database) as reporting:
        await publish(mix(cohort.events))
        await inbox_reaches(reporting.runtime.engine, len(cohort.events))
        before = await fetch_all(reporting.client)

        for org, by in VIEWS:
            for period in PERIODS:
                expected = expected_rows(cohort, org, period, by)
                assert_same(before[f"{org}/{by}/{period.start}"], jsonable(expected))
        assert_ips(before, cohort)

        # Rebuild while the service runs: drop, replay from the first offset, same figures.
        result = await run_rebuild(reporting.settings)
        assert result.applied == len(cohort.events)
        assert result.duplicates == len(mix(cohort.events)) - len(cohort.events)
        assert await fetch_all(reporting.client) == before

        # A fresh, empty read model rebuilt from the same history shows the same too.
        fresh = await make_database(reporting_spec())
        settings = ReportingSettings(database_url=fresh, broker_url=infra.broker_url, name_prefix=prefix)
        await run_rebuild(settings)
        engine = create_engine(settings, pool_size=2)
        try:
            uow = ReportingUnitOfWork(create_session_factory(engine), OutboxWriter("forlob/test", SystemClock()))
            for org, by in VIEWS:
                for period in PERIODS:
                    rows = await figures(uow, Scope(org, by_referring_org=by), period)
                    assert jsonable(rows) == before[f"{org}/{by}/{period.start}"]
        finally:
            await engine.dispose()


async def test_a_rebuild_while_events_keep_arriving_loses_nothing(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any
) -> None:
    cohort = build_cohort(150, seed=9)
    events = mix(cohort.events, seed=4)
    half = len(events) // 2
    database = await make_database(reporting_spec())
    async with run_service(reporting_spec(), database, retry_backoff_max=0.3) as reporting:
        await publish(events[:half])
        await inbox_reaches(reporting.runtime.engine, len({p.event.id for p in events[:half]}))
        # the second half is published while the rebuild replays and swaps
        result, _ = await asyncio.gather(run_rebuild(reporting.settings), publish(events[half:]))
        assert result.applied >= len({p.event.id for p in events[:half]})
        await inbox_reaches(reporting.runtime.engine, len(cohort.events))
        answers = await fetch_all(reporting.client)
        for org, by in VIEWS:
            for period in PERIODS:
                assert_same(answers[f"{org}/{by}/{period.start}"], jsonable(expected_rows(cohort, org, period, by)))

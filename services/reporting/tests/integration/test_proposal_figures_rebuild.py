"""The next steps proposed against the running service (PostgreSQL, RabbitMQ): the history
(forlob_testkit.reporting.proposals) published out of order and partly twice, served as worked out
by hand to each organisation that may see them (and to none other), as CSV too; an erased
participant changes nothing (the proposals name no participant); and the same after a rebuild
from the history, in place and into an empty database."""

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
from forlob_testkit.reporting.pathways import ASPA, JOBCENTRE, PERIOD, RCA, referral
from forlob_testkit.reporting.proposals import (
    EXPECTED_JOBCENTRE,
    EXPECTED_OTHER_JOBCENTRE,
    EXPECTED_PROVIDER,
    OTHER_JOBCENTRE,
    build_proposals,
)
from forlob_testkit.wait import eventually

PATH = "/figures/next-step-proposals"
PARAMS = {"from": str(PERIOD[0]), "to": str(PERIOD[1])}
ORGS = (RCA, JOBCENTRE, OTHER_JOBCENTRE, ASPA)
ERASED_REFERRAL = referral(11)  # course K: a proposal declined, one withdrawn
ERASED = {"referral_id": ERASED_REFERRAL}


async def fetch_all(client: Any) -> dict[str, Any]:
    answers = {}
    for org in ORGS:
        response = await client.get(PATH, params=PARAMS, headers=bearer(org, "coordinator", staff="s-1"))
        assert response.status_code == 200, response.text
        answers[org] = response.json()["rows"]
    return answers


def _expected(answers: dict[str, Any]) -> None:
    assert answers[RCA] == [EXPECTED_PROVIDER]
    assert answers[JOBCENTRE] == [EXPECTED_JOBCENTRE]
    assert answers[OTHER_JOBCENTRE] == [EXPECTED_OTHER_JOBCENTRE]
    assert answers[ASPA] == []  # the provider proposed as the next step is no party to a proposal


async def _participant_named(engine: AsyncEngine, participant: Any) -> int:
    async with engine.connect() as connection:
        found = await connection.execute(
            sa.text("SELECT count(*) FROM referral_facts WHERE participant_id = :p"), {"p": participant}
        )
        return int(found.scalar_one())


def _erasure(events: list[Published]) -> tuple[Published, Any]:
    started = next(
        p.event.data
        for p in events
        if p.routing_key == "programme.started.v1" and p.event.data.referral_id == ERASED_REFERRAL  # type: ignore[attr-defined]
    )
    participant = started.participant_id  # type: ignore[attr-defined]
    data = ParticipantErased(
        participant_id=participant, provider_org=RCA, referral_ids=[ERASED_REFERRAL], erased_at=events[-1].at
    )
    return Published(PendingEvent(data=data, subject=str(participant), provider_org=RCA), 1, events[-1].at), participant


async def test_the_proposals_are_served_as_computed_by_hand_and_survive_an_erasure_and_a_rebuild(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any, infra: Any, prefix: str
) -> None:
    events = build_proposals()
    database = await make_database(reporting_spec())
    async with run_service(reporting_spec(), database) as reporting:
        engine = reporting.runtime.engine
        await publish(mix(events, duplicates=0.3))
        await inbox_reaches(engine, len(events))
        before = await fetch_all(reporting.client)
        _expected(before)

        split = await reporting.client.get(
            PATH, params={**PARAMS, "by": "referring_org"}, headers=bearer(RCA, "team_leader")
        )
        assert [(r["referring_org"], r["proposals"]) for r in split.json()["rows"]] == [
            (JOBCENTRE, 7),
            (OTHER_JOBCENTRE, 1),
        ]
        other = await reporting.client.get(
            PATH, params={**PARAMS, "programme": "RCA-UDV-13"}, headers=bearer(RCA, "coordinator")
        )
        assert other.json()["rows"] == []
        danish = await reporting.client.get(
            PATH, params={**PARAMS, "format": "csv", "lang": "da"}, headers=bearer(JOBCENTRE, "caseworker")
        )
        assert danish.status_code == 200
        (row,) = csv.DictReader(io.StringIO(danish.text.lstrip("\ufeff")), delimiter=";")
        assert (row["proposals"], row["declined_by_reason.participant_not_ready"], row["median_days_to_decision"]) == (
            "7",
            "1",
            "2,5",
        )
        refused = await reporting.client.get(PATH, params=PARAMS, headers=bearer(RCA, "contact_person"))
        assert refused.status_code == 403

        # The participant of course K erased: named nowhere, every proposal figure as it was.
        erasure, participant = _erasure(events)
        assert await _participant_named(engine, participant) == 1
        await publish([erasure])

        async def forgotten() -> bool:
            return await _participant_named(engine, participant) == 0

        await eventually(forgotten, what="the erasure to be applied")
        assert await fetch_all(reporting.client) == before

        result = await run_rebuild(reporting.settings)
        assert (result.applied, result.erasures) == (len(events), 1)
        assert await fetch_all(reporting.client) == before

        fresh = await make_database(reporting_spec())
        settings = ReportingSettings(database_url=fresh, broker_url=infra.broker_url, name_prefix=prefix)
        assert (await run_rebuild(settings)).applied == len(events)
    async with run_service(reporting_spec(), fresh) as rebuilt:
        assert await _participant_named(rebuilt.runtime.engine, participant) == 0
        assert await fetch_all(rebuilt.client) == before

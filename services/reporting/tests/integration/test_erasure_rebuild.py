"""An erased participant's id stays out of the read model (real PostgreSQL and RabbitMQ): after the
erasure, after events about them that come later, after a rebuild in place (the erasure in the
history after the events that name them), after a rebuild into an empty database (the erasure
only in the history), and after a rebuild whose history no longer holds the erasure (only the
register). Every figure stays what the cohort's ground truth says."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from forlob_reporting.application.events import forget_participant
from forlob_reporting.application.figures import Scope, figures
from forlob_reporting.cli import run_rebuild
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.main import spec as reporting_spec
from forlob_reporting.settings import ReportingSettings
from forlob_shared.clock import SystemClock
from forlob_shared.db import create_engine, create_session_factory
from forlob_shared.events import ParticipantErased, PendingEvent
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_testkit.reporting.cohort import Cohort, Published, Referral, build_cohort
from forlob_testkit.reporting.expected import PERIODS, VIEWS, assert_same, expected_rows, jsonable
from forlob_testkit.wait import eventually

ERASED_AT = datetime(2031, 12, 1, 9, tzinfo=UTC)
NAMING = """
SELECT (SELECT count(*) FROM referral_facts
        WHERE participant_id = :p OR (referral_id = :r AND participant_id IS NOT NULL))
     + (SELECT count(*) FROM attendance_week_facts
        WHERE participant_id = :p OR (referral_id = :r AND participant_id IS NOT NULL))
"""


def _erased(cohort: Cohort) -> Referral:
    return next(r for r in cohort.referrals if r.weeks and r.end_date)


def _erasure(referral: Referral) -> ParticipantErased:
    return ParticipantErased(
        participant_id=referral.participant_id,
        provider_org=referral.programme.provider_org,
        referral_ids=[referral.referral_id],
        erased_at=ERASED_AT,
    )


def _published_erasure(referral: Referral) -> Published:
    event = PendingEvent(
        data=_erasure(referral), subject=str(referral.participant_id), provider_org=referral.programme.provider_org
    )
    return Published(event, 1, ERASED_AT)


def _late(cohort: Cohort, referral: Referral) -> list[Published]:
    """The participant's events again under new ids: a producer's resend the inbox cannot know."""
    return [
        dataclasses.replace(p, event=dataclasses.replace(p.event, id=uuid4()))
        for p in cohort.events
        if getattr(p.event.data, "participant_id", None) == referral.participant_id
    ]


def _uow(engine: AsyncEngine) -> ReportingUnitOfWork:
    return ReportingUnitOfWork(create_session_factory(engine), OutboxWriter("forlob/test", SystemClock()))


async def _naming(engine: AsyncEngine, referral: Referral) -> int:
    async with engine.connect() as connection:
        found = await connection.execute(sa.text(NAMING), {"p": referral.participant_id, "r": referral.referral_id})
        return int(found.scalar_one())


async def _register(engine: AsyncEngine) -> set[UUID]:
    async with engine.connect() as connection:
        return set((await connection.execute(sa.text("SELECT id FROM erased_subjects"))).scalars())


async def _assert_figures(engine: AsyncEngine, cohort: Cohort) -> None:
    uow = _uow(engine)
    for org, by in VIEWS:
        for period in PERIODS:
            rows = await figures(uow, Scope(org, by_referring_org=by), period)
            assert_same(jsonable(rows), jsonable(expected_rows(cohort, org, period, by)), f"{org}/{by}/{period.start}")


async def test_an_erased_participant_stays_out_live_after_late_events_and_through_rebuilds(
    make_database: Any, run_service: Any, publish: Any, mix: Any, inbox_reaches: Any, infra: Any, prefix: str
) -> None:
    cohort = build_cohort(40, seed=2)
    referral = _erased(cohort)
    late = _late(cohort, referral)
    database = await make_database(reporting_spec())
    async with run_service(reporting_spec(), database) as reporting:
        engine = reporting.runtime.engine
        await publish(mix(cohort.events))
        await inbox_reaches(engine, len(cohort.events))
        assert await _naming(engine, referral) >= 2  # the referral and its weeks

        await publish([_published_erasure(referral)])

        async def forgotten() -> bool:
            return await _naming(engine, referral) == 0

        await eventually(forgotten, what="the erasure to be applied")
        await _assert_figures(engine, cohort)

        # Events about the participant after the erasure: counted as before, the id left out.
        await publish(late)
        await inbox_reaches(engine, len(cohort.events) + 1 + len(late))
        assert await _naming(engine, referral) == 0
        await _assert_figures(engine, cohort)

        # A rebuild in place: the history names the participant before the erasure and after it.
        result = await run_rebuild(reporting.settings)
        assert (result.erasures, result.applied) == (1, len(cohort.events) + len(late))
        assert result.forgotten >= 2
        assert await _naming(engine, referral) == 0
        await _assert_figures(engine, cohort)
        assert await _register(engine) == {referral.participant_id, referral.referral_id}

    # An empty database (no register yet): the erasure in the history is enough, and is kept.
    fresh = await make_database(reporting_spec())
    settings = ReportingSettings(database_url=fresh, broker_url=infra.broker_url, name_prefix=prefix)
    assert (await run_rebuild(settings)).erasures == 1
    engine = create_engine(settings, pool_size=2)
    try:
        assert await _naming(engine, referral) == 0
        assert await _register(engine) == {referral.participant_id, referral.referral_id}
        await _assert_figures(engine, cohort)
    finally:
        await engine.dispose()


async def test_a_rebuild_whose_history_no_longer_holds_the_erasure_keeps_the_id_out(
    make_database: Any, publish: Any, mix: Any, infra: Any, prefix: str
) -> None:
    cohort = build_cohort(40, seed=4)
    referral = _erased(cohort)
    # The history as after its retention dropped the erasure: the events naming the participant,
    # some of them after the erasure happened.
    await publish([*mix(cohort.events), *_late(cohort, referral)])
    database = await make_database(reporting_spec())
    settings = ReportingSettings(database_url=database, broker_url=infra.broker_url, name_prefix=prefix)
    engine = create_engine(settings, pool_size=2)
    try:
        async with _uow(engine) as uow:  # as the dpo consumer recorded it back then
            await forget_participant(uow, _erasure(referral))
            await uow.commit()

        result = await run_rebuild(settings)
        assert result.erasures == 0
        assert result.forgotten >= 2
        assert await _naming(engine, referral) == 0
        assert await _register(engine) == {referral.participant_id, referral.referral_id}
        await _assert_figures(engine, cohort)
        async with engine.connect() as connection:  # everyone else keeps their id
            named = await connection.execute(sa.text("SELECT count(DISTINCT participant_id) FROM referral_facts"))
            assert named.scalar_one() == len(cohort.referrals) - 1
    finally:
        await engine.dispose()

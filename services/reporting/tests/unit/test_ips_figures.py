"""The IPS fidelity items and the clarification results from the facts of the way into work, with
no server: the history (forlob_testkit.reporting.ips) goes through the live consumer's use case in
any order and partly twice, and the use cases answer what was worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from forlob_reporting.application.events import forget_participant, record_events
from forlob_reporting.application.figures import Scope, clarification_results, ips_fidelity
from forlob_reporting.application.rebuild import Replay
from forlob_reporting.domain.facts import EMPLOYMENT_TABLES
from forlob_reporting.domain.figures import Period
from forlob_shared.events import ParticipantErased, decode
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork, fact_rows, mixed, projected
from forlob_testkit.reporting.expected import jsonable
from forlob_testkit.reporting.ips import (
    CLARIFICATION,
    EXPECTED_CLARIFICATION,
    EXPECTED_GENERAL,
    EXPECTED_IPS,
    IPS,
    IPS_TEAM_OTHER,
    JOBCENTRE,
    PERIOD,
    build_ips,
    participant,
    referral,
)

WHOLE = Period(*PERIOD)


def _bodies(seed: int | None) -> list[bytes]:
    return mixed([p.body() for p in build_ips()], seed)


async def _store(seed: int | None = None, batch: int = 5) -> FakeStore:
    return await projected(_bodies(seed), batch=batch)


async def _answers(store: FakeStore) -> dict[str, Any]:
    uow = FakeReportingUnitOfWork(store)
    return {
        "ips": jsonable(await ips_fidelity(uow, Scope(IPS[0]), WHOLE)),
        "ips-programme": jsonable(await ips_fidelity(uow, Scope(IPS[0], IPS[1]), WHOLE)),
        "jobcentre-ips": jsonable(await ips_fidelity(uow, Scope(JOBCENTRE), WHOLE)),
        "clarification": jsonable(await clarification_results(uow, Scope(CLARIFICATION[0]), WHOLE)),
        "jobcentre-clarification": jsonable(await clarification_results(uow, Scope(JOBCENTRE), WHOLE)),
        "ips-clarification": jsonable(await clarification_results(uow, Scope(IPS[0]), WHOLE)),
    }


@pytest.mark.parametrize("seed", [None, 1, 2, 3, 4])
async def test_the_fidelity_items_are_the_hand_computed_ones_in_any_order_of_events(seed: int | None) -> None:
    answers = await _answers(await _store(seed))
    assert answers["ips"] == [EXPECTED_IPS, EXPECTED_GENERAL]
    # One programme asked for: general job development is no programme's.
    assert answers["ips-programme"] == [EXPECTED_IPS]
    # The caseloads and contacts name the provider's staff: the jobcentre sees none of them.
    assert answers["jobcentre-ips"] == []


async def test_only_programmes_defined_as_ips_have_fidelity_rows() -> None:
    """The scale's items mean nothing for a development course (the IPS team's own other
    programme, defined with no course) or a clarification course (another provider's, with
    results): neither has a row, asked for by name or not."""
    uow = FakeReportingUnitOfWork(await _store())
    assert [r["programme_code"] for r in await ips_fidelity(uow, Scope(IPS[0]), WHOLE)] == [IPS[1], "general"]
    assert await ips_fidelity(uow, Scope(*IPS_TEAM_OTHER), WHOLE) == []
    assert await ips_fidelity(uow, Scope(CLARIFICATION[0]), WHOLE) == []
    assert await ips_fidelity(uow, Scope(*CLARIFICATION), WHOLE) == []


@pytest.mark.parametrize("seed", [None, 5, 6])
async def test_clarification_results_count_the_latest_result_by_recommendation_for_both_parties(
    seed: int | None,
) -> None:
    answers = await _answers(await _store(seed))
    assert answers["clarification"] == [EXPECTED_CLARIFICATION]
    assert answers["jobcentre-clarification"] == [EXPECTED_CLARIFICATION]  # delivered to its caseworker
    assert answers["ips-clarification"] == []  # another provider's courses


async def test_the_rebuild_replay_gives_the_live_figures() -> None:
    live = await _answers(await _store(7))
    replay = Replay()
    for body in _bodies(8):
        await replay.on_body(body)
    store = FakeStore()
    fact_rows(store).update(replay.store.rows)
    assert await _answers(store) == live


async def test_a_job_before_its_course_start_counts_once_the_start_arrives() -> None:
    """The spell, its phase and the contacts of course 1 first; the course's start last."""
    bodies = _bodies(None)
    started = [b for b in bodies if b"programme.started" in b and str(referral(1)).encode() in b]
    store = await _store_of([b for b in bodies if b not in started])
    early = jsonable(await ips_fidelity(FakeReportingUnitOfWork(store), Scope(IPS[0], IPS[1]), WHOLE))[0]
    assert early["days_start_to_first_job"]["count"] == 1  # course 2's only: course 1 has no start yet
    assert early["time_unlimited_support"]["in_support"] == 0
    async with FakeReportingUnitOfWork(store) as uow:
        await record_events(uow, [decode(b) for b in started])
        await uow.commit()
    assert jsonable(await ips_fidelity(FakeReportingUnitOfWork(store), Scope(IPS[0], IPS[1]), WHOLE)) == [EXPECTED_IPS]


async def _store_of(bodies: list[bytes]) -> FakeStore:
    store = FakeStore()
    async with FakeReportingUnitOfWork(store) as uow:
        await record_events(uow, [decode(b) for b in bodies])
        await uow.commit()
    return store


async def test_an_erased_participant_is_named_nowhere_and_the_figures_stay() -> None:
    store = await _store(9)
    before = await _answers(store)
    erasure = ParticipantErased(
        participant_id=participant(1),
        provider_org=IPS[0],
        referral_ids=[referral(1)],
        erased_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    async with FakeReportingUnitOfWork(store) as uow:
        await forget_participant(uow, erasure)
        await uow.commit()
    after = await _answers(store)
    assert after == before
    assert str(participant(1)) not in json.dumps(after)
    # The way into work's facts never held a participant id to forget.
    rows = fact_rows(store)
    for table in EMPLOYMENT_TABLES:
        assert "participant_id" not in table.columns
        assert all(participant(1) not in row.values() for row in rows.get(table.name, {}).values())


@pytest.mark.parametrize(
    ("end", "share", "decided"),
    [
        (date(2026, 3, 31), 1.0, 1),  # only course 1 (a contact on day 5): 2 and 3 are within their 30 days
        (date(2026, 4, 1), 1 / 2, 2),  # course 2's 30 days (from 2 March) are over, with no contact in them
        (date(2026, 4, 15), 1 / 3, 3),  # course 3's (from its start, 16 March) too
    ],
)
async def test_a_course_counts_for_rapid_search_once_its_30_days_are_over_or_it_had_a_contact(
    end: date, share: float, decided: int
) -> None:
    rows = await ips_fidelity(FakeReportingUnitOfWork(await _store()), Scope(IPS[0], IPS[1]), Period(PERIOD[0], end))
    rapid = rows[0]["rapid_job_search"]
    assert (rapid["decided"], rapid["share_within_threshold"]) == (decided, share)

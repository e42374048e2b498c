"""The reporting use cases on the in-memory read model (no server): a synthetic cohort's events,
out of order and partly twice, go through the live consumer's use case in batches; every figure
the use cases answer is compared with the value computed from the cohort's ground truth; a
rebuild's replay of the same history gives the same figures."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from typing import Any

import pytest

from forlob_reporting.application.events import RebuildInProgress, record_events
from forlob_reporting.application.figures import (
    Scope,
    attendance_statement,
    figures,
    ips_fidelity,
    referrals_received,
    series,
)
from forlob_reporting.application.rebuild import Replay
from forlob_reporting.domain.figures import Period
from forlob_shared.errors import NotFound
from forlob_shared.events import decode
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork, fact_rows, hold_rebuild_lock
from forlob_testkit.reporting.cohort import Cohort, build_cohort
from forlob_testkit.reporting.expected import (
    PERIODS,
    VIEWS,
    assert_ips,
    assert_same,
    expected_rows,
    inside,
    jsonable,
    running_on,
    waiting_on,
)

FIGURES = (
    "referrals_received",
    "waiting_days",
    "waiting_list",
    "occupancy",
    "attendance",
    "hours_progression",
    "outcomes",
    "breaches",
    "alerts",
)
BATCH = 400

_built: dict[str, Any] = {}


def _cohort() -> Cohort:
    if "cohort" not in _built:
        _built["cohort"] = build_cohort(120, seed=13, days_share=0.05)
    cohort: Cohort = _built["cohort"]
    return cohort


def _bodies(seed: int) -> list[bytes]:
    events = list(_cohort().events)
    rnd = random.Random(seed)
    mixed = events + rnd.sample(events, len(events) // 20)
    rnd.shuffle(mixed)
    return [p.body() for p in mixed]


async def _live(seed: int = 11) -> FakeStore:
    """The read model the live consumer builds, batch by batch, from the mixed history."""
    key = f"live/{seed}"
    if key not in _built:
        store = FakeStore()
        envelopes = [decode(body) for body in _bodies(seed)]
        for start in range(0, len(envelopes), BATCH):
            async with FakeReportingUnitOfWork(store) as uow:
                await record_events(uow, envelopes[start : start + BATCH])
                await uow.commit()  # as the consumer does, once per batch
        _built[key] = store
    store: FakeStore = _built[key]
    return store


async def _answers(store: FakeStore) -> dict[str, Any]:
    answers = {}
    for org, by in VIEWS:
        for period in PERIODS:
            scope = Scope(org, by_referring_org=by)
            uow = FakeReportingUnitOfWork(store)
            answers[f"{org}/{by}/{period.start}"] = jsonable(await figures(uow, scope, period))
            answers[f"ips/{org}/{by}/{period.start}"] = jsonable(await ips_fidelity(uow, scope, period))
    return answers


@pytest.mark.parametrize("figure", FIGURES)
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: str(p.start))
@pytest.mark.parametrize(("org", "by_referring"), VIEWS, ids=lambda v: str(v))
async def test_each_figure_matches_the_cohort(org: str, by_referring: bool, period: Period, figure: str) -> None:
    rows = await figures(FakeReportingUnitOfWork(await _live()), Scope(org, by_referring_org=by_referring), period)
    expected = expected_rows(_cohort(), org, period, by_referring)
    assert [(r["provider_org"], r["programme_code"], r.get("referring_org")) for r in rows] == [
        (e["provider_org"], e["programme_code"], e.get("referring_org")) for e in expected
    ]
    assert_same([jsonable(r[figure]) for r in rows], [jsonable(e[figure]) for e in expected])


async def test_the_cohort_reaches_every_figure() -> None:
    # Guards the test above against a cohort too small to have anything to count.
    rows = await figures(FakeReportingUnitOfWork(await _live()), Scope("rca-aalborg"), PERIODS[0])
    udv = next(r for r in rows if r["programme_code"] == "RCA-UDV-13")
    assert udv["waiting_days"]["count"] > 5
    assert udv["outcomes"]["ended"] > 5
    assert udv["attendance"]["participant_weeks"] > 20
    assert udv["alerts"]["raised"] > 0
    assert udv["occupancy"]["capacity"] == 40


async def test_ips_fidelity_matches_the_cohort() -> None:
    assert_ips(await _answers(await _live()), _cohort())


async def test_a_rebuild_replay_gives_the_same_figures_as_the_live_consumer() -> None:
    replay = Replay()
    bodies = _bodies(seed=29)
    for body in [*bodies, b"not a cloudevent"]:
        await replay.on_body(body)
    assert len(replay.applied) == len(_cohort().events)
    assert replay.duplicates == len(bodies) - len(_cohort().events)
    assert replay.unreadable == 1
    rebuilt = FakeStore()
    fact_rows(rebuilt).update(replay.store.rows)
    assert await _answers(rebuilt) == await _answers(await _live())


async def test_a_rebuild_ignores_the_partner_contracts_events_and_counts_nothing_else_as_unreadable() -> None:
    """The history stream carries the partner feed's events too; they are derived from internal
    events the replay already reads, so they are ignored, not counted as unreadable."""
    partner = json.dumps({"specversion": "1.0", "type": "dk.forlob.partner.absence.unexplained.v1", "data": {}})
    replay = Replay()
    for body in [partner.encode(), b'{"type": "dk.forlob.nothing.v1"}', b"\xff not json"]:
        await replay.on_body(body)
    assert (replay.ignored, replay.unreadable, len(replay.applied)) == (1, 2, 0)


async def test_another_order_of_batches_gives_the_same_read_model() -> None:
    one, other = await _live(11), await _live(17)
    assert fact_rows(one) == fact_rows(other)


async def test_referrals_received_per_organisation_pair() -> None:
    uow = FakeReportingUnitOfWork(await _live())
    period = PERIODS[1]
    rows = await referrals_received(uow, Scope("rca-aalborg"), period)
    expected = Counter(
        (r.programme.code, r.referring_org)
        for r in _cohort().referrals
        if r.programme.provider_org == "rca-aalborg" and inside(r.received_on, period)
    )
    assert {(r.programme_code, r.referring_org): r.count for r in rows} == dict(expected)
    everything = await referrals_received(uow, Scope("rca-aalborg"), None)
    assert sum(r.count for r in everything) == sum(
        1 for r in _cohort().referrals if r.programme.provider_org == "rca-aalborg"
    )


async def test_the_waiting_list_per_week_ends_at_the_length_the_cohort_had() -> None:
    period = PERIODS[1]
    rows = await series(FakeReportingUnitOfWork(await _live()), Scope("rca-aalborg"), period, "waiting-list")
    for code in ("RCA-UDV-13", "RCA-FYS-4"):
        weeks = [r for r in rows if r["programme_code"] == code]
        rs = [r for r in _cohort().referrals if r.programme.code == code]
        assert weeks[-1]["length"] == sum(1 for r in rs if waiting_on(r, period.end))
        assert sum(w["inflow"] for w in weeks) == sum(1 for r in rs if inside(r.received_on, period))


async def test_occupancy_per_day_counts_the_courses_running() -> None:
    period = Period(date(2026, 4, 1), date(2026, 4, 30))
    rows = await series(FakeReportingUnitOfWork(await _live()), Scope("rca-aalborg"), period, "occupancy")
    rs = [r for r in _cohort().referrals if r.programme.code == "RCA-UDV-13"]
    udv = [r for r in rows if r["programme_code"] == "RCA-UDV-13"]
    assert [r["seats_used"] for r in udv] == [sum(1 for r in rs if running_on(r, d)) for d in period.days()]
    assert all(r["occupancy"] == r["seats_used"] / 40 for r in udv)


async def test_attendance_per_week_sums_the_summaries() -> None:
    period = PERIODS[1]
    rows = await series(FakeReportingUnitOfWork(await _live()), Scope("rca-aalborg"), period, "attendance-weeks")
    for row in rows:
        weeks = [
            w
            for r in _cohort().referrals
            if r.programme.code == row["programme_code"]
            for w in r.weeks
            if w.week_start == row["week_start"]
        ]
        assert row["participants"] == len(weeks)
        assert row["agreed_hours"] == pytest.approx(sum(w.agreed_minutes for w in weeks) / 60)


async def test_an_attendance_statement_is_the_referrals_own_weeks() -> None:
    uow = FakeReportingUnitOfWork(await _live())
    truth = next(r for r in _cohort().referrals if len(r.weeks) >= 8 and r.end_date is not None)
    statement = await attendance_statement(uow, truth.programme.provider_org, truth.referral_id)
    assert [w["week_start"] for w in statement["weeks"]] == [w.week_start for w in truth.weeks]
    assert statement["totals"]["days_attended"] == truth.days_attended
    assert statement["totals"]["agreed_hours"] == pytest.approx(sum(w.agreed_minutes for w in truth.weeks) / 60)
    assert statement["end_date"] == truth.end_date
    assert statement["ended"] is True
    assert statement["hours_progression"] is not None
    # the referring organisation may read it; another organisation gets "not found"
    assert (await attendance_statement(uow, truth.referring_org, truth.referral_id))["weeks"] == statement["weeks"]
    with pytest.raises(NotFound):
        await attendance_statement(uow, "jobcenter-elsewhere", truth.referral_id)


async def test_a_referring_organisation_sees_no_seats_and_no_caseloads() -> None:
    uow = FakeReportingUnitOfWork(await _live())
    rows = await figures(uow, Scope("jobcenter-odense"), PERIODS[0])
    assert rows
    assert all(r["occupancy"]["capacity"] is None for r in rows)
    assert await ips_fidelity(uow, Scope("jobcenter-odense"), PERIODS[0]) == []


async def test_the_live_batch_waits_while_a_rebuild_holds_the_lock() -> None:
    store = FakeStore()
    hold_rebuild_lock(store)
    envelopes = [decode(p.body()) for p in _cohort().events[:20]]
    with pytest.raises(RebuildInProgress):
        async with FakeReportingUnitOfWork(store) as uow:
            await record_events(uow, envelopes)
    hold_rebuild_lock(store, held=False)
    async with FakeReportingUnitOfWork(store) as uow:
        await record_events(uow, envelopes)
        await uow.commit()
    assert store.commits == 1
    assert any(fact_rows(store).values())

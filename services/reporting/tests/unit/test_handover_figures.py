"""Days without any programme between two steps and the share of handovers with no gap, with no
server: the history (forlob_testkit.reporting.pathways) goes through the live consumer's use case in
any order and partly twice, and the figures are the ones worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from forlob_reporting.api import figure_models as out
from forlob_reporting.application.figures import Scope, handovers
from forlob_reporting.domain.figures import Period
from forlob_reporting.domain.pathways import days_without_programme
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork, mixed, projected
from forlob_testkit.reporting.expected import jsonable
from forlob_testkit.reporting.pathways import (
    ASPA,
    EXPECTED_GAPS,
    EXPECTED_OTHER_PROVIDER,
    EXPECTED_SAME_PROVIDER,
    JOBCENTRE,
    PERIOD,
    RCA,
    build_pathways,
)

WHOLE = Period(*PERIOD)


async def _store(seed: int | None) -> FakeStore:
    return await projected(mixed([p.body() for p in build_pathways()], seed), batch=4)


def test_days_without_programme_are_those_strictly_between_the_two_steps() -> None:
    last = date(2026, 7, 12)
    assert days_without_programme(last, date(2026, 6, 29)) == 0  # an overlap
    assert days_without_programme(last, date(2026, 7, 12)) == 0  # the same day
    assert days_without_programme(last, date(2026, 7, 13)) == 0  # the day after
    assert days_without_programme(last, date(2026, 7, 27)) == 14


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
async def test_the_handover_figures_are_the_hand_computed_ones_in_any_order(seed: int | None) -> None:
    uow = FakeReportingUnitOfWork(await _store(seed))
    for org in (RCA, JOBCENTRE):
        rows = jsonable(await handovers(uow, Scope(org), WHOLE, each=False))
        assert rows == jsonable([EXPECTED_OTHER_PROVIDER, EXPECTED_SAME_PROVIDER]), org
    # The next provider sees the handovers into its programme, not the others of the provider before.
    assert jsonable(await handovers(uow, Scope(ASPA), WHOLE, each=False)) == jsonable([EXPECTED_OTHER_PROVIDER])
    assert await handovers(uow, Scope("jobcenter-odense"), WHOLE, each=False) == []
    each = await handovers(uow, Scope(JOBCENTRE), WHOLE, each=True)
    assert {r["handover_id"]: r["days_without_programme"] for r in each} == EXPECTED_GAPS


async def test_a_period_counts_the_handovers_whose_next_step_started_in_it() -> None:
    uow = FakeReportingUnitOfWork(await _store(None))
    june = Period(date(2026, 6, 1), date(2026, 6, 30))
    [row] = await handovers(uow, Scope(RCA), june, each=False)
    assert (row["next_provider_org"], row["handovers"], row["overlapping"], row["share_without_gap"]) == (
        RCA,
        1,
        1,
        1.0,
    )
    assert await handovers(uow, Scope(RCA, "ASPA-UDV"), june, each=False) == []


async def test_both_shapes_of_the_answer_match_their_model() -> None:
    """GET /figures/handovers answers per pair or per handover: each is held to its OpenAPI model."""
    uow = FakeReportingUnitOfWork(await _store(None))
    for each in (False, True):
        rows = jsonable(await handovers(uow, Scope(JOBCENTRE), WHOLE, each=each))
        table = out.HandoversOut.model_validate({"org": JOBCENTRE, "from": PERIOD[0], "to": PERIOD[1], "rows": rows})
        assert len(table.rows) == len(rows) > 0
        assert isinstance(table.rows[0], out.HandoverRow if each else out.HandoverPairRow)

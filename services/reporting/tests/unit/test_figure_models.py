"""The figures' answers match the types the OpenAPI document gives them (api/figure_models.py):
every use case behind a figure route, over the synthetic histories (a timetabled cohort, the
programme shapes, IPS and clarification courses) on the in-memory read model, answers rows the
strict models take whole: no field the document does not name, none it names missing, no type
other than the one it gives. With no server."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from forlob_reporting.api import figure_models as out
from forlob_reporting.application.events import record_events
from forlob_reporting.application.figures import (
    SERIES,
    Scope,
    attendance_statement,
    clarification_results,
    figures,
    ips_fidelity,
    series,
    visit_safety,
)
from forlob_reporting.domain.figures import BLOCK_FIGURES, Period
from forlob_shared.events import decode
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork
from forlob_testkit.reporting import ips, shapes
from forlob_testkit.reporting.cohort import build_cohort

SERIES_MODELS: dict[str, type[out.Table]] = {
    "waiting-list": out.WaitingListOut,
    "occupancy": out.OccupancyOut,
    "attendance-weeks": out.AttendanceWeeksOut,
}
_stores: dict[str, FakeStore] = {}


async def _store(name: str) -> FakeStore:
    if name not in _stores:
        events: list[Any] = {
            "cohort": lambda: list(build_cohort(60, seed=5, days_share=0.05).events),
            "shapes": shapes.build_shapes,
            "ips": ips.build_ips,
        }[name]()
        store = FakeStore()
        envelopes = [decode(p.body()) for p in events]
        for start in range(0, len(envelopes), 200):
            async with FakeReportingUnitOfWork(store) as uow:
                await record_events(uow, envelopes[start : start + 200])
                await uow.commit()
        _stores[name] = store
    return _stores[name]


def _table(model: type[out.Table], org: str, period: Period, rows: list[dict[str, Any]]) -> BaseModel:
    """The answer as the route sends it (api/figures.py ``_answer``), read by the strict model."""
    body = jsonable_encoder({"org": org, "from": period.start, "to": period.end, "rows": rows})
    assert rows, f"{model.__name__}: nothing to check"
    return model.model_validate(body)


# (history, organisation, period, split by referring organisation)
VIEWS = [
    ("cohort", "rca-aalborg", Period(date(2026, 1, 1), date(2026, 12, 31)), False),
    ("cohort", "rca-aalborg", Period(date(2026, 1, 1), date(2026, 12, 31)), True),
    ("shapes", shapes.IPS[0], Period(*shapes.MARCH), False),
    ("shapes", shapes.OUTREACH[0], Period(*shapes.MARCH), False),
    ("shapes", shapes.JOBCENTRE, Period(*shapes.MARCH), True),
    ("ips", ips.IPS[0], Period(*ips.PERIOD), False),
]


@pytest.mark.parametrize(("history", "org", "period", "by_referring"), VIEWS)
async def test_figures_and_series_match_their_models(
    history: str, org: str, period: Period, by_referring: bool
) -> None:
    uow = FakeReportingUnitOfWork(await _store(history))
    scope = Scope(org, by_referring_org=by_referring)
    _table(out.FiguresOut, org, period, await figures(uow, scope, period))
    for name, model in SERIES_MODELS.items():
        rows = await series(uow, scope, period, name)
        if rows:
            _table(model, org, period, rows)


async def test_the_cohort_fills_every_block_and_series() -> None:
    # Guards the test above: every block of the figures and every series had rows to check.
    uow = FakeReportingUnitOfWork(await _store("cohort"))
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    rows = await figures(uow, Scope("rca-aalborg"), period)
    shaped = await figures(FakeReportingUnitOfWork(await _store("shapes")), Scope(shapes.IPS[0]), Period(*shapes.MARCH))
    outreach = await figures(
        FakeReportingUnitOfWork(await _store("shapes")), Scope(shapes.OUTREACH[0]), Period(*shapes.MARCH)
    )
    seen = {block for row in [*rows, *shaped, *outreach] for block in row} - set(out.Group.model_fields)
    assert seen == set(BLOCK_FIGURES) == set(out.FigureRow.model_fields) - set(out.Group.model_fields)
    for name in SERIES:
        assert await series(uow, Scope("rca-aalborg"), period, name), name


async def test_ips_fidelity_and_clarification_results_match_their_models() -> None:
    uow = FakeReportingUnitOfWork(await _store("ips"))
    period = Period(*ips.PERIOD)
    for org in (ips.IPS[0], ips.JOBCENTRE):
        rows = await ips_fidelity(uow, Scope(org), period)
        if rows:
            _table(out.IpsFidelityOut, org, period, rows)
    for org in (ips.CLARIFICATION[0], ips.JOBCENTRE):
        _table(out.ClarificationResultsOut, org, period, await clarification_results(uow, Scope(org), period))


async def test_visits_match_their_model() -> None:
    uow = FakeReportingUnitOfWork(await _store("shapes"))
    period = Period(*shapes.MARCH)
    table = _table(out.VisitsOut, shapes.IPS[0], period, await visit_safety(uow, shapes.IPS[0], period))
    assert isinstance(table, out.VisitsOut)


async def test_an_attendance_statement_matches_its_model() -> None:
    cohort = build_cohort(60, seed=5, days_share=0.05)
    uow = FakeReportingUnitOfWork(await _store("cohort"))
    checked = 0
    for referral in [r for r in cohort.referrals if r.start_date is not None][:40]:
        statement = await attendance_statement(uow, referral.programme.provider_org, referral.referral_id)
        model = out.StatementOut.model_validate(jsonable_encoder(statement))
        checked += model.hours_progression is not None
    assert checked, "no statement long enough to have its hours' progression"


def test_a_field_the_models_do_not_name_is_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        out.Distribution.model_validate({"count": 1, "median": 1.0, "p90": 1.0, "mean": 1.0})

"""The next steps the provider proposed, by what became of them, with no server: the history
(forlob_testkit.reporting.proposals) goes through the live consumer's use case in any order and
partly twice, and the figures are the ones worked out by hand; each organisation sees its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from forlob_reporting.api.proposal_models import NextStepProposalsOut
from forlob_reporting.application.figures import Scope, next_step_proposals
from forlob_reporting.domain.facts import PROPOSALS
from forlob_reporting.domain.figures import Period
from forlob_reporting.domain.merge import local_date
from forlob_reporting.domain.projection import project
from forlob_reporting.domain.proposals import decision, proposal_figures
from forlob_shared.events import decode
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork, mixed, projected
from forlob_testkit.reporting.expected import jsonable
from forlob_testkit.reporting.pathways import ASPA, JOBCENTRE, PERIOD, RCA
from forlob_testkit.reporting.proposals import (
    EXPECTED_JOBCENTRE,
    EXPECTED_OTHER_JOBCENTRE,
    EXPECTED_PROVIDER,
    OTHER_JOBCENTRE,
    build_proposals,
)

WHOLE = Period(*PERIOD)


async def _store(seed: int | None) -> FakeStore:
    return await projected(mixed([p.body() for p in build_proposals()], seed), batch=5)


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
async def test_the_proposal_figures_are_the_hand_computed_ones_in_any_order(seed: int | None) -> None:
    uow = FakeReportingUnitOfWork(await _store(seed))
    assert jsonable(await next_step_proposals(uow, Scope(RCA), WHOLE)) == jsonable([EXPECTED_PROVIDER])
    assert jsonable(await next_step_proposals(uow, Scope(JOBCENTRE), WHOLE)) == jsonable([EXPECTED_JOBCENTRE])
    assert jsonable(await next_step_proposals(uow, Scope(OTHER_JOBCENTRE), WHOLE)) == jsonable(
        [EXPECTED_OTHER_JOBCENTRE]
    )
    # The next provider is not told of a proposal: only the proposing provider and the jobcentre.
    assert await next_step_proposals(uow, Scope(ASPA), WHOLE) == []
    assert await next_step_proposals(uow, Scope("jobcenter-aarhus"), WHOLE) == []


async def test_per_jobcentre_and_per_programme_and_period() -> None:
    uow = FakeReportingUnitOfWork(await _store(None))
    split = await next_step_proposals(uow, Scope(RCA, by_referring_org=True), WHOLE)
    assert [(r["referring_org"], r["proposals"], r["open"]) for r in split] == [
        (JOBCENTRE, 7, 1),
        (OTHER_JOBCENTRE, 1, 1),
    ]
    assert await next_step_proposals(uow, Scope(RCA, "RCA-UDV-13"), WHOLE) == []  # proposed from RCA-FYS only
    # June: A, C and E (all accepted); N's proposal (20 May) is not June's though its decline (2 June) is.
    [june] = await next_step_proposals(uow, Scope(RCA), Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert (june["proposals"], june["accepted"], june["declined"], june["open"], june["median_days_to_decision"]) == (
        3,
        3,
        0,
        0,
        3.0,
    )
    [may] = await next_step_proposals(uow, Scope(JOBCENTRE), Period(date(2026, 5, 1), date(2026, 5, 31)))
    assert (may["proposals"], may["declined_by_reason"]["no_longer_relevant"], may["median_days_to_decision"]) == (
        1,
        1,
        13.0,
    )


def test_a_referral_on_nobody_proposed_is_no_proposal_and_an_early_decision_waits_for_its_proposal() -> None:
    events = {decode(p.body()).data.routing_key: decode(p.body()) for p in build_proposals()}
    referred = [decode(p.body()) for p in build_proposals() if p.routing_key == "course.referred_on.v1"]
    proposed_by = {e.data.handover_id: e.data.proposed_by_provider for e in referred}  # type: ignore[attr-defined]
    for envelope in referred:
        wrote = [c for c in project(envelope) if c.table is PROPOSALS]
        assert len(wrote) == (1 if proposed_by[envelope.data.handover_id] else 0)  # type: ignore[attr-defined]
    assert "course.next_step_declined.v1" in events
    # A decision whose proposal has not arrived yet is in no period.
    row = {"proposed_at": None, "declined_at": datetime(2026, 7, 8, tzinfo=UTC), "decline_reason": "other"}
    assert proposal_figures([row], WHOLE, local_date)["proposals"] == 0
    assert decision(row) == ("declined", datetime(2026, 7, 8, tzinfo=UTC))
    assert decision({"proposed_at": datetime(2026, 7, 1, tzinfo=UTC)}) is None


async def test_the_answer_matches_its_model() -> None:
    uow = FakeReportingUnitOfWork(await _store(None))
    rows = jsonable(await next_step_proposals(uow, Scope(JOBCENTRE), WHOLE))
    table = NextStepProposalsOut.model_validate({"org": JOBCENTRE, "from": PERIOD[0], "to": PERIOD[1], "rows": rows})
    assert [(r.proposals, r.open, r.declined_by_reason["participant_not_ready"]) for r in table.rows] == [(7, 1, 1)]

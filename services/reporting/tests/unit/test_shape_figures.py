"""The figures of the programme shapes (meetings, outreach, visits) from a list of events, with
no server: the events go through the live consumer's use case in any order and partly twice,
and the use cases answer what the history gives by hand (forlob_testkit.reporting.shapes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from forlob_reporting.api.charts import outcomes_chart
from forlob_reporting.application.events import record_events
from forlob_reporting.application.figures import Scope, figures, series, visit_safety
from forlob_reporting.application.rebuild import Replay
from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain import shape_figures as sf
from forlob_reporting.domain.figures import BLOCKS, GroupFacts, Period
from forlob_reporting.domain.projection import project
from forlob_reporting.handlers.events import subscriptions
from forlob_shared.events import AbsenceDetected, PendingEvent, decode, encode
from forlob_shared.events.meetings import MeetingCadenceOverdue, MeetingCancelled, MeetingHeld, MeetingPlanned
from forlob_shared.events.outreach import (
    OutreachCaseIdentified,
    OutreachCaseOpened,
    OutreachConsentRecorded,
    OutreachContactAttempted,
    OutreachContactOverdue,
    OutreachPhaseChanged,
)
from forlob_shared.events.visits import VisitEnded, VisitOverdue, VisitStarted
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork, mixed, projected
from forlob_testkit.reporting.shapes import (
    EXPECTED_MEETINGS,
    EXPECTED_OUTREACH,
    EXPECTED_VISITS,
    IPS,
    JOBCENTRE,
    MARCH,
    OUTREACH,
    TIMETABLED,
    build_shapes,
)

PERIOD = Period(*MARCH)


def _bodies(seed: int | None) -> list[bytes]:
    return mixed([p.body() for p in build_shapes()], seed, one_in=4)


async def _store(seed: int | None = None, batch: int = 7) -> FakeStore:
    return await projected(_bodies(seed), batch=batch)


def _row(rows: list[dict[str, Any]], programme: tuple[str, str]) -> dict[str, Any]:
    return next(r for r in rows if (r["provider_org"], r["programme_code"]) == programme)


async def test_a_meetings_course_counts_meetings_planned_held_cancelled_missed_and_reminders() -> None:
    rows = await figures(FakeReportingUnitOfWork(await _store()), Scope(IPS[0]), PERIOD)
    assert _row(rows, IPS)["meetings"] == EXPECTED_MEETINGS


async def test_an_outreach_team_counts_its_cases_attempts_phases_consents_and_handovers() -> None:
    rows = await figures(FakeReportingUnitOfWork(await _store()), Scope(OUTREACH[0]), PERIOD)
    assert _row(rows, OUTREACH)["outreach"] == EXPECTED_OUTREACH


async def test_visits_are_counted_for_the_organisation_whose_staff_went() -> None:
    store = await _store()
    (row,) = await visit_safety(FakeReportingUnitOfWork(store), OUTREACH[0], PERIOD)
    assert row == {"provider_org": OUTREACH[0], "visits": EXPECTED_VISITS}
    (other,) = await visit_safety(FakeReportingUnitOfWork(store), JOBCENTRE, PERIOD)
    assert other["visits"]["started"] == 0


@pytest.mark.parametrize("seed", [3, 17, 41])
async def test_any_order_and_duplicates_give_the_same_figures(seed: int) -> None:
    in_order, mixed = await _store(), await _store(seed, batch=5)
    for org in (IPS[0], OUTREACH[0], JOBCENTRE):
        assert await figures(FakeReportingUnitOfWork(mixed), Scope(org), PERIOD) == await figures(
            FakeReportingUnitOfWork(in_order), Scope(org), PERIOD
        )
        assert await visit_safety(FakeReportingUnitOfWork(mixed), org, PERIOD) == await visit_safety(
            FakeReportingUnitOfWork(in_order), org, PERIOD
        )


async def test_each_shape_shows_only_the_figures_that_mean_something_for_it() -> None:
    rows = await figures(FakeReportingUnitOfWork(await _store()), Scope(IPS[0]), PERIOD)
    timetabled, meetings = _row(rows, TIMETABLED), _row(rows, IPS)
    assert not {"meetings", "outreach"} & set(timetabled)
    assert {"attendance", "hours_progression"} <= set(timetabled)
    assert not {"attendance", "hours_progression", "outreach"} & set(meetings)
    assert set(meetings) >= {"meetings", "waiting_days", "outcomes", "alerts"}
    team = await figures(FakeReportingUnitOfWork(await _store()), Scope(OUTREACH[0]), PERIOD)
    assert set(_row(team, OUTREACH)) == {"provider_org", "programme_code", "outreach"}
    # The team also sees the referral it handed over, in the receiving programme's row.
    assert _row(team, IPS)["referrals_received"] == 1
    assert BLOCKS["timetabled"] == (
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


async def test_the_referring_organisation_sees_its_referrals_meetings_but_not_the_outreach_teams_work() -> None:
    store = await _store()
    rows = await figures(FakeReportingUnitOfWork(store), Scope(JOBCENTRE), PERIOD)
    assert _row(rows, IPS)["meetings"] == EXPECTED_MEETINGS
    assert all(r["programme_code"] != OUTREACH[1] for r in rows)
    split = await figures(FakeReportingUnitOfWork(store), Scope(JOBCENTRE, by_referring_org=True), PERIOD)
    assert _row(split, IPS)["meetings"]["planned"] == EXPECTED_MEETINGS["planned"]


async def test_the_shape_comes_from_a_course_start_when_the_definition_is_missing() -> None:
    bodies = [b for b in _bodies(None) if decode(b).type != "catalogue.programme_defined.v1"]
    store = FakeStore()
    async with FakeReportingUnitOfWork(store) as uow:
        await record_events(uow, [decode(b) for b in bodies])
        await uow.commit()
    rows = await figures(FakeReportingUnitOfWork(store), Scope(IPS[0]), PERIOD)
    assert "meetings" in _row(rows, IPS)
    team = await figures(FakeReportingUnitOfWork(store), Scope(OUTREACH[0]), PERIOD)
    assert "outreach" in _row(team, OUTREACH)  # no definition, no course: its cases say what it is


def test_the_consumer_subscribes_to_every_new_event() -> None:
    (subscription,) = subscriptions()
    for event in (
        MeetingPlanned,
        MeetingHeld,
        MeetingCancelled,
        MeetingCadenceOverdue,
        AbsenceDetected,
        OutreachCaseOpened,
        OutreachContactAttempted,
        OutreachPhaseChanged,
        OutreachConsentRecorded,
        OutreachCaseIdentified,
        OutreachContactOverdue,
        VisitStarted,
        VisitEnded,
        VisitOverdue,
    ):
        assert event in subscription.handlers, event.routing_key


def _absence(meeting_id: Any) -> bytes:
    data = AbsenceDetected(
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code=IPS[1],
        provider_org=IPS[0],
        referring_org=JOBCENTRE,
        absence_id=uuid4(),
        day=date(2026, 3, 2),
        expected_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
        detected_at=datetime(2026, 3, 2, 8, 20, tzinfo=UTC),
        meeting_id=meeting_id,
    )
    at = datetime(2026, 3, 2, 8, 20, tzinfo=UTC)
    return encode(PendingEvent(data=data, subject=str(data.referral_id)), source="forlob/test", sequence=1, time=at)


async def test_a_missed_window_is_ignored_and_a_missed_meeting_applied() -> None:
    replay = Replay()
    await replay.on_body(_absence(None))
    await replay.on_body(_absence(uuid4()))
    assert (replay.ignored, len(replay.applied)) == (1, 1)


def test_a_rebuild_replay_gives_the_same_facts_as_in_order() -> None:
    store = MemoryFactStore()
    for body in _bodies(None):
        store.apply_now(project(decode(body)))
    replayed = MemoryFactStore()
    for body in reversed(_bodies(5)):
        replayed.apply_now(project(decode(body)))
    assert replayed.rows == store.rows


# --- single rules -------------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _phase(case: Any, days: int, before: str, after: str) -> dict[str, Any]:
    return {"case_id": case, "changed_at": T0 + timedelta(days=days), "previous_phase": before, "phase": after}


def test_a_phase_stay_without_a_known_start_is_left_out() -> None:
    case = uuid4()
    changes = [_phase(case, 3, "relationship", "bridging"), _phase(case, 10, "bridging", "closed")]
    # The case's opening and its move to relationship are not in the history: only bridging is known.
    assert sf.phase_stays(None, changes) == [("bridging", T0 + timedelta(days=3), T0 + timedelta(days=10))]


def test_a_case_back_in_contact_creation_has_two_stays_there() -> None:
    case = uuid4()
    changes = [
        _phase(case, 2, "contact_creation", "relationship"),
        _phase(case, 5, "relationship", "contact_creation"),
        _phase(case, 9, "contact_creation", "relationship"),
    ]
    stays = sf.phase_stays(T0, changes)
    assert [(p, (b - a).days) for p, a, b in stays] == [
        ("contact_creation", 2),
        ("relationship", 3),
        ("contact_creation", 4),
    ]


def test_figures_over_nothing_are_null_not_zero() -> None:
    found = sf.meetings(GroupFacts(shape="meetings"), PERIOD, lambda t: t.date())
    assert (found["planned"], found["share_held"]) == (0, None)
    assert found["days_start_to_first_meeting"] == {"count": 0, "median": None, "p90": None}
    assert sf.visits([], PERIOD, lambda t: t.date())["share_overdue"] is None


async def test_the_time_series_leave_out_the_shapes_they_mean_nothing_for() -> None:
    store = await _store()
    occupancy = await series(FakeReportingUnitOfWork(store), Scope(OUTREACH[0]), PERIOD, "occupancy")
    assert {r["programme_code"] for r in occupancy} == {IPS[1]}  # the handover's programme, not the team's
    weeks = await series(FakeReportingUnitOfWork(store), Scope(IPS[0]), PERIOD, "attendance-weeks")
    assert weeks == []
    rows = await figures(FakeReportingUnitOfWork(store), Scope(OUTREACH[0]), PERIOD)
    assert outcomes_chart(rows, "svg").startswith(b"<?xml")  # the team's row has no outcomes

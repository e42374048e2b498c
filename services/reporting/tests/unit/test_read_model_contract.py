"""One contract, two read models: the SQL unit of work (PostgreSQL) and the fast tier's fake
must store the same changes as the same rows and answer the read side's queries alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from forlob_reporting.application.events import record_events
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.domain.facts import (
    ALERTS,
    CLARIFICATIONS,
    DAYS,
    EMPLOYER_CONTACTS,
    HANDOVERS,
    JOB_SPELLS,
    MEETING_REMINDERS,
    MEETINGS,
    OUTREACH_ATTEMPTS,
    OUTREACH_CASES,
    OUTREACH_PHASES,
    OUTREACH_REMINDERS,
    PROGRAMMES,
    PROPOSALS,
    REFERRALS,
    SUPPORT_PHASES,
    VISITS,
    WEEKS,
)
from forlob_reporting.domain.groups import Programme
from forlob_reporting.domain.merge import Change
from forlob_reporting.main import spec as reporting_spec
from forlob_shared.clock import SystemClock
from forlob_shared.db import create_session_factory
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork

Factory = Callable[[], Any]

A, B = UUID(int=1), UUID(int=2)  # in key order
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.servers), "memory"])
def new_uow(request: pytest.FixtureRequest) -> Factory:
    if request.param == "memory":
        store = FakeStore()
        return lambda: FakeReportingUnitOfWork(store)
    # Asked for only here, so the memory half needs no server at all.
    postgres: Factory = request.getfixturevalue("postgres_uow")
    return postgres


@pytest.fixture
async def postgres_uow(make_database: Any) -> AsyncIterator[Factory]:
    url = await make_database(reporting_spec())
    engine = create_async_engine("postgresql+asyncpg://" + url.split("://", 1)[1], pool_size=2)
    writer = OutboxWriter("forlob/test", SystemClock())
    try:
        yield lambda: ReportingUnitOfWork(create_session_factory(engine), writer)
    finally:
        await engine.dispose()


def _referral(referral_id: UUID, provider: str, referring: str, programme: str = "P-1", **values: Any) -> Change:
    identity = {"participant_id": uuid4(), "programme_code": programme, "referring_org": referring}
    return Change(REFERRALS, (referral_id,), {**identity, "provider_org": provider, **values})


async def _apply(new_uow: Factory, *changes: Change) -> None:
    async with new_uow() as uow:
        await uow.facts.apply(changes)
        await uow.commit()


async def test_changes_land_as_rows_and_read_back_in_key_order(new_uow: Factory) -> None:
    await _apply(
        new_uow,
        _referral(B, "rca", "jc-1", received_at=AT),
        _referral(A, "rca", "jc-2", received_at=AT, start_date=date(2026, 3, 9)),
        _referral(uuid4(), "other", "jc-3"),
    )
    async with new_uow() as uow:
        rows = await uow.reads.referrals("rca", None)
    assert [r["referral_id"] for r in rows] == [A, B]
    assert rows[0]["start_date"] == date(2026, 3, 9)
    assert rows[1]["received_on"] == date(2026, 3, 2)  # dated by the store's merge


async def test_an_organisation_reads_the_referrals_it_is_party_to_and_one_programme(new_uow: Factory) -> None:
    await _apply(
        new_uow, _referral(A, "rca", "jc-1", "P-1"), _referral(B, "rca", "jc-2", "P-2"), _referral(uuid4(), "x", "y")
    )
    async with new_uow() as uow:
        assert [r["referral_id"] for r in await uow.reads.referrals("jc-2", None)] == [B]
        assert [r["referral_id"] for r in await uow.reads.referrals("rca", "P-1")] == [A]
        assert await uow.reads.referrals("nobody", None) == []


async def test_a_guarded_change_older_than_the_row_loses(new_uow: Factory) -> None:
    newer = Change(REFERRALS, (A,), {"planned_end_date": date(2026, 6, 1)}, "planned_end_guard", (5,))
    older = Change(REFERRALS, (A,), {"planned_end_date": date(2026, 5, 1)}, "planned_end_guard", (4,))
    await _apply(new_uow, _referral(A, "rca", "jc-1"), newer)
    await _apply(new_uow, older)
    async with new_uow() as uow:
        row = await uow.reads.referral(A)
    assert row is not None
    assert row["planned_end_date"] == date(2026, 6, 1)


async def test_nothing_stays_without_a_commit(new_uow: Factory) -> None:
    async with new_uow() as uow:
        await uow.facts.apply([_referral(A, "rca", "jc-1")])
    async with new_uow() as uow:
        assert await uow.reads.referral(A) is None


async def test_programmes_weeks_days_and_alerts_read_back(new_uow: Factory) -> None:
    await _apply(
        new_uow,
        Change(PROGRAMMES, ("rca", "P-1"), {"capacity": 12, "timezone": "Europe/Stockholm"}),
        _referral(A, "rca", "jc-1"),
        Change(
            WEEKS,
            (A, date(2026, 3, 9)),
            {"provider_org": "rca", "programme_code": "P-1", "referring_org": "jc-1", "agreed_minutes": 60},
        ),
        Change(
            WEEKS,
            (A, date(2026, 3, 2)),
            {"provider_org": "rca", "programme_code": "P-1", "referring_org": "jc-1", "agreed_minutes": 30},
        ),
        Change(DAYS, (A, date(2026, 3, 2)), {"checked_in_at": AT}),
        Change(DAYS, (A, date(2026, 3, 3)), {"checked_out_at": AT}),
        Change(ALERTS, (B,), {"org": "rca", "provider_org": "rca", "raised_at": AT}),
        Change(ALERTS, (A,), {"org": "jc-1", "provider_org": "rca", "raised_at": AT}),
    )
    async with new_uow() as uow:
        assert await uow.reads.programmes() == {("rca", "P-1"): Programme(12, "Europe/Stockholm")}
        assert [w["agreed_minutes"] for w in await uow.reads.weeks_of(A)] == [30, 60]
        assert len(await uow.reads.weeks("jc-1", "P-1")) == 2
        assert await uow.reads.days_attended(A) == 1
        assert [a["alert_id"] for a in await uow.reads.alerts("rca")] == [B]
        assert await uow.reads.breaches("rca", None) == []


async def test_a_row_read_is_a_copy(new_uow: Factory) -> None:
    await _apply(new_uow, _referral(A, "rca", "jc-1"))
    async with new_uow() as uow:
        (row,) = await uow.reads.referrals("rca", None)
        row["provider_org"] = "changed"
        assert (await uow.reads.referral(A))["provider_org"] == "rca"  # type: ignore[index]


async def test_the_rebuild_lock_is_free_when_no_rebuild_runs(new_uow: Factory) -> None:
    # Holding it is a rebuild's (the fake's hold_rebuild_lock; the real one in the integration tests).
    async with new_uow() as uow:
        assert await uow.rebuild_lock.try_share()
        await record_events(uow, [])


async def test_the_shapes_facts_read_back_for_whom_they_are(new_uow: Factory) -> None:
    meeting, case, visit = UUID(int=11), UUID(int=12), UUID(int=13)
    course = {"referral_id": A, "programme_code": "IPS-M", "referring_org": "jc-1", "provider_org": "ips"}
    team = {"provider_org": "team", "programme_code": "OPS-1"}
    await _apply(
        new_uow,
        Change(PROGRAMMES, ("ips", "IPS-M"), {"capacity": 20, "timezone": "Europe/Copenhagen", "shape": "meetings"}),
        Change(MEETINGS, (meeting,), {**course, "starts_at": AT}, "plan_guard", ("2026-03-01", 1)),
        Change(MEETINGS, (meeting,), {"held_on": date(2026, 3, 2), "held_at": AT}, earliest=("held_at",)),
        Change(
            MEETING_REMINDERS,
            (A, date(2026, 3, 9)),
            {k: v for k, v in course.items() if k != "referral_id"} | {"detected_at": AT},
        ),
        Change(OUTREACH_CASES, (case,), {**team, "opened_at": AT}),
        Change(OUTREACH_ATTEMPTS, (UUID(int=14),), {**team, "case_id": case, "attempted_at": AT, "outcome": "refused"}),
        Change(OUTREACH_PHASES, (case, AT, "relationship"), {**team, "previous_phase": "contact_creation"}),
        Change(OUTREACH_REMINDERS, (case, date(2026, 3, 9)), {**team, "detected_at": AT}),
        Change(VISITS, (visit,), {"provider_org": "team", "kind": "street", "with_colleague": True, "started_at": AT}),
    )
    async with new_uow() as uow:
        assert (await uow.reads.programmes())[("ips", "IPS-M")] == Programme(20, "Europe/Copenhagen", "meetings")
        (row,) = await uow.reads.meetings("jc-1", None)
        assert (row["meeting_id"], row["starts_at"], row["held_on"]) == (meeting, AT, date(2026, 3, 2))
        assert await uow.reads.meetings("ips", "IPS-M") == [row]
        assert await uow.reads.meetings("nobody", None) == []
        assert [r["due_by"] for r in await uow.reads.meeting_reminders("ips", None)] == [date(2026, 3, 9)]
        # Outreach and visits are the team's own: a referring organisation never reads them.
        assert [c["case_id"] for c in await uow.reads.outreach_cases("team", "OPS-1")] == [case]
        assert [a["outcome"] for a in await uow.reads.outreach_attempts("team", None)] == ["refused"]
        assert [(p["phase"], p["changed_at"]) for p in await uow.reads.outreach_phases("team", None)] == [
            ("relationship", AT)
        ]
        assert await uow.reads.outreach_cases("team", "OTHER") == []
        assert [r["due_by"] for r in await uow.reads.outreach_reminders("team", "OPS-1")] == [date(2026, 3, 9)]
        (v,) = await uow.reads.visits("team")
        assert (v["visit_id"], v["with_colleague"], v["ended_at"]) == (visit, True, None)
        assert await uow.reads.visits("ips") == []


async def test_the_way_into_work_reads_back_for_whom_it_is(new_uow: Factory) -> None:
    course = {"referral_id": A, "programme_code": "IPS-M", "referring_org": "jc-1", "provider_org": "ips"}
    contact = {"provider_org": "ips", "staff_id": "cons-a", "day": date(2026, 3, 9), "kind": "first_contact"}
    spell = UUID(int=21)
    await _apply(
        new_uow,
        Change(EMPLOYER_CONTACTS, (UUID(int=22),), {**contact, "programme_code": None}),  # general
        Change(EMPLOYER_CONTACTS, (UUID(int=23),), {**contact, **course}),
        Change(JOB_SPELLS, (spell,), {**course, "kind": "ordinary", "start_date": date(2026, 5, 1)}),
        Change(JOB_SPELLS, (spell,), {**course, "end_date": date(2026, 5, 10), "end_reason": "dismissed"}),
        Change(SUPPORT_PHASES, (A, AT, "employed_with_support"), {**course, "previous_phase": "search"}),
        Change(
            CLARIFICATIONS, (B,), {**course, "referral_id": B, "recommendation": "flex_job"}, "result_guard", ("2",)
        ),
        Change(CLARIFICATIONS, (B,), {**course, "referral_id": B, "recommendation": "pension"}, "result_guard", ("1",)),
    )
    async with new_uow() as uow:
        contacts = await uow.reads.employer_contacts("ips", None)
        assert [(c["contact_id"], c["programme_code"]) for c in contacts] == [
            (UUID(int=22), None),
            (UUID(int=23), "IPS-M"),
        ]
        assert [c["contact_id"] for c in await uow.reads.employer_contacts("ips", "IPS-M")] == [UUID(int=23)]
        (s,) = await uow.reads.job_spells("ips", "IPS-M")
        assert (s["start_date"], s["end_date"], s["end_reason"]) == (date(2026, 5, 1), date(2026, 5, 10), "dismissed")
        (p,) = await uow.reads.support_phases("ips", None)
        assert (p["referral_id"], p["changed_at"], p["phase"]) == (A, AT, "employed_with_support")
        # The provider's own job development: the referring organisation reads none of it.
        assert await uow.reads.employer_contacts("jc-1", None) == []
        assert await uow.reads.job_spells("jc-1", None) == []
        assert await uow.reads.support_phases("jc-1", None) == []
        # A clarification's result is the course's, for either party; the latest result wins.
        for org in ("ips", "jc-1"):
            assert [c["recommendation"] for c in await uow.reads.clarifications(org, "IPS-M")] == ["flex_job"]
        assert await uow.reads.clarifications("nobody", None) == []


async def test_handovers_read_back_for_the_jobcentre_and_both_providers(new_uow: Factory) -> None:
    before = {"referral_id": A, "programme_code": "FYS", "referring_org": "jc-1", "provider_org": "rca"}
    values = {
        **before,
        "next_referral_id": B,
        "next_programme_code": "UDV",
        "next_provider_org": "aspa",
        "relation": "overlap",
        "planned_start": date(2026, 6, 29),
        "previous_planned_end": date(2026, 7, 12),
        "referred_at": AT,
    }
    other = {**values, "next_provider_org": "rca", "next_programme_code": "UDV-2"}
    await _apply(new_uow, Change(HANDOVERS, (UUID(int=31),), values), Change(HANDOVERS, (UUID(int=32),), other))
    async with new_uow() as uow:
        for org in ("jc-1", "rca"):
            assert [h["handover_id"] for h in await uow.reads.handovers(org, None)] == [UUID(int=31), UUID(int=32)]
        (into,) = await uow.reads.handovers("aspa", None)
        assert (into["relation"], into["planned_start"], into["referred_at"]) == ("overlap", date(2026, 6, 29), AT)
        # One programme: as the course before's or as the next step's.
        assert [h["handover_id"] for h in await uow.reads.handovers("rca", "UDV-2")] == [UUID(int=32)]
        assert len(await uow.reads.handovers("rca", "FYS")) == 2
        assert await uow.reads.handovers("nobody", None) == []


async def test_proposals_read_back_for_the_proposing_provider_and_the_jobcentre_only(new_uow: Factory) -> None:
    course = {"referral_id": A, "programme_code": "FYS", "referring_org": "jc-1", "provider_org": "rca"}
    step = {**course, "next_programme_code": "UDV", "next_provider_org": "aspa"}
    declined = {**step, "declined_at": AT, "decline_reason": "participant_not_ready"}
    # The decision first, the proposal after, and the decision again: one row, each column set once.
    await _apply(
        new_uow,
        Change(PROPOSALS, (UUID(int=41),), declined, earliest=("declined_at",)),
        Change(PROPOSALS, (UUID(int=41),), {**step, "proposed_at": AT}, earliest=("proposed_at",)),
        Change(PROPOSALS, (UUID(int=41),), declined, earliest=("declined_at",)),
        Change(PROPOSALS, (UUID(int=42),), {**step, "programme_code": "FYS-2", "proposed_at": AT}),
    )
    async with new_uow() as uow:
        for org in ("jc-1", "rca"):
            assert [p["handover_id"] for p in await uow.reads.proposals(org, None)] == [UUID(int=41), UUID(int=42)]
        (first,) = await uow.reads.proposals("rca", "FYS")
        assert (first["proposed_at"], first["declined_at"], first["decline_reason"], first["referred_at"]) == (
            AT,
            AT,
            "participant_not_ready",
            None,
        )
        assert await uow.reads.proposals("aspa", None) == []  # the next provider is no party to a proposal
        assert await uow.reads.proposals("nobody", None) == []

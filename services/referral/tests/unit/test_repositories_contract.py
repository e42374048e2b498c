"""One contract for the referral service's repositories, run against PostgreSQL and the in-memory
twins alike: what a use case may rely on from storage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.participant import IdentityScheme, Participant
from forlob_referral.domain.records import (
    Attainment,
    ClosingNote,
    DevelopmentPlan,
    Goal,
    GoalAttainment,
    SubGoalAttainment,
)
from forlob_referral.domain.referral import State, Waiter
from forlob_referral.domain.seats import HeldSeat, Seat
from forlob_shared.errors import InvalidInput
from forlob_shared.events.common import Outcome
from forlob_shared.http.idempotency import IdempotencyGuard, Replayed
from forlob_testkit.referral import CPR, NOW, PROVIDER_ORG, REFERRING_ORG
from forlob_testkit.referral_rules import CODE, GOALS, programme, referral

MakeUoW = Callable[[], ReferralUoW]
JENS = Participant("Jens Hansen", CPR, IdentityScheme.DK_CPR)


async def _add(make_uow: MakeUoW, *referrals: Any) -> None:
    async with make_uow() as uow:
        for r in referrals:
            await uow.referrals.add(r)
            await uow.personal.add(r.id, JENS, GOALS)
        await uow.commit()


async def test_a_programme_is_read_back_as_saved_and_changed_in_place(make_uow: MakeUoW) -> None:
    async with make_uow() as uow:
        await uow.programmes.save(programme())
        await uow.programmes.save(programme("RCA-A", capacity=3))
        await uow.programmes.save(programme("ELSE", provider_org="aspa-odense"))
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.programmes.get(PROVIDER_ORG, CODE) == programme()
        await uow.programmes.save(programme(capacity=20))
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.programmes.get(PROVIDER_ORG, CODE, lock=True)
        assert found is not None
        assert found.capacity == 20
        assert [p.code for p in await uow.programmes.list(PROVIDER_ORG)] == ["RCA-A", CODE]
        assert await uow.programmes.get("aspa-odense", CODE) is None


async def test_nothing_survives_a_unit_of_work_left_without_commit(make_uow: MakeUoW) -> None:
    r = referral()
    async with make_uow() as uow:
        await uow.programmes.save(programme())
        await uow.referrals.add(r)
    async with make_uow() as uow:
        assert await uow.programmes.get(PROVIDER_ORG, CODE) is None
        assert await uow.referrals.get_visible(r.id, PROVIDER_ORG) is None


async def test_a_referral_is_seen_by_its_two_organisations_only(make_uow: MakeUoW) -> None:
    r = referral()
    await _add(make_uow, r)
    async with make_uow() as uow:
        assert await uow.referrals.get_visible(r.id, REFERRING_ORG) == r
        assert await uow.referrals.get_visible(r.id, PROVIDER_ORG) == r
        assert await uow.referrals.get_visible(r.id, "aspa-odense") is None
        assert await uow.referrals.get_referred_by(r.id, REFERRING_ORG) == r
        assert await uow.referrals.get_referred_by(r.id, PROVIDER_ORG) is None
        assert await uow.referrals.get_provided_by(r.id, PROVIDER_ORG, lock=True) == r
        assert await uow.referrals.get_provided_by(r.id, REFERRING_ORG) is None
        assert await uow.referrals.get_visible(uuid4(), PROVIDER_ORG) is None


async def test_a_change_is_kept_only_when_saved(make_uow: MakeUoW) -> None:
    r = referral()
    await _add(make_uow, r)
    async with make_uow() as uow:
        found = await uow.referrals.get_provided_by(r.id, PROVIDER_ORG)
        assert found is not None
        found.state, found.reason_code = State.REJECTED, "duplicate"
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.referrals.get_provided_by(r.id, PROVIDER_ORG)
        assert found is not None
        assert found.state is State.RECEIVED
        found.state, found.outcome, found.closed_at = State.ENDED, Outcome.ORDINARY_EMPLOYMENT, NOW
        await uow.referrals.save(found)
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.referrals.get_visible(r.id, REFERRING_ORG)
        assert found is not None
        assert (found.state, found.outcome, found.closed_at) == (State.ENDED, Outcome.ORDINARY_EMPLOYMENT, NOW)


async def test_a_programme_s_referrals_come_in_waiting_list_order(make_uow: MakeUoW) -> None:
    first = referral(state=State.WAITLISTED, waitlist_rank=2.0, received_at=NOW)
    second = referral(state=State.WAITLISTED, waitlist_rank=5.0, received_at=NOW - timedelta(days=3))
    moved_ahead = referral(state=State.WAITLISTED, waitlist_rank=1.0, received_at=NOW + timedelta(hours=1))
    holder = referral(state=State.ACCEPTED, received_at=NOW - timedelta(days=9))
    started = referral(state=State.STARTED, received_at=NOW - timedelta(days=20))
    closed = referral(state=State.REJECTED)
    elsewhere = referral("OTHER", state=State.WAITLISTED, waitlist_rank=0.5)
    await _add(make_uow, first, second, moved_ahead, holder, started, closed, elsewhere)
    async with make_uow() as uow:
        assert [r.id for r in await uow.referrals.waiting(PROVIDER_ORG, CODE)] == [moved_ahead.id, first.id, second.id]
        assert [
            r.id for r in await uow.referrals.in_programme(PROVIDER_ORG, CODE, [State.STARTED, State.ACCEPTED])
        ] == [
            started.id,
            holder.id,
        ]
        assert {r.id for r in await uow.referrals.of_programme(PROVIDER_ORG, CODE)} == {
            first.id,
            second.id,
            moved_ahead.id,
            holder.id,
            started.id,
            closed.id,
        }
        assert await uow.referrals.programmes_with_waiting_lists() == [(PROVIDER_ORG, "OTHER"), (PROVIDER_ORG, CODE)]


async def test_the_waiting_list_is_read_as_waiters_and_the_ones_let_in_whole(make_uow: MakeUoW) -> None:
    wished = date(2026, 7, 6)
    first = referral(state=State.WAITLISTED, waitlist_rank=1.5, wished_start=wished, wished_weekly_hours=20.0)
    second = referral(state=State.WAITLISTED, waitlist_rank=2.5, legal_basis="LAB-32-1-2")
    holder = referral(state=State.ACCEPTED)
    elsewhere = referral(provider_org="aspa-odense", state=State.WAITLISTED, waitlist_rank=0.5)
    await _add(make_uow, first, second, holder, elsewhere)
    async with make_uow() as uow:
        waiting = await uow.referrals.waiting(PROVIDER_ORG, CODE)
        assert waiting == [Waiter.of(first), Waiter.of(second)]
        assert all(type(w) is Waiter for w in waiting)
        # Whole, in one read, and only the provider's own.
        found = await uow.referrals.many_provided_by([second.id, first.id, elsewhere.id, uuid4()], PROVIDER_ORG)
        assert sorted(found, key=lambda r: r.id) == sorted([first, second], key=lambda r: r.id)
        assert await uow.referrals.many_provided_by([], PROVIDER_ORG) == []
        # What is read whole is written back whole.
        admitted = next(r for r in found if r.id == first.id)
        admitted.state, admitted.waitlist_rank, admitted.intake_date = State.ACCEPTED, None, wished
        await uow.referrals.save(admitted)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.referrals.get_provided_by(first.id, PROVIDER_ORG) == admitted
        assert await uow.referrals.waiting(PROVIDER_ORG, CODE) == [Waiter.of(second)]


async def test_new_ranks_are_written_together_and_change_the_order(make_uow: MakeUoW) -> None:
    made = [referral(state=State.WAITLISTED, waitlist_rank=float(i), received_at=NOW) for i in range(4)]
    await _add(make_uow, *made)
    async with make_uow() as uow:
        await uow.referrals.rerank([(made[0].id, 10.0), (made[2].id, 0.25), (made[3].id, 0.5)])
        await uow.referrals.rerank([])
        await uow.commit()
    async with make_uow() as uow:
        waiting = await uow.referrals.waiting(PROVIDER_ORG, CODE)
        assert [(w.id, w.waitlist_rank) for w in waiting] == [
            (made[2].id, 0.25),
            (made[3].id, 0.5),
            (made[1].id, 1.0),
            (made[0].id, 10.0),
        ]
    async with make_uow() as uow:
        await uow.referrals.rerank([(made[1].id, 0.0)])
    async with make_uow() as uow:  # not committed: not kept
        assert (await uow.referrals.waiting(PROVIDER_ORG, CODE))[2].waitlist_rank == 1.0


async def test_a_programme_s_seats_are_its_accepted_and_started_referrals_dates_in_id_order(make_uow: MakeUoW) -> None:
    day = date(2026, 6, 1)
    accepted = referral(state=State.ACCEPTED, intake_date=day, planned_end_date=day + timedelta(days=27))
    # A start later than the intake date: the seat runs from the start, not from the intake date.
    started = referral(
        state=State.STARTED,
        intake_date=day,
        start_date=day + timedelta(days=7),
        planned_end_date=day + timedelta(days=300),
    )
    # Closed or waiting referrals keep the dates they had, and hold no seat.
    kept: dict[str, Any] = {"intake_date": day, "start_date": day, "planned_end_date": day + timedelta(days=27)}
    no_seat = [
        referral(state=State.RECEIVED),
        referral(state=State.WAITLISTED, waitlist_rank=1.0),
        referral(state=State.REJECTED, reason_code="duplicate"),
        referral(state=State.WITHDRAWN, **{**kept, "start_date": None}),
        referral(state=State.ENDED, **kept, end_date=day + timedelta(days=20)),
        referral(state=State.ACCEPTED, intake_date=day),  # no planned end: no seat, as Referral.seat says
    ]
    elsewhere = [
        referral("OTHER", state=State.ACCEPTED, intake_date=day, planned_end_date=day + timedelta(days=27)),
        referral(provider_org="aspa-odense", state=State.STARTED, **kept),
    ]
    await _add(make_uow, accepted, started, *no_seat, *elsewhere)
    async with make_uow() as uow:
        found = await uow.referrals.seats(PROVIDER_ORG, CODE)
        assert found == sorted(
            [
                HeldSeat(accepted.id, Seat(day, day + timedelta(days=28))),
                HeldSeat(started.id, Seat(day + timedelta(days=7), day + timedelta(days=301))),
            ],
            key=lambda h: h.referral_id,
        )
        # The same seats as the domain's own rule gives the whole referrals.
        assert [h.seat for h in found] == [r.seat for r in sorted((accepted, started), key=lambda r: r.id)]
        assert await uow.referrals.seats(PROVIDER_ORG, "NOTHING") == []


async def test_the_referrals_an_organisation_sees_newest_first_filtered_and_paged(make_uow: MakeUoW) -> None:
    made = [referral(received_at=NOW + timedelta(minutes=i)) for i in range(5)]
    made[1].state = State.WAITLISTED
    other = referral(referring_org="jobcenter-odense", provider_org="aspa-odense")
    await _add(make_uow, *made, other)
    async with make_uow() as uow:
        seen = await uow.referrals.visible_to(REFERRING_ORG, state=None, programme_code=None, limit=10, offset=0)
        assert [r.id for r in seen] == [r.id for r in reversed(made)]
        page = await uow.referrals.visible_to(PROVIDER_ORG, state=None, programme_code=CODE, limit=2, offset=1)
        assert [r.id for r in page] == [made[3].id, made[2].id]
        waiting = await uow.referrals.visible_to(
            PROVIDER_ORG, state=State.WAITLISTED, programme_code=None, limit=10, offset=0
        )
        assert [r.id for r in waiting] == [made[1].id]
        assert await uow.referrals.visible_to(REFERRING_ORG, state=None, programme_code="X", limit=5, offset=0) == []


async def test_referrals_closed_long_enough_ago_are_due_for_erasure_oldest_first(make_uow: MakeUoW) -> None:
    old_end = referral(state=State.ENDED, closed_at=NOW - timedelta(days=40))
    older_reject = referral(state=State.REJECTED, closed_at=NOW - timedelta(days=50))
    recent = referral(state=State.WITHDRAWN, closed_at=NOW - timedelta(days=1))
    erased = referral(state=State.ENDED, closed_at=NOW - timedelta(days=60), personal_data_erased_at=NOW)
    running = referral(state=State.STARTED)
    await _add(make_uow, old_end, older_reject, recent, erased, running)
    async with make_uow() as uow:
        due = await uow.referrals.due_for_erasure(NOW - timedelta(days=30), 10)
        assert [r.id for r in due] == [older_reject.id, old_end.id]
        assert [r.id for r in await uow.referrals.due_for_erasure(NOW - timedelta(days=30), 1)] == [older_reject.id]


async def test_personal_data_is_kept_apart_changed_and_erased(make_uow: MakeUoW) -> None:
    r = referral()
    await _add(make_uow, r)
    plan = DevelopmentPlan(workshop="Wood workshop", goals=[Goal(text="Stable attendance")])
    note = ClosingNote(
        summary="s",
        resources="r",
        development_possibilities="d",
        goal_attainment=[
            GoalAttainment(
                goal="Stable attendance",
                attainment=Attainment.ACHIEVED,
                sub_goals=[SubGoalAttainment(sub_goal="Four days a week", attainment=Attainment.PARTLY, comment="c")],
            )
        ],
    )
    async with make_uow() as uow:
        personal = await uow.personal.get(r.id)
        assert personal is not None
        assert (personal.participant, personal.goals, personal.plan, personal.closing_note) == (
            JENS,
            list(GOALS),
            None,
            None,
        )
        await uow.personal.set_plan(r.id, plan)
        await uow.personal.set_closing_note(r.id, note)
        await uow.commit()
    async with make_uow() as uow:
        personal = await uow.personal.get(r.id)
        assert personal is not None
        assert (personal.plan, personal.closing_note) == (plan, note)
        await uow.personal.erase([r.id])
        await uow.personal.erase([])
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.personal.get(r.id) is None
        assert await uow.referrals.get_visible(r.id, PROVIDER_ORG) is not None


async def test_a_participant_keeps_the_pseudonym_of_the_first_referral_to_a_provider(make_uow: MakeUoW) -> None:
    first = referral(received_at=NOW - timedelta(days=10))
    later = referral(received_at=NOW)
    elsewhere = referral(provider_org="aspa-odense", received_at=NOW - timedelta(days=30))
    await _add(make_uow, later, first, elsewhere)
    async with make_uow() as uow:
        assert await uow.personal.pseudonym_at(PROVIDER_ORG, JENS) == first.participant_id
        assert await uow.personal.pseudonym_at("aspa-odense", JENS) == elsewhere.participant_id
        someone_else = Participant("Anna", "0101011234", IdentityScheme.DK_CPR)
        assert await uow.personal.pseudonym_at(PROVIDER_ORG, someone_else) is None
        swedish = Participant("Jens Hansen", CPR, IdentityScheme.SE_PERSONNUMMER)
        assert await uow.personal.pseudonym_at(PROVIDER_ORG, swedish) is None


async def test_the_audit_log_keeps_identity_reads_newest_first_and_waiting_list_moves(make_uow: MakeUoW) -> None:
    a, b = referral(state=State.WAITLISTED), referral(state=State.WAITLISTED)
    await _add(make_uow, a, b)
    async with make_uow() as uow:
        await uow.audit.identity_read(a.id, PROVIDER_ORG, "co-3", "start meeting", NOW)
        await uow.audit.identity_read(b.id, PROVIDER_ORG, "co-3", "phone call", NOW + timedelta(minutes=1))
        await uow.audit.identity_read(a.id, REFERRING_ORG, "cw-7", "case file", NOW + timedelta(minutes=2))
        await uow.audit.waitlist_move(b, "co-3", (2, 1), "urgent case", NOW)
        await uow.commit()
    async with make_uow() as uow:
        reads = await uow.audit.identity_reads(PROVIDER_ORG, None, 10)
        assert [(r.referral_id, r.purpose) for r in reads] == [(b.id, "phone call"), (a.id, "start meeting")]
        assert [r.staff_id for r in await uow.audit.identity_reads(PROVIDER_ORG, a.id, 10)] == ["co-3"]
        assert len(await uow.audit.identity_reads(PROVIDER_ORG, None, 1)) == 1
        moves = await uow.audit.waitlist_moves(PROVIDER_ORG, CODE)
        assert [(m.referral_id, m.from_position, m.to_position, m.reason) for m in moves] == [
            (b.id, 2, 1, "urgent case")
        ]
        assert await uow.audit.waitlist_moves(PROVIDER_ORG, "OTHER") == []


def _guard(key: str, body: str = "body") -> IdempotencyGuard:
    return IdempotencyGuard(
        org=PROVIDER_ORG,
        key=key,
        method="POST",
        path="/referrals",
        fingerprint=body,
        status_code=201,
        render=lambda result: {"answer": result},
    )


async def _run_with(make_uow: MakeUoW, guard: IdempotencyGuard, result: str) -> None:
    uow: Any = make_uow()
    uow.guard = guard
    async with uow:
        await uow.commit(result)


async def test_an_idempotency_key_replays_its_response_refuses_another_request_and_is_forgotten(
    make_uow: MakeUoW, clock: Any
) -> None:
    await _run_with(make_uow, _guard("k-1"), "first")
    with pytest.raises(Replayed) as replay:
        await _run_with(make_uow, _guard("k-1"), "again")
    assert (replay.value.stored.status_code, replay.value.stored.body) == (201, {"answer": "first"})
    with pytest.raises(InvalidInput):
        await _run_with(make_uow, _guard("k-1", body="another body"), "other")
    clock.advance(timedelta(days=2))
    await _run_with(make_uow, _guard("k-2"), "second")
    async with make_uow() as uow:
        assert await uow.idempotency.forget_before(NOW + timedelta(days=1)) == 1
        await uow.commit()
    await _run_with(make_uow, _guard("k-1", body="another body"), "a new request")
    with pytest.raises(Replayed):
        await _run_with(make_uow, _guard("k-2"), "again")

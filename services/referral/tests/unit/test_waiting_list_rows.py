"""The waiting list read as waiters: a decision loads whole only the referrals it lets in, writes
the others' new ranks in one statement, and decides and estimates as it did on whole referrals."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from forlob_referral.application.intake import move_on_waiting_list, waiting_list
from forlob_referral.application.referrals import withdraw_referral
from forlob_referral.domain import referral as rules
from forlob_referral.domain.intake import Intake
from forlob_referral.domain.referral import Referral, State, Waiter, WithdrawReason
from forlob_referral.domain.seats import HeldSeat, Seat
from forlob_testkit.in_memory.referral import InMemoryReferrals
from forlob_testkit.referral_rules import CASEWORKER, CODE, COORDINATOR, FIRST_INTAKE, HORIZON, Desk, programme

NOW = datetime(2026, 5, 20, 8, tzinfo=UTC)  # Wednesday; the first intake Monday is 1 June


def _referred(count: int, **fields: Any) -> list[Referral]:
    made = []
    for i in range(count):
        referral, _ = rules.receive(
            programme=programme(**fields), referring_org="jc", caseworker_id="cw", now=NOW + timedelta(minutes=i)
        )
        made.append(referral)
    return made


def _full(capacity: int, waiting: int, **fields: Any) -> tuple[Intake, list[Referral]]:
    """A programme whose ``capacity`` seats are taken, with ``waiting`` referrals in line (all whole)."""
    intake = Intake(programme(capacity=capacity, **fields), [], [], HORIZON)
    made = _referred(capacity + waiting, capacity=capacity, **fields)
    for referral in made:
        intake.decide(referral, NOW)
    assert [r.state for r in made] == [State.ACCEPTED] * capacity + [State.WAITLISTED] * waiting
    return intake, made


def _as_read(intake: Intake, decided: Referral | None) -> Intake:
    """The intake as the service reads it: the referral decided whole, the other holders as seats,
    the waiting list as waiters."""
    holders = [decided] if decided is not None and decided in intake.holders else []
    return Intake(
        intake.programme,
        holders,
        [r if r is decided else Waiter.of(r) for r in intake.waiting],
        intake.horizon,
        held=[HeldSeat(r.id, s) for r in intake.holders if r is not decided and (s := r.seat)],
    )


def test_a_freed_seat_admits_the_first_waiter_and_loads_only_it_whole() -> None:
    whole, (holder, first, second) = _full(capacity=1, waiting=2, default_weeks=4)
    twin = copy.deepcopy(whole)
    holder_twin = twin.holders[0]
    read = _as_read(twin, holder_twin)

    events = read.withdraw(holder_twin, WithdrawReason.ILLNESS, NOW)

    assert [e.data.routing_key for e in events] == [
        "referral.withdrawn.v1",
        "referral.seat_offered.v1",
        "referral.accepted.v1",
    ]
    assert [w.id for w in read.admitted] == [first.id]
    # Its seat counts before the whole referral is there: the next in line waits for the next one.
    assert [h.seat for h in read.held] == [Seat.for_course(FIRST_INTAKE, date(2026, 6, 28))]
    assert [w.id for w in read.waiting] == [second.id]
    assert read.whole == []  # the withdrawn referral is the caller's to save
    assert read.reranked == []  # nobody else's rank changed

    first_whole = copy.deepcopy(first)
    read.admit([first_whole])
    assert read.admitted == []
    assert read.whole == [first_whole]
    assert (
        first_whole.state,
        first_whole.intake_date,
        first_whole.planned_end_date,
        first_whole.from_waiting_list,
        first_whole.decided_at,
        first_whole.waitlist_rank,
    ) == (State.ACCEPTED, FIRST_INTAKE, date(2026, 6, 28), True, NOW, None)
    assert read.seats() == [Seat.for_course(FIRST_INTAKE, date(2026, 6, 28))]  # held once, by the whole one

    # The same as the decision on whole referrals.
    whole_events = whole.withdraw(holder, WithdrawReason.ILLNESS, NOW)
    assert [e.data for e in events] == [e.data for e in whole_events]
    assert first_whole == first


def test_admitting_needs_the_whole_referral_of_each_waiter_let_in() -> None:
    whole, (holder, _, _) = _full(capacity=1, waiting=2)
    read = _as_read(whole, holder)
    read.withdraw(holder, WithdrawReason.MOVED, NOW)
    with pytest.raises(LookupError):
        read.admit([])


def test_estimated_starts_are_the_same_read_as_waiters() -> None:
    # Seats ending at different times, wished starts before and after them: the list wraps round.
    intake, made = _full(capacity=3, waiting=7, default_weeks=6)
    made[4].wished_start = date(2026, 9, 7)
    made[7].wished_start = date(2026, 7, 13)
    read = _as_read(intake, None)
    for now in (NOW, NOW + timedelta(weeks=3), NOW + timedelta(weeks=9)):
        assert [(w.id, p, e) for w, p, e in read.positions(now)] == [(r.id, p, e) for r, p, e in intake.positions(now)]
    assert [e for _, _, e in read.positions(NOW)][:4] == [
        date(2026, 7, 13),
        date(2026, 9, 7),  # wished later: it keeps its place and starts when it wished
        date(2026, 7, 13),
        date(2026, 8, 24),  # the list wraps round onto the first of its own seats to free
    ]


# ---- through the use cases, on the in-memory store ------------------------------------------


class Spy:
    """Records what a decision reads whole and writes, through the store's port."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loaded: list[list[UUID]] = []
        self.saved: list[UUID] = []
        self.reranked: list[list[tuple[UUID, float | None]]] = []
        many, save, rerank = InMemoryReferrals.many_provided_by, InMemoryReferrals.save, InMemoryReferrals.rerank

        async def spy_many(store: InMemoryReferrals, ids: Sequence[UUID], org: str) -> list[Referral]:
            self.loaded.append(list(ids))
            return await many(store, ids, org)

        async def spy_save(store: InMemoryReferrals, *referrals: Referral) -> None:
            self.saved.extend(r.id for r in referrals)
            await save(store, *referrals)

        async def spy_rerank(store: InMemoryReferrals, ranks: Sequence[tuple[UUID, float | None]]) -> None:
            self.reranked.append(list(ranks))
            await rerank(store, ranks)

        monkeypatch.setattr(InMemoryReferrals, "many_provided_by", spy_many)
        monkeypatch.setattr(InMemoryReferrals, "save", spy_save)
        monkeypatch.setattr(InMemoryReferrals, "rerank", spy_rerank)

    def clear(self) -> None:
        self.loaded, self.saved, self.reranked = [], [], []


async def test_a_withdrawal_admits_the_first_in_line_and_saves_only_it_and_the_withdrawn(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await desk.programme(capacity=1)
    holder, first, second, third = [await desk.refer() for _ in range(4)]
    for rid in (holder, first, second, third):
        await desk.accept(rid)
    spy = Spy(monkeypatch)

    await withdraw_referral(desk.uow(), CASEWORKER, holder, WithdrawReason.ILLNESS, HORIZON)

    assert spy.loaded == [[first]]
    assert sorted(spy.saved) == sorted([holder, first])
    assert spy.reranked == []
    admitted = (await desk.get(first)).referral
    assert (admitted.state, admitted.intake_date, admitted.from_waiting_list) == (State.ACCEPTED, FIRST_INTAKE, True)
    listed = await waiting_list(desk.uow(), COORDINATOR, CODE, HORIZON)
    assert [(e.referral.id, e.position, e.estimated_start) for e in listed.entries] == [
        (second, 1, date(2026, 8, 31)),
        (third, 2, date(2026, 11, 30)),
    ]
    assert all(isinstance(e.referral, Waiter) for e in listed.entries)


async def test_a_move_after_a_withdrawal_reranks_the_others_in_one_statement(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await desk.programme(capacity=1)
    holder, first, second, third = [await desk.refer() for _ in range(4)]
    for rid in (holder, first, second, third):
        await desk.accept(rid)
    spy = Spy(monkeypatch)
    await withdraw_referral(desk.uow(), CASEWORKER, second, WithdrawReason.MOVED, HORIZON)
    # Nobody is let in (the seat is still held) and nobody else's rank changes.
    assert (spy.loaded, spy.reranked, spy.saved) == ([], [], [second])
    async with desk.uow() as uow:
        ranks = {
            r.id: r.waitlist_rank for r in await uow.referrals.in_programme(COORDINATOR.org, CODE, [State.WAITLISTED])
        }
    spy.clear()

    moved = await move_on_waiting_list(desk.uow(), COORDINATOR, CODE, third, 1, "risk of losing housing", HORIZON)

    # The moved one is saved whole with the first rank; the one behind it takes the next, by rerank.
    assert spy.saved == [third]
    assert spy.reranked == [[(first, ranks[third])]]
    assert [(e.referral.id, e.position, e.estimated_start) for e in moved.entries] == [
        (third, 1, date(2026, 8, 31)),
        (first, 2, date(2026, 11, 30)),
    ]
    async with desk.uow() as uow:
        stored = await uow.referrals.waiting(COORDINATOR.org, CODE)
    assert [(w.id, w.waitlist_rank) for w in stored] == [(third, ranks[first]), (first, ranks[third])]

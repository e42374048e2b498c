"""The fast tier's unit of work keeps the real one's contract: nothing survives without a commit,
and a commit is where emitted events reach the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forlob_shared.clock import ManualClock
from forlob_shared.events.envelope import PendingEvent
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork


class _Counters(FakeUnitOfWork):
    async def _on_enter(self) -> None:
        self.counts: dict[str, int] = self.store.table("counts")


def _uow(store: FakeStore) -> _Counters:
    return _Counters(store, ManualClock(datetime(2026, 12, 2, 9, tzinfo=UTC)))


def _event() -> PendingEvent:
    return PendingEvent.__new__(PendingEvent)  # its fields do not matter to the unit of work


async def test_a_commit_keeps_writes_and_publishes_what_was_emitted() -> None:
    store = FakeStore()
    event = _event()
    async with _uow(store) as uow:
        uow.counts["a"] = 1
        uow.emit(event)
        assert store.published == []
        await uow.commit()
    assert store.tables["counts"] == {"a": 1}
    assert store.published == [event]
    assert store.commits == 1


async def test_leaving_without_a_commit_puts_everything_back() -> None:
    store = FakeStore()
    async with _uow(store) as uow:
        uow.counts["a"] = 1
        await uow.commit()
    async with _uow(store) as uow:
        uow.counts["a"] = 2
        uow.counts["b"] = 3
        uow.emit(_event())
    assert store.tables["counts"] == {"a": 1}
    assert store.published == []


async def test_an_error_inside_the_block_rolls_back_and_propagates() -> None:
    store = FakeStore()

    async def fail() -> None:
        async with _uow(store) as uow:
            uow.counts["a"] = 1
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail()
    assert store.tables["counts"] == {}


async def test_rollback_keeps_what_an_earlier_commit_in_the_same_block_wrote() -> None:
    store = FakeStore()
    async with _uow(store) as uow:
        uow.counts["a"] = 1
        await uow.commit()
        uow.counts["a"] = 5
        await uow.rollback()
        assert uow.counts == {"a": 1}

"""The erasure register (forlob_shared.erasure): one contract for the SQL register of each service
that keeps one and for the fast tier's twin; the lock that keeps an erasure and an event about
the same participant from missing each other; and the handlers that skip an erased participant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa

from forlob_shared.clock import ManualClock
from forlob_shared.erasure import SqlErasureRegister, skipping_erased, subjects_of
from forlob_shared.events import Envelope, ParticipantErased, PendingEvent, ProgrammeStarted, decode, encode
from forlob_shared.messaging.steps import apply_steps, plan_steps
from forlob_shared.messaging.subscription import Subscription
from forlob_testkit.attendance import programme_started
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork
from forlob_testkit.in_memory.erasure import InMemoryErasureRegister
from forlob_testkit.wait import eventually

NOW = datetime(2031, 12, 1, 9, tzinfo=UTC)
SERVICES = ("attendance", "notifications", "reporting")


def _erasure(**fields: Any) -> ParticipantErased:
    values: dict[str, Any] = {
        "participant_id": uuid4(),
        "provider_org": "rca-aalborg",
        "referral_ids": [uuid4(), uuid4()],
        "erased_at": NOW,
    }
    return ParticipantErased(**{**values, **fields})


def _sql(service: str) -> tuple[Any, Any]:
    if service == "attendance":
        from forlob_attendance.db.uow import AttendanceUnitOfWork
        from forlob_attendance.main import spec as attendance

        return attendance(), AttendanceUnitOfWork
    if service == "notifications":
        from forlob_notifications.db.uow import NotificationsUnitOfWork
        from forlob_notifications.main import spec as notifications

        return notifications(), NotificationsUnitOfWork
    from forlob_reporting.db.uow import ReportingUnitOfWork
    from forlob_reporting.main import spec as reporting

    return reporting(), ReportingUnitOfWork


def _fake(service: str, store: FakeStore, clock: ManualClock) -> Any:
    if service == "attendance":
        from forlob_testkit.in_memory.attendance import FakeAttendanceUnitOfWork

        return FakeAttendanceUnitOfWork(store, clock)
    if service == "notifications":
        from forlob_testkit.in_memory.notifications import FakeNotificationsUnitOfWork

        return FakeNotificationsUnitOfWork(store, clock)
    from forlob_testkit.in_memory.reporting import FakeReportingUnitOfWork

    return FakeReportingUnitOfWork(store, clock)


@pytest.fixture(
    params=[
        *(f"memory/{s}" for s in SERVICES),
        *(pytest.param(f"postgres/{s}", marks=pytest.mark.servers) for s in SERVICES),
    ]
)
async def make_uow(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], Any]]:
    kind, service = request.param.split("/")
    clock = ManualClock(NOW)
    if kind == "memory":
        store = FakeStore()
        yield lambda: _fake(service, store, clock)
        return
    from forlob_testkit.contract import sql_units_of_work

    spec, uow_class = _sql(service)
    async with sql_units_of_work(request, spec, clock, uow_class) as make:
        yield make


async def test_an_erasure_is_remembered_by_participant_and_by_referral(make_uow: Callable[[], Any]) -> None:
    erased, other = _erasure(), uuid4()
    async with make_uow() as uow:
        assert await uow.erasures.erased_among({erased.participant_id}) == set()
        assert await uow.erasures.erased_among(set()) == set()
        await uow.erasures.record(erased)
        await uow.erasures.record(erased)  # announced again: nothing more
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.erasures.erased_among({erased.participant_id, erased.referral_ids[1], other})
        assert found == {erased.participant_id, erased.referral_ids[1]}


async def test_an_erasure_not_committed_is_not_remembered(make_uow: Callable[[], Any]) -> None:
    erased = _erasure(referral_ids=[])
    async with make_uow() as uow:
        await uow.erasures.record(erased)
    async with make_uow() as uow:
        assert await uow.erasures.erased_among({erased.participant_id}) == set()


@pytest.fixture
async def sql_uow(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], Any]]:
    from forlob_testkit.contract import sql_units_of_work

    spec, uow_class = _sql("attendance")
    async with sql_units_of_work(request, spec, ManualClock(NOW), uow_class) as make:
        yield make


async def _waiting_on_the_lock(uow: Any) -> bool:
    waiting = await uow.session.execute(
        sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    )
    return bool(waiting.scalar_one())


@pytest.mark.servers
async def test_a_check_waits_for_an_erasure_in_progress_and_then_sees_it(sql_uow: Callable[[], Any]) -> None:
    erased = _erasure()
    async with sql_uow() as erasing, sql_uow() as watcher:
        await erasing.erasures.record(erased)  # holds the lock until it commits

        async def check() -> set[Any]:
            async with sql_uow() as event:
                found: set[Any] = await event.erasures.erased_among({erased.participant_id})
                return found

        checking = asyncio.create_task(check())
        await eventually(lambda: _waiting_on_the_lock(watcher), what="a transaction waiting on the erasure lock")
        assert not checking.done()
        await erasing.commit()
        assert await asyncio.wait_for(checking, 10) == {erased.participant_id}


@pytest.mark.servers
async def test_an_erasure_waits_for_an_event_that_checked_before_it(sql_uow: Callable[[], Any]) -> None:
    erased = _erasure()
    async with sql_uow() as event, sql_uow() as watcher:
        assert await event.erasures.erased_among({erased.participant_id}) == set()

        async def erase() -> None:
            async with sql_uow() as erasing:
                await erasing.erasures.record(erased)
                await erasing.commit()

        erasing = asyncio.create_task(erase())
        await eventually(lambda: _waiting_on_the_lock(watcher), what="a transaction waiting on the erasure lock")
        assert not erasing.done()  # what the event writes now, the erasure's deletes will see
        await event.commit()
        await asyncio.wait_for(erasing, 10)


def test_the_sql_register_has_the_port_of_the_fake() -> None:
    assert {n for n in dir(InMemoryErasureRegister) if not n.startswith("_")} == {
        n for n in dir(SqlErasureRegister) if not n.startswith("_")
    }


# -- skipping_erased -------------------------------------------------------------------------------


class _Uow(FakeUnitOfWork):
    async def _on_enter(self) -> None:
        self.erasures = InMemoryErasureRegister(self.store)
        self.seen: list[Any] = self.store.table("seen", list)


def _envelope(data: Any, subject: str) -> Envelope[Any]:
    return decode(encode(PendingEvent(data=data, subject=subject), source="forlob/test", sequence=1, time=NOW))


async def test_skipping_erased_leaves_out_events_about_an_erased_participant_and_nothing_else() -> None:
    calls: list[tuple[str, int]] = []

    async def one(envelope: Envelope[Any], uow: _Uow) -> None:
        calls.append(("one", 1))
        uow.seen.append(envelope.data.referral_id)

    async def many(envelopes: Sequence[Envelope[Any]], uow: _Uow) -> None:
        calls.append(("many", len(envelopes)))
        uow.seen.extend(e.data.referral_id for e in envelopes)

    async def erase(envelope: Envelope[Any], uow: _Uow) -> None:
        await uow.erasures.record(envelope.data)

    subscription = skipping_erased(
        Subscription(
            purpose="test",
            handlers={ProgrammeStarted: one, ParticipantErased: erase},
            batches={ProgrammeStarted: many},
        )
    )
    assert subscription.handlers[ParticipantErased] is erase  # announcing again applies again
    erased_start, a, b = programme_started(), programme_started(), programme_started()
    erasure = _erasure(participant_id=erased_start.participant_id, referral_ids=[erased_start.referral_id])
    late_by_referral = programme_started().model_copy(update={"referral_id": erased_start.referral_id})
    envelopes = [
        _envelope(erasure, str(erasure.participant_id)),
        *(_envelope(e, str(e.referral_id)) for e in (a, erased_start, late_by_referral, b)),
    ]
    store = FakeStore()
    async with _Uow(store, ManualClock(NOW)) as uow:
        steps = plan_steps(subscription, envelopes)
        assert [len(s.envelopes) for s in steps] == [1, 4]  # the starts still go together
        await apply_steps(uow, steps, "test")
        assert uow.seen == [a.referral_id, b.referral_id]
        assert calls == [("many", 2)]
        assert subjects_of(late_by_referral) == {late_by_referral.participant_id, erased_start.referral_id}

        calls.clear()
        await apply_steps(uow, plan_steps(subscription, [_envelope(erased_start, "x")]), "test")
        assert calls == []  # alone, by its handler: skipped too


@pytest.mark.servers
async def test_the_lock_is_taken_again_in_the_next_transaction_of_a_unit_of_work(sql_uow: Callable[[], Any]) -> None:
    erased = _erasure()

    async def held(uow: Any) -> int:
        found = await uow.session.execute(
            sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        )
        return int(found.scalar_one())

    async with sql_uow() as uow:
        await uow.erasures.erased_among({erased.participant_id})
        await uow.erasures.erased_among({erased.participant_id})
        assert await held(uow) == 1
        await uow.commit()  # releases it
        await uow.erasures.erased_among({erased.participant_id})
        assert await held(uow) == 1

"""Declarative batching: which function applies which deliveries of a batch (plan_steps), and
applying them in one transaction the consumer owns (apply_steps), with no broker or database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from forlob_shared.clock import ManualClock
from forlob_shared.events import (
    Envelope,
    PendingEvent,
    ReferralAccepted,
    ReferralReceived,
    ReferralWithdrawn,
    decode,
    encode,
)
from forlob_shared.messaging.steps import apply_steps, plan_steps
from forlob_shared.messaging.subscription import Subscription
from forlob_shared.transaction_owner import CommitOwnedByConsumer
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
calls: list[tuple[str, list[str]]] = []


def _envelope(kind: type[Any], referral_id: Any = None) -> Envelope[Any]:
    referral_id = referral_id or uuid4()
    fields: dict[str, Any] = {
        "referral_id": referral_id,
        "participant_id": uuid4(),
        "programme_code": "RCA-UDV-13",
        "referring_org": "jobcenter-aalborg",
        "provider_org": "rca-aalborg",
    }
    if kind is ReferralReceived:
        fields["received_at"] = NOW
    elif kind is ReferralAccepted:
        fields.update(intake_date=NOW.date(), decided_at=NOW)
    else:
        fields.update(previous_state="received", reason_code="moved", withdrawn_at=NOW)
    data = kind.model_validate(fields)
    return decode(encode(PendingEvent(data=data, subject=str(referral_id)), source="forlob/test", sequence=1, time=NOW))


async def one(envelope: Envelope[Any], uow: Any) -> None:
    calls.append(("one", [envelope.type.rsplit(".", 2)[-2]]))


async def together(envelopes: Sequence[Envelope[Any]], uow: Any) -> None:
    calls.append(("together", [e.type.rsplit(".", 2)[-2] for e in envelopes]))


async def other_together(envelopes: Sequence[Envelope[Any]], uow: Any) -> None:
    calls.append(("other", [e.type.rsplit(".", 2)[-2] for e in envelopes]))


HANDLERS = {ReferralReceived: one, ReferralAccepted: one, ReferralWithdrawn: one}


async def _run(subscription: Subscription[Any], envelopes: list[Envelope[Any]]) -> list[tuple[str, list[str]]]:
    calls.clear()
    async with FakeUnitOfWork(FakeStore(), ManualClock(NOW)) as uow:
        await apply_steps(uow, plan_steps(subscription, envelopes), "test.consumer")
    return list(calls)


async def test_consecutive_runs_of_batched_types_go_together_the_rest_one_by_one_in_order() -> None:
    subscription = Subscription("s", HANDLERS, batches={ReferralReceived: together, ReferralAccepted: together})
    envelopes = [_envelope(k) for k in (ReferralReceived, ReferralAccepted, ReferralWithdrawn, ReferralReceived)]
    envelopes += [_envelope(ReferralReceived), _envelope(ReferralAccepted)]
    assert await _run(subscription, envelopes) == [
        ("together", ["received", "accepted"]),
        ("one", ["withdrawn"]),
        ("together", ["received", "received", "accepted"]),
    ]


async def test_a_run_of_one_goes_to_its_handler_and_a_change_of_function_ends_a_run() -> None:
    subscription = Subscription("s", HANDLERS, batches={ReferralReceived: together, ReferralAccepted: other_together})
    envelopes = [_envelope(k) for k in (ReferralReceived, ReferralReceived, ReferralAccepted, ReferralAccepted)]
    envelopes.append(_envelope(ReferralReceived))
    assert await _run(subscription, envelopes) == [
        ("together", ["received", "received"]),
        ("other", ["accepted", "accepted"]),
        ("one", ["received"]),
    ]


async def test_without_batches_every_event_goes_to_its_handler() -> None:
    envelopes = [_envelope(ReferralReceived) for _ in range(3)]
    assert await _run(Subscription("s", HANDLERS), envelopes) == [("one", ["received"])] * 3


def test_a_batched_type_needs_a_handler_for_when_a_batch_is_taken_apart() -> None:
    with pytest.raises(ValueError, match=r"referral\.withdrawn\.v1"):
        Subscription("s", {ReferralReceived: one}, batches={ReferralWithdrawn: together})


async def test_a_handler_that_commits_fails_and_each_step_is_staged_for_one_commit() -> None:
    store = FakeStore()

    async def emits(envelope: Envelope[Any], uow: FakeUnitOfWork) -> None:
        uow.emit(PendingEvent(data=envelope.data, subject=envelope.subject))

    async def commits(envelope: Envelope[Any], uow: FakeUnitOfWork) -> None:
        await uow.commit()

    subscription = Subscription[FakeUnitOfWork]("s", {ReferralReceived: emits, ReferralWithdrawn: commits})
    async with FakeUnitOfWork(store, ManualClock(NOW)) as uow:
        await apply_steps(
            uow, plan_steps(subscription, [_envelope(ReferralReceived), _envelope(ReferralReceived)]), "c"
        )
        assert uow.pending_events == ()
        assert store.published == []
        with pytest.raises(CommitOwnedByConsumer, match="consumer c owns this transaction"):
            await apply_steps(uow, plan_steps(subscription, [_envelope(ReferralWithdrawn)]), "c")
        await uow.commit()  # the owner's commit, outside the handler
    assert len(store.published) == 2
    assert store.commits == 1

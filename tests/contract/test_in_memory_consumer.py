"""The test kit's broker-free consumer has the real consumer's semantics: CloudEvents envelopes
with a rising sequence per subject, the inbox, one transaction per delivery owned by the consumer,
a broken rule dead-lettered with its reason and nothing of it kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from cloudevents.v1.http import from_json

from forlob_shared.clock import ManualClock
from forlob_shared.errors import DomainError
from forlob_shared.events import (
    AbsenceDetected,
    Envelope,
    PendingEvent,
    ReferralReceived,
    ReferralWithdrawn,
    encode,
)
from forlob_shared.messaging.subscription import Subscription
from forlob_shared.transaction_owner import CommitOwnedByConsumer
from forlob_testkit.fakes import FakeStore, FakeUnitOfWork
from forlob_testkit.in_memory.consumer import InMemoryConsumer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Withdrawn(DomainError):
    code = "already-withdrawn"


class _Referrals(FakeUnitOfWork):
    async def _on_enter(self) -> None:
        self.received: dict[UUID, str] = self.store.table("received")


async def received(envelope: Envelope[Any], uow: _Referrals) -> None:
    uow.received[envelope.data.referral_id] = envelope.subject
    uow.emit(PendingEvent(data=envelope.data, subject=envelope.subject))  # something to publish


async def withdrawn(envelope: Envelope[Any], uow: _Referrals) -> None:
    uow.received.pop(envelope.data.referral_id, None)  # undone below: the rule breaks after it
    raise Withdrawn(f"referral {envelope.data.referral_id} was withdrawn before")


async def absence_committing(envelope: Envelope[Any], uow: _Referrals) -> None:
    uow.received[envelope.data.absence_id] = "absence"
    await uow.commit()  # the mistake the consumer refuses


def _referral(referral_id: UUID) -> ReferralReceived:
    return ReferralReceived(
        referral_id=referral_id,
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        received_at=NOW,
    )


def _withdrawal(referral_id: UUID) -> ReferralWithdrawn:
    return ReferralWithdrawn(
        referral_id=referral_id,
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        previous_state="received",
        reason_code="moved",
        withdrawn_at=NOW,
    )


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def consumer(store: FakeStore) -> InMemoryConsumer[_Referrals]:
    subscription = Subscription[_Referrals](
        "directory",
        {ReferralReceived: received, ReferralWithdrawn: withdrawn, AbsenceDetected: absence_committing},
    )
    others = Subscription[_Referrals]("partners", {ReferralReceived: received})
    return InMemoryConsumer([subscription, others], lambda: _Referrals(store, ManualClock(NOW)), service="svc")


async def test_envelopes_are_cloudevents_with_a_rising_sequence_per_subject(consumer: InMemoryConsumer[Any]) -> None:
    first, second = uuid4(), uuid4()
    envelopes = [consumer.envelope(_referral(r)) for r in (first, first, second, first)]
    assert [e.sequence for e in envelopes] == [1, 2, 1, 3]
    assert [e.subject for e in envelopes] == [str(first), str(first), str(second), str(first)]
    pending = PendingEvent(data=envelopes[0].data, subject=envelopes[0].subject, id=envelopes[0].id)
    event = from_json(encode(pending, source="forlob/test", sequence=1, time=NOW))
    assert event["type"] == envelopes[0].type == "dk.forlob.referral.received.v1"
    assert envelopes[0].partitionkey == str(first)


async def test_each_subscription_that_takes_the_type_gets_it_once_in_one_transaction(
    consumer: InMemoryConsumer[Any], store: FakeStore
) -> None:
    envelope = consumer.envelope(_referral(uuid4()))
    assert await consumer.deliver(envelope) == {"directory": "processed", "partners": "processed"}
    assert store.commits == 2  # one transaction per delivery, each subscription its own
    assert await consumer.deliver(envelope) == {"directory": "duplicate", "partners": "duplicate"}
    assert store.commits == 2
    assert len(store.published) == 2  # the events each handler emitted, on its commit
    assert store.tables["received"] == {envelope.data.referral_id: envelope.subject}


async def test_a_broken_rule_is_dead_lettered_with_its_reason_and_nothing_of_it_kept(
    consumer: InMemoryConsumer[Any], store: FakeStore
) -> None:
    referral_id = uuid4()
    await consumer.publish(_referral(referral_id))
    envelope = consumer.envelope(_withdrawal(referral_id))
    assert await consumer.deliver(envelope) == {"directory": "dead-lettered"}
    [letter] = consumer.dead_letters
    assert (letter.consumer, letter.reason, letter.envelope) == (
        "svc.directory",
        "rule-violated:already-withdrawn",
        envelope,
    )
    assert referral_id in store.tables["received"]  # the handler's change rolled back
    assert ("svc.directory", envelope.id) not in store.tables["inbox"]  # no inbox row for it either


async def test_a_handler_that_commits_fails_loudly(consumer: InMemoryConsumer[Any], store: FakeStore) -> None:
    absence = AbsenceDetected(
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        absence_id=uuid4(),
        day=NOW.date(),
        expected_at=NOW,
        detected_at=NOW,
    )
    envelope = consumer.envelope(absence, subject=str(absence.absence_id))
    assert envelope.lane_key == str(absence.referral_id)  # an absence keeps its course's order
    with pytest.raises(CommitOwnedByConsumer):
        await consumer.deliver(envelope)
    assert store.commits == 0
    assert absence.absence_id not in store.tables.get("received", {})


async def test_an_unreadable_body_is_dead_lettered_as_invalid(consumer: InMemoryConsumer[Any]) -> None:
    outcomes = await consumer.deliver_body(json.dumps({"specversion": "1.0"}).encode())
    assert set(outcomes.values()) == {"dead-lettered"}
    assert consumer.dead_letters[0].reason == "invalid-message"

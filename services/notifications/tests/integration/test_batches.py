"""A consumer's batch of directory events (referrals, accepts, starts of many courses): written
together with a statement or two, with the same directory, the same webhook deliveries and the
same late-assigned alerts as one at a time; events of other kinds between them keep their turn."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from uuid import uuid4

from forlob_shared.events import EventData, PendingEvent, ReferralAccepted, ReferralReceived
from forlob_testkit.messaging import HandedDelivery


def _handed(data: EventData, subject: Any) -> HandedDelivery:
    return HandedDelivery.of(PendingEvent(data=data, subject=str(subject)))


def _received(world: Any, course: Any, legal_basis: str | None = "LAB-32-1-2") -> ReferralReceived:
    return ReferralReceived(
        **world.of_course(course),
        received_at=world.clock.now(),
        legal_basis=legal_basis,
    )


def _accepted(world: Any, course: Any) -> ReferralAccepted:
    return ReferralAccepted(
        **world.of_course(course),
        intake_date=world.clock.now().date(),
        decided_at=world.clock.now(),
    )


async def test_directory_events_in_a_batch_are_written_together_and_keep_each_courses_order(world: Any) -> None:
    [consumer] = [c for c in world.service.runtime.consumers if c.subscription.purpose == "alerts"]
    waiting = SimpleNamespace(referral_id=uuid4(), participant_id=uuid4())
    absence = world.absence(waiting)  # overtakes its course's start: raised unassigned
    assert await consumer.process_batch([_handed(absence, absence.absence_id)]) == ["processed"]

    courses = [SimpleNamespace(referral_id=uuid4(), participant_id=uuid4()) for _ in range(3)]
    late = world.absence(courses[1])  # between the starts: needs courses[1]'s start before it
    batch = [
        _handed(_received(world, waiting), waiting.referral_id),
        _handed(_accepted(world, waiting), waiting.referral_id),
        _handed(world.programme_started(waiting), waiting.referral_id),
        _handed(_received(world, courses[0], legal_basis=None), courses[0].referral_id),
        _handed(world.programme_started(courses[0], legal_basis="LAB-32-1-3"), courses[0].referral_id),
        _handed(_received(world, courses[0], legal_basis="LAB-32-1-4"), courses[0].referral_id),  # again, later
        _handed(_received(world, courses[1]), courses[1].referral_id),
        _handed(world.programme_started(courses[1]), courses[1].referral_id),
        _handed(late, late.absence_id),
        _handed(_received(world, courses[2]), courses[2].referral_id),
    ]
    assert await consumer.process_batch(batch) == ["processed"] * len(batch)
    ids = [d.event_id for d in batch]
    together = "SELECT count(DISTINCT xmin::text) FROM inbox WHERE event_id::text = ANY(CAST(:ids AS text[]))"
    assert await world.scalar(together, ids=ids) == 1  # one transaction: not taken apart

    rows = {
        r["referral_id"]: r
        for r in await world.rows("SELECT referral_id, contact_person_id, legal_basis, state FROM assignments")
    }
    assert rows[waiting.referral_id]["state"] == "started"
    assert rows[courses[0].referral_id]["legal_basis"] == "LAB-32-1-4"  # the later referral's, in order
    assert rows[courses[2].referral_id]["state"] == "referred"
    # The alert that waited went to the contact person the start named; the absence that came
    # after its course's start in the batch found the contact person at once.
    recipients = await world.rows(
        "SELECT cause_key, recipient_staff_id FROM alerts WHERE cause_key IN (:a, :b)",
        a=f"absence:{absence.absence_id}",
        b=f"absence:{late.absence_id}",
    )
    assert {r["recipient_staff_id"] for r in recipients} == {"kp-1"}
    assert len(recipients) == 2

"""Notifications' declared batch (the directory's events): a run applied at once by the batch
function keeps the same directory, hands the same waiting alerts over with the same e-mails and
forwards the same events in the same order as the subscription's handlers applying the run one by
one, over the in-memory unit of work. The run repeats a course's referral and follows a start by
its referral, where the batch function must cut it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from forlob_notifications.application import partner_events
from forlob_notifications.channels.listener import ChangeListener
from forlob_notifications.handlers.events import subscriptions, writable_groups
from forlob_notifications.wiring import Wiring
from forlob_shared.clock import ManualClock
from forlob_shared.events import (
    EventData,
    PendingEvent,
    ProgrammeRescheduled,
    ReferralAccepted,
    ReferralReceived,
    SeatOffered,
    decode,
    encode,
)
from forlob_shared.events.envelope import Envelope
from forlob_shared.messaging.steps import apply_steps, plan_steps
from forlob_shared.messaging.subscription import Subscription
from forlob_testkit.in_memory.notifications_world import MONDAY_9, OPTIONS, Course, Notifications


def _envelope(data: EventData, sequence: int) -> Envelope[Any]:
    pending = PendingEvent(data=data, subject=str(getattr(data, "referral_id", "")))
    return decode(encode(pending, source="forlob/referral", sequence=sequence, time=MONDAY_9))


def _run(world: Notifications, courses: list[Course]) -> list[EventData]:
    """Directory events of three courses, as a backlog delivers them."""
    a, b, c = courses
    on_monday = date(2026, 11, 23)

    def received(course: Course) -> ReferralReceived:
        return ReferralReceived(**world.of_course(course), legal_basis="LAB-68a", received_at=MONDAY_9)

    return [
        received(a),
        ReferralAccepted(**world.of_course(a), intake_date=on_monday, decided_at=MONDAY_9),
        world.programme_started(a, legal_basis=None),
        received(b),
        received(b),  # delivered twice: the second begins another group
        SeatOffered(**world.of_course(c), intake_date=on_monday, offered_at=MONDAY_9),
        world.programme_started(b, contact_person_id="kp-2"),
        received(a),  # after its start: the start's contact person and state stay
        ProgrammeRescheduled(
            **world.of_course(a),
            previous_end_date=date(2027, 2, 22),
            planned_end_date=date(2027, 3, 1),
            change="extended",
            changed_at=MONDAY_9,
        ),
        world.programme_started(c, contact_person_id="kp-3"),
    ]


async def _state(world: Notifications, forwarded: list[str]) -> dict[str, Any]:
    alerts = sorted(world.store.table("notifications.alerts").values(), key=lambda alert: alert.cause_key)
    causes = {str(alert.id): alert.cause_key for alert in alerts}
    deliveries = [sorted((d.channel.value, d.recipient) for d in await world.deliveries_of(alert)) for alert in alerts]
    return {
        "assignments": sorted(
            (dataclasses.asdict(a) for a in world.store.table("notifications.assignments").values()),
            key=lambda row: str(row["referral_id"]),
        ),
        "alerts": [(alert.cause_key, alert.recipient_staff_id, alert.kind) for alert in alerts],
        "deliveries": deliveries,
        "forwarded": forwarded,
        # alert ids are drawn afresh in each world: named by their cause instead
        "inbox_notices": [{**notice, "alert_id": causes[notice["alert_id"]]} for notice in world.inbox_notices],
    }


async def _applied(
    subscription: Subscription[Any], courses: list[Course], batched: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, Any]:
    """A world with unassigned alerts waiting for three courses, the run applied in one
    transaction as the consumer applies a batch; how many calls it took and what it left."""
    world = Notifications(ManualClock(MONDAY_9 + timedelta(minutes=30)))
    forwarded: list[str] = []

    async def forward(uow: Any, options: Any, envelope: Envelope[Any]) -> int:
        forwarded.append(f"{envelope.type}:{envelope.data.referral_id}")
        return 1

    async def forward_many(uow: Any, options: Any, envelopes: Sequence[Envelope[Any]]) -> int:
        return sum([await forward(uow, options, envelope) for envelope in envelopes])

    # The partner feed is notifications' SQL-only side table, whose rules have tests of their own.
    monkeypatch.setattr(partner_events, "forward_to_referring_org", forward)
    monkeypatch.setattr(partner_events, "forward_many", forward_many)
    await world.staff_the_provider()
    await world.put_staff("kp-2", team_leader_id="tl-1")
    await world.put_staff("kp-3", team_leader_id="tl-1")
    for n, course in enumerate(courses):
        absence = world.absence(course, absence_id=UUID(int=n + 1))
        assert await world.detect(absence, event_id=UUID(int=n + 100)) is not None
    run = [_envelope(data, n) for n, data in enumerate(_run(world, courses), 1)]
    if not batched:
        subscription = dataclasses.replace(subscription, batches={})
    steps = plan_steps(subscription, run)
    async with world.uow() as uow:
        await apply_steps(uow, steps, "notifications.alerts")
        await uow.commit()
    return len(steps), await _state(world, forwarded)


@pytest.fixture
def declared() -> Subscription[Any]:
    [subscription] = subscriptions(Wiring(OPTIONS, ChangeListener("postgresql://unused")))
    return subscription


async def test_the_batch_function_does_what_the_handlers_do_one_by_one(
    declared: Subscription[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    courses = [Course() for _ in range(3)]
    calls, batched = await _applied(declared, courses, True, monkeypatch)
    assert calls == 1  # the whole run is the directory's: one call
    one_by_one_calls, one_by_one = await _applied(declared, courses, False, monkeypatch)
    assert one_by_one_calls == 10
    assert one_by_one == batched
    assignments = {row["contact_person_id"] for row in batched["assignments"]}
    assert assignments == {"kp-1", "kp-2", "kp-3"}
    assert sorted(recipient for _, recipient, _ in batched["alerts"]) == ["kp-1", "kp-2", "kp-3"]
    by_course = {row["referral_id"]: row for row in batched["assignments"]}
    # a's start named no legal basis: its referral's, whether the referral came before or after
    assert (by_course[courses[0].referral_id]["legal_basis"], by_course[courses[0].referral_id]["state"]) == (
        "LAB-68a",
        "started",
    )


def test_a_run_is_cut_where_a_course_would_be_written_twice() -> None:
    world = Notifications(ManualClock(MONDAY_9))
    run = [_envelope(data, n) for n, data in enumerate(_run(world, [Course(), Course(), Course()]), 1)]
    groups = writable_groups(run)
    # cut at b's second referral; a's referral after its start is in the next group, not the start's
    assert [len(group) for group in groups] == [4, 6]
    assert [e for group in groups for e in group] == run

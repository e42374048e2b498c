"""Attendance's declared batch (``batches={ProgrammeStarted: ...}``): a run of course starts applied
at once by the batch function plans the same courses, schedules and slots as the subscription's
handlers applying the same events one by one; the end between them keeps its turn either way."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.events import Envelope, Outcome, PendingEvent, ProgrammeEnded, decode, encode
from forlob_shared.messaging.steps import apply_steps, plan_steps
from forlob_shared.messaging.subscription import Subscription
from forlob_testkit.attendance import MONDAY, Attendance, local, programme_started

TABLES = ("slots", "schedule_versions", "courses")


def _envelope(data: Any) -> Envelope[Any]:
    pending = PendingEvent(data=data, subject=str(data.referral_id))
    return decode(encode(pending, source="forlob/referral", sequence=1, time=local(MONDAY, 5)))


async def _apply(attendance: Attendance, subscription: Subscription[AttendanceUnitOfWork], events: list[Any]) -> int:
    """The events in one transaction as the consumer applies a batch; returns how many calls it took."""
    steps = plan_steps(subscription, [_envelope(e) for e in events])
    async with attendance.uow() as uow:
        await apply_steps(uow, steps, "attendance.programme")
        await uow.commit()
    return len(steps)


async def _planned(attendance: Attendance) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "courses": [
            tuple(r.values())
            for r in await attendance.rows(
                "SELECT referral_id, start_date, end_date, ended, materialised_through FROM courses ORDER BY 1"
            )
        ],
        "slots": [
            tuple(r.values())
            for r in await attendance.rows(
                "SELECT referral_id, day, window_start, expected_start, due_at, state FROM slots ORDER BY 1, 2, 3"
            )
        ],
        "schedules": [
            tuple(r.values())
            for r in await attendance.rows("SELECT referral_id, effective_from FROM schedule_versions ORDER BY 1, 2")
        ],
    }


async def test_the_batch_function_plans_what_the_handlers_plan_one_by_one(attendance: Attendance) -> None:
    attendance.at(local(MONDAY, 5))
    starts = [programme_started() for _ in range(4)]
    ended = ProgrammeEnded(
        referral_id=starts[1].referral_id,
        participant_id=starts[1].participant_id,
        programme_code=starts[1].programme_code,
        referring_org=starts[1].referring_org,
        provider_org=starts[1].provider_org,
        start_date=MONDAY,
        end_date=MONDAY,
        outcome=Outcome.ORDINARY_EMPLOYMENT,
        ended_at=local(MONDAY, 5),
    )
    events = [starts[0], starts[1], starts[2], ended, starts[3]]
    [consumer] = [c for c in attendance.service.runtime.consumers if c.subscription.purpose == "programme"]
    declared = consumer.subscription
    assert await _apply(attendance, declared, events) == 3  # three starts at once, the end, the last start
    batched = await _planned(attendance)

    async with attendance.service.runtime.engine.begin() as connection:
        for table in TABLES:
            await connection.execute(sa.text(f"DELETE FROM {table}"))
    one_by_one = dataclasses.replace(declared, batches={})
    assert await _apply(attendance, one_by_one, events) == len(events)
    assert await _planned(attendance) == batched
    assert len(batched["courses"]) == 4
    assert batched["slots"]  # the starts planned arrivals (the ended course's only on its first day)

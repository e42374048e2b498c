"""A consumer's batch of programme.* events: course starts in a row go in together, with the
same courses and slots as one at a time; a start that breaks a rule sends the batch back to one
delivery per transaction, so that only it is dead-lettered."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forlob_attendance.application.courses import CoursePolicy, start_course
from forlob_shared.events import Outcome, PendingEvent, ProgrammeEnded
from forlob_testkit.attendance import MONDAY, Attendance, local, programme_started
from forlob_testkit.messaging import HandedDelivery


def _handed(event: Any) -> HandedDelivery:
    pending = PendingEvent(data=event, subject=str(event.referral_id), referring_org=event.referring_org)
    return HandedDelivery.of(pending)


async def _slots(attendance: Attendance) -> list[tuple[Any, ...]]:
    rows = await attendance.rows(
        "SELECT c.participant_id, s.day, s.window_start, s.expected_start, s.due_at, s.state"
        " FROM slots s JOIN courses c USING (referral_id) ORDER BY 1, 2, 3"
    )
    return [tuple(row.values()) for row in rows]


async def test_starts_in_a_batch_plan_what_starts_one_at_a_time_plan(attendance: Attendance) -> None:
    attendance.at(local(MONDAY, 5))
    starts = [programme_started() for _ in range(3)]
    ended = ProgrammeEnded(
        referral_id=starts[0].referral_id,
        participant_id=starts[0].participant_id,
        programme_code=starts[0].programme_code,
        referring_org=starts[0].referring_org,
        provider_org=starts[0].provider_org,
        start_date=MONDAY,
        end_date=MONDAY,
        outcome=Outcome.ORDINARY_EMPLOYMENT,
        ended_at=local(MONDAY, 5),
    )
    [consumer] = [c for c in attendance.service.runtime.consumers if c.subscription.purpose == "programme"]
    batch = [_handed(starts[0]), _handed(starts[1]), _handed(ended), _handed(starts[2])]
    assert await consumer.process_batch(batch) == ["processed"] * 4
    assert await attendance.scalar("SELECT count(DISTINCT xmin::text) FROM inbox") == 1  # one transaction
    batched = await _slots(attendance)

    # The same starts, one at a time, into an emptied database, give the same slots.
    async with attendance.service.runtime.engine.begin() as connection:
        for table in ("inbox", "slots", "schedule_versions", "courses"):
            await connection.execute(sa.text(f"DELETE FROM {table}"))
    for event in starts:
        await attendance.apply(start_course, event, CoursePolicy())
    await consumer.process_batch([_handed(ended)])
    assert await _slots(attendance) == batched
    ended_days = {day for participant, day, *_ in batched if participant == starts[0].participant_id}
    assert ended_days == {MONDAY}  # ended on its first day: nothing planned after it
    assert {participant for participant, *_ in batched} == {e.participant_id for e in starts}


async def test_a_course_started_twice_in_a_batch_dead_letters_the_second_start_only(attendance: Attendance) -> None:
    attendance.at(local(MONDAY, 5))
    first, other = programme_started(), programme_started()
    again = first.model_copy(update={"started_at": local(MONDAY, 4)})  # another event, the same course
    [consumer] = [c for c in attendance.service.runtime.consumers if c.subscription.purpose == "programme"]
    outcomes = await consumer.process_batch([_handed(first), _handed(again), _handed(other)])
    assert outcomes == ["processed", "dead-lettered", "processed"]
    assert await attendance.scalar("SELECT count(*) FROM courses") == 2

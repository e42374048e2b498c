"""The sweep with several replicas, the breach rules after it, and what the outbox holds."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from cloudevents.v1.http import from_json

from forlob_attendance.db.sweep import _MARK_MISSED
from forlob_shared.events import AttendanceRules
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.attendance import MONDAY, Attendance, auth, local

FRIDAY = MONDAY + timedelta(days=4)


async def _sweep_until_idle(attendance: Attendance, batch: int) -> int:
    total = 0
    while (n := await attendance.sweep(batch)) > 0:
        total += n
    return total


async def test_racing_sweeps_give_exactly_one_event_per_missed_arrival(attendance: Attendance) -> None:
    for _ in range(40):
        await attendance.start()
    attendance.at(local(FRIDAY, 15))
    counts = await asyncio.gather(*(_sweep_until_idle(attendance, batch=3) for _ in range(12)))
    assert sum(counts) == 40 * 5
    detected = await attendance.events("absence.detected.v1")
    assert len(detected) == 200
    assert len({e.data.absence_id for e in detected}) == 200
    assert len({(e.data.referral_id, e.data.day) for e in detected}) == 200
    absent = await attendance.scalar("SELECT count(*) FROM slots WHERE state = 'absent'")
    assert absent == 200
    assert {e.sequence for e in detected} == {1}


async def test_a_sweep_skips_slots_another_replica_holds(attendance: Attendance) -> None:
    for _ in range(4):
        await attendance.start()
    attendance.at(local(MONDAY, 9))
    url = plain_postgres_url(attendance.service.settings.database_url)
    other = await asyncpg.connect(url)
    try:
        transaction = other.transaction()
        await transaction.start()
        held = await other.fetch("SELECT id FROM slots WHERE day = $1 ORDER BY id LIMIT 2 FOR UPDATE", MONDAY)
        assert len(held) == 2
        assert await asyncio.wait_for(attendance.sweep(), timeout=10) == 2  # not blocked by the held ones
        await transaction.rollback()
    finally:
        await other.close()
    assert await attendance.sweep() == 2
    detected = await attendance.events("absence.detected.v1")
    assert len({e.data.absence_id for e in detected}) == 4


async def test_a_check_in_racing_the_sweep_gives_a_consistent_story(attendance: Attendance) -> None:
    courses = [await attendance.start() for _ in range(20)]
    attendance.at(local(MONDAY, 8, 20))
    staff = auth()

    async def arrive(participant: Any) -> int:
        response = await attendance.client.post(f"/participants/{participant}/check-in", headers=staff)
        return response.status_code

    results = await asyncio.gather(
        attendance.sweep(3), *(arrive(c.participant_id) for c in courses), attendance.sweep(5)
    )
    assert set(results[1:-1]) == {200}
    await _sweep_until_idle(attendance, 50)
    detected = {e.data.absence_id for e in await attendance.events("absence.detected.v1")}
    resolved = {e.data.absence_id for e in await attendance.events("absence.resolved.v1")}
    assert resolved == detected  # every detection the check-ins overtook was resolved, none twice
    assert await attendance.scalar("SELECT count(*) FROM slots WHERE day = :d AND state = 'present'", d=MONDAY) == 20


async def test_bulk_written_events_read_with_the_cloudevents_sdk(attendance: Attendance) -> None:
    course = await attendance.start()
    attendance.at(local(MONDAY, 9))
    await attendance.sweep()
    [row] = await attendance.rows("SELECT headers, body, aggregate_id, aggregate_sequence FROM outbox")
    event = from_json(bytes(row["body"]))
    assert event["type"] == "dk.forlob.absence.detected.v1"
    assert event["source"] == "forlob/attendance"
    assert event["sequence"] == 1
    assert event["providerorg"] == "rca-aalborg"
    assert event.data["referral_id"] == str(course.referral_id)
    assert event["subject"] == row["aggregate_id"] == event.data["absence_id"]
    assert row["headers"] == {
        "type": "dk.forlob.absence.detected.v1",
        "subject": row["aggregate_id"],
        "partitionkey": str(course.referral_id),  # the course: consumers keep it behind its start
        "content-type": "application/cloudevents+json",
        "referringorg": "jobcenter-aalborg",
        "providerorg": "rca-aalborg",
    }
    assert event["partitionkey"] == str(course.referral_id)
    assert "name" not in json.dumps(event.data)


async def test_two_unexcused_days_in_a_row_breach_the_agreement_once(attendance: Attendance) -> None:
    rules = AttendanceRules(breach_unexcused_absences=99, breach_consecutive_days=2)
    course = await attendance.start(rules=rules)
    attendance.at(local(MONDAY, 9))
    await attendance.sweep()
    assert await attendance.check_breaches() == 0
    attendance.at(local(MONDAY + timedelta(days=1), 9))
    await attendance.sweep()
    assert await attendance.check_breaches() == 1
    assert await attendance.check_breaches() == 0
    [breach] = await attendance.events("attendance.agreement_breached.v1")
    assert breach.data.rule == "consecutive_days"
    assert (breach.data.window_first_day, breach.data.window_last_day) == (MONDAY, MONDAY + timedelta(days=1))
    detected = {e.data.absence_id for e in await attendance.events("absence.detected.v1")}
    assert set(breach.data.absence_ids) == detected
    assert breach.subject == str(course.referral_id)
    assert breach.referringorg == "jobcenter-aalborg"  # the jobcentre must hear about it
    attendance.at(local(MONDAY + timedelta(days=2), 9))
    await attendance.sweep()
    assert await attendance.check_breaches() == 0  # the third day alone starts a new run
    attendance.at(local(MONDAY + timedelta(days=3), 9))
    await attendance.sweep()
    assert await attendance.check_breaches() == 1


async def test_three_unexcused_absences_within_ten_working_days(attendance: Attendance) -> None:
    rules = AttendanceRules(breach_unexcused_absences=3, breach_window_working_days=10, breach_consecutive_days=99)
    course = await attendance.start(rules=rules)
    staff = auth()
    # Absent on the 1st and 5th working day, present otherwise; the 3rd absence decides.
    days = [MONDAY + timedelta(days=n) for n in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14)]
    absent_on = {days[0], days[4], days[10]}  # days[10] is the 11th working day: outside the window
    for day in days:
        attendance.at(local(day, 8))
        await attendance.materialise()
        if day not in absent_on:
            response = await attendance.client.post(f"/participants/{course.participant_id}/check-in", headers=staff)
            assert response.status_code == 200, response.text
        attendance.at(local(day, 9))
        await attendance.sweep()
        assert await attendance.check_breaches() == 0, day
    # Missing the 12th working day too: with the 5th and the 11th, three within the 10 ending on it.
    attendance.at(local(MONDAY + timedelta(days=15), 9))
    await attendance.materialise()
    assert await attendance.sweep() == 1
    assert await attendance.check_breaches() == 1
    [breach] = await attendance.events("attendance.agreement_breached.v1")
    assert breach.data.rule == "unexcused_in_window"
    assert breach.data.unexcused_absences == 3
    assert breach.data.window_last_day == MONDAY + timedelta(days=15)


async def test_the_running_service_sweeps_by_itself_and_the_relay_publishes(
    make_database: Any, run_service: Any, collector: Any
) -> None:
    from forlob_attendance.main import spec
    from forlob_shared.clock import ManualClock
    from forlob_testkit.wait import eventually

    clock = ManualClock(local(MONDAY, 5))
    database = await make_database(spec())
    async with run_service(spec(), database, clock=clock, sweep_interval=0.05) as service:
        attendance = Attendance(service, clock)
        course = await attendance.start()
        clock.set(local(MONDAY, 8, 16))

        async def published() -> Any:
            return [m for m in collector.messages if m.routing_key == "absence.detected.v1"]

        [message] = await eventually(published, what="absence.detected.v1 on the broker")
        body = json.loads(message.body)
        assert body["data"]["participant_id"] == str(course.participant_id)
        assert message.headers["providerorg"] == "rca-aalborg"


async def test_a_sweep_during_a_breach_check_queues_the_course_again(attendance: Attendance) -> None:
    from forlob_testkit.wait import eventually

    await attendance.start()
    attendance.at(local(MONDAY, 9))
    assert await attendance.sweep() == 1
    checker = await asyncpg.connect(plain_postgres_url(attendance.service.settings.database_url))
    try:
        # A breach check in progress: it holds the queue row and will delete it when it commits.
        transaction = checker.transaction()
        await transaction.start()
        assert len(await checker.fetch("SELECT referral_id FROM breach_checks FOR UPDATE")) == 1
        attendance.at(local(MONDAY + timedelta(days=1), 9))
        sweep = asyncio.create_task(attendance.sweep())

        async def sweep_waits() -> bool:
            return bool(await checker.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"))

        await eventually(sweep_waits, what="the sweep to wait for the breach check's row")
        await checker.execute("DELETE FROM breach_checks")
        await transaction.commit()
        assert await asyncio.wait_for(sweep, timeout=10) == 1
    finally:
        await checker.close()
    assert await attendance.scalar("SELECT count(*) FROM breach_checks") == 1  # Tuesday's absence is checked next


async def test_one_tick_materialises_sweeps_checks_breaches_and_summarises(attendance: Attendance) -> None:
    from forlob_attendance.application.periodic import tick

    course = await attendance.start()  # default rules: 2 unexcused days in a row, or 3 within 10
    attendance.at(local(MONDAY + timedelta(days=8), 9))  # Tuesday of the second week
    result = await tick(attendance.uow, attendance.clock.now(), days_ahead=14, sweep_batch=4)
    assert result.slots_created == 6  # the horizon moved on from 7 to 15 December: six working days
    assert result.absences_detected == 7  # in batches of 4: Monday to Friday, then Monday and Tuesday
    # Seven unexcused days in a row: three runs of two, and two times three within ten working days.
    assert result.breaches_raised == 5
    assert result.weeks_summarised == 1
    rules = sorted(e.data.rule for e in await attendance.events("attendance.agreement_breached.v1"))
    assert rules == ["consecutive_days"] * 3 + ["unexcused_in_window"] * 2
    again = await tick(attendance.uow, attendance.clock.now(), days_ahead=14, sweep_batch=4)
    assert again == type(again)()  # nothing twice
    assert course


async def test_a_detected_absence_is_announced_under_its_courses_trace(attendance: Attendance) -> None:
    from forlob_attendance.application.courses import CoursePolicy, start_course
    from forlob_testkit.attendance import programme_started

    traced = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    event = programme_started()
    attendance.at(local(event.start_date, 5))
    await attendance.apply(start_course, event, CoursePolicy(days_ahead=14), traced)
    untraced = await attendance.start()  # started before the courses kept their trace
    attendance.at(local(MONDAY, 9))
    assert await attendance.sweep() == 2
    by_course = {e.data.referral_id: e for e in await attendance.events("absence.detected.v1")}
    assert by_course[event.referral_id].traceparent == traced
    assert by_course[untraced.referral_id].traceparent is None  # no trace current in the sweep here
    [headers] = await attendance.rows(
        "SELECT headers FROM outbox WHERE routing_key = 'absence.detected.v1' AND headers->>'traceparent' IS NOT NULL"
    )
    assert headers["headers"]["traceparent"] == traced  # what the relay publishes under


def _slot_rows_read(plan: dict[str, Any]) -> list[int]:
    """Rows each scan of ``slots`` in the plan returned, over all its loops."""
    own = [plan["Actual Rows"] * plan["Actual Loops"]] if plan.get("Relation Name") == "slots" else []
    return own + [n for child in plan.get("Plans", []) for n in _slot_rows_read(child)]


async def test_marking_reads_the_due_slots_not_the_fortnight_ahead(attendance: Attendance) -> None:
    for _ in range(20):
        await attendance.start()
    attendance.at(local(MONDAY, 9))
    ahead = await attendance.scalar("SELECT count(*) FROM slots WHERE state = 'expected'")
    assert ahead >= 20 * 10  # the fortnight's slots are there, one day of them due
    async with attendance.service.runtime.engine.connect() as connection:
        transaction = await connection.begin()
        plan = (
            await connection.execute(
                sa.text("EXPLAIN (ANALYZE, FORMAT JSON) " + _MARK_MISSED),
                {"now": attendance.clock.now(), "batch": 50_000},
            )
        ).scalar_one()
        await transaction.rollback()
    reads = _slot_rows_read(plan[0]["Plan"])
    assert reads
    assert max(reads) == 20  # each scan of slots took Monday's 20 arrivals, no more
    assert await attendance.sweep() == 20  # and the rollback left them to the sweep

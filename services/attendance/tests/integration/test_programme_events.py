"""programme.* events in through the real broker, and the rules they must keep."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

import aio_pika
import pytest

from forlob_attendance.application.courses import CoursePolicy, start_course
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent, TimeWindow, encode
from forlob_shared.messaging.consumer import REASON_HEADER
from forlob_shared.messaging.topology import Topology
from forlob_testkit.attendance import MONDAY, Attendance, auth, local, programme_started
from forlob_testkit.infra import TestInfra
from forlob_testkit.messaging import drain, queue_depth
from forlob_testkit.wait import eventually


async def _publish(infra: TestInfra, prefix: str, event: Any, *, without_grace: bool = False) -> None:
    pending = PendingEvent(data=event, subject=str(event.referral_id), referring_org=event.referring_org)
    body = encode(pending, source="forlob/referral", sequence=1, time=datetime.now(UTC))
    if without_grace:  # as a producer that does not know the field would send it
        document = json.loads(body)
        del document["data"]["rules"]["absence_grace_minutes"]
        body = json.dumps(document).encode()
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        await exchange.publish(
            aio_pika.Message(body, message_id=str(pending.id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=event.routing_key,
        )


async def test_programme_started_through_the_broker_gives_expected_slots(
    attendance: Attendance, infra: TestInfra, prefix: str
) -> None:
    attendance.at(local(MONDAY, 5))
    event = programme_started()
    await _publish(infra, prefix, event)
    await _publish(
        infra, prefix, event.model_copy(update={"schedule": [TimeWindow(weekday=5, start=time(9), end=time(10))]})
    )

    async def slots() -> Any:
        response = await attendance.client.get(
            f"/participants/{event.participant_id}/slots",
            params={"from": str(MONDAY), "to": "2026-12-06"},
            headers=auth(),
        )
        return response.json()["slots"] if response.status_code == 200 else None

    found = await eventually(slots, what="the course's slots")
    assert len(found) == 10  # two weeks ahead, weekdays
    assert found[0]["expected_start"].startswith("2026-11-23T07:00")
    # A schedule outside opening hours breaks a rule: dead-lettered with the reason, nothing stored.
    [consumer] = [c for c in attendance.service.runtime.consumers if c.subscription.purpose == "programme"]
    dlq = attendance.service.runtime.topology.dead_letter_queue(consumer.queue)

    async def dead() -> bool:
        return await queue_depth(infra.broker_url, dlq) >= 1

    await eventually(dead, what="the bad programme.started dead-lettered")
    [letter] = await drain(infra.broker_url, dlq)
    assert letter.headers[REASON_HEADER]
    assert await attendance.scalar("SELECT count(*) FROM courses") == 1


async def test_programme_started_rules(attendance: Attendance) -> None:
    event = programme_started()
    await attendance.apply(start_course, event, CoursePolicy())
    with pytest.raises(Conflict):
        await attendance.apply(start_course, event, CoursePolicy())  # the same course started twice
    late_friday = [TimeWindow(weekday=4, start=time(8), end=time(14, 15))]  # Friday closes at 14:00
    with pytest.raises(InvalidInput, match="opening hours"):
        await attendance.apply(start_course, programme_started(schedule=late_friday), CoursePolicy())
    with pytest.raises(InvalidInput):
        await attendance.apply(start_course, programme_started().model_copy(update={"country": "NO"}), CoursePolicy())
    assert await attendance.scalar("SELECT count(*) FROM courses") == 1


async def test_grace_comes_from_the_programme_or_else_the_setting(attendance: Attendance) -> None:
    from forlob_shared.events import AttendanceRules

    attendance.at(local(MONDAY, 5))
    strict = programme_started(rules=AttendanceRules(absence_grace_minutes=5))
    await attendance.apply(start_course, strict, CoursePolicy(default_grace_minutes=30))
    unset = programme_started()
    await attendance.apply(start_course, unset, CoursePolicy(default_grace_minutes=30))
    strict_slot = await attendance.slot(strict.referral_id, MONDAY)
    unset_slot = await attendance.slot(unset.referral_id, MONDAY)
    assert strict_slot["due_at"] == local(MONDAY, 8, 5)
    assert unset_slot["due_at"] == local(MONDAY, 8, 30)


async def test_the_services_grace_setting_applies_when_the_event_carries_none(
    make_database: Any, run_service: Any, infra: TestInfra, prefix: str
) -> None:
    from forlob_attendance.main import spec
    from forlob_shared.clock import ManualClock

    clock = ManualClock(local(MONDAY, 5))
    database = await make_database(spec())
    settings = {"with_relay": False, "periodic_enabled": False, "absence_grace_minutes": 30}
    async with run_service(spec(), database, clock=clock, **settings) as service:
        attendance = Attendance(service, clock)
        await _publish(infra, prefix, programme_started(), without_grace=True)

        async def due() -> Any:
            rows = await attendance.rows("SELECT due_at FROM slots WHERE day = :d", d=MONDAY)
            return rows[0]["due_at"] if rows else None

        assert await eventually(due, what="the course's first slot") == local(MONDAY, 8, 30)

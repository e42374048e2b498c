"""After a participant's erasure, a programme event about them that comes later (redelivered under
a new id, replayed from the dead letters) puts no course back: the erasure register outlives
what it erased. Through the real broker, a batch of starts mixing them with another's included."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aio_pika

from forlob_shared.events import EventData, ParticipantErased, PendingEvent, encode
from forlob_shared.messaging.topology import Topology
from forlob_testkit.attendance import MONDAY, Attendance, local, programme_started
from forlob_testkit.infra import TestInfra
from forlob_testkit.wait import eventually

ERASED_AT = datetime(2031, 12, 1, 9, tzinfo=UTC)
CONSUMED = "SELECT count(*) FROM inbox WHERE consumer = 'attendance.programme'"


async def _publish(infra: TestInfra, prefix: str, *events: tuple[EventData, str]) -> None:
    connection = await aio_pika.connect(infra.broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        for data, subject in events:
            pending = PendingEvent(data=data, subject=subject, provider_org="rca-aalborg")
            body = encode(pending, source="forlob/referral", sequence=1, time=datetime.now(UTC))
            message = aio_pika.Message(body, message_id=str(pending.id), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await exchange.publish(message, routing_key=data.routing_key)


async def test_a_late_start_of_an_erased_participant_puts_no_course_back(
    attendance: Attendance, infra: TestInfra, prefix: str
) -> None:
    attendance.at(local(MONDAY, 5))
    erased = programme_started()
    await _publish(infra, prefix, (erased, str(erased.referral_id)))

    async def courses_of(referral_id: Any) -> int:
        return int(await attendance.scalar("SELECT count(*) FROM courses WHERE referral_id = :r", r=referral_id))

    await eventually(lambda: _is(courses_of(erased.referral_id), 1), what="the course")
    erasure = ParticipantErased(
        participant_id=erased.participant_id,
        provider_org=erased.provider_org,
        referral_ids=[erased.referral_id],
        erased_at=ERASED_AT,
    )
    await _publish(infra, prefix, (erasure, str(erased.participant_id)))
    await eventually(lambda: _is(courses_of(erased.referral_id), 0), what="the erasure to be applied")
    assert await attendance.scalar("SELECT count(*) FROM slots WHERE referral_id = :r", r=erased.referral_id) == 0
    consumed = int(await attendance.scalar(CONSUMED))

    # the start again under a new event id, between two starts of someone else: one batch or three
    first, second = programme_started(), programme_started()
    await _publish(
        infra,
        prefix,
        (first, str(first.referral_id)),
        (erased, str(erased.referral_id)),
        (second, str(second.referral_id)),
    )
    await eventually(lambda: _at_least(attendance.scalar(CONSUMED), consumed + 3), what="the three starts consumed")
    assert await courses_of(first.referral_id) == 1
    assert await courses_of(second.referral_id) == 1
    assert await courses_of(erased.referral_id) == 0
    for table in ("courses", "slots", "schedule_versions"):
        query = f"SELECT count(*) FROM {table} WHERE referral_id = :r"
        assert await attendance.scalar(query, r=erased.referral_id) == 0, table
    assert (
        await attendance.scalar("SELECT count(*) FROM courses WHERE participant_id = :p", p=erased.participant_id) == 0
    )
    assert {r["id"] for r in await attendance.rows("SELECT id FROM erased_subjects")} == {
        erased.participant_id,
        erased.referral_id,
    }


async def _is(found: Any, expected: int) -> bool:
    return bool(await found == expected)


async def _at_least(found: Any, expected: int) -> bool:
    return bool(int(await found) >= expected)

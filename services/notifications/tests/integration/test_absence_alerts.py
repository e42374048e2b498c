"""absence.detected → an alert to the contact person: e-mail at a real SMTP server, the inbox,
alert.raised; one alert however often the event comes; a late arrival closes it."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

from forlob_notifications.application import alerts
from forlob_notifications.domain.directory import Assignment
from forlob_testkit.wait import eventually


async def test_the_alert_email_arrives_with_nothing_personal_in_it(world: Any, collector: Any) -> None:
    course = await world.start_course()
    absence = world.absence(course)
    await world.publish(absence)

    mails = await eventually(lambda: _mails(world, "kp1@rca.example"), what="the alert e-mail")
    assert len(mails) == 1
    mail = mails[0]
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    ref = str(course.participant_id)[:8]
    assert mail.message["Subject"] == f"Fravær: deltager ref. {ref} er ikke mødt (RCA-UDV-13)"
    body = mail.body
    assert str(course.participant_id) in body
    assert "RCA-UDV-13" in body
    assert "23.11.2026 kl. 08:45" in body  # the expected arrival, local time
    assert f"https://forlob.example/alerts/{alert['id']}" in body
    # A pseudonymous reference, the programme, the time and a link; nothing else about the person.
    assert not re.search(r"\b\d{6}-?\d{4}\b", body)  # no CPR-shaped number
    assert "@" not in body
    assert mail.message["Message-ID"] == f"<{await world.scalar('SELECT id FROM deliveries')}@forlob>"

    inbox = await world.client.get("/inbox", headers=world.auth(world.provider, "kp-1", "contact_person"))
    assert inbox.status_code == 200
    [item] = inbox.json()
    assert item["id"] == str(alert["id"])
    assert item["state"] == "open"
    assert item["kind"] == "absence"
    assert item["participant_ref"] == str(course.participant_id)
    assert item["due_at"] == "2026-11-23T08:30:00Z"  # 30 working minutes after detection

    await eventually(lambda: _has(collector, "notification.delivered.v1"), what="notification.delivered")
    [raised] = world.events(collector, "alert.raised.v1")
    assert raised["recipient_staff_id"] == "kp-1"
    assert raised["kind"] == "absence"
    [delivered] = world.events(collector, "notification.delivered.v1")
    assert delivered["channel"] == "email"
    assert delivered["attempts"] == 1
    assert delivered["alert_id"] == str(alert["id"])


async def test_a_redelivered_event_gives_no_second_alert_or_email(world: Any, collector: Any) -> None:
    course = await world.start_course()
    absence = world.absence(course)
    event_id = await world.publish(absence)
    await world.publish(absence, event_id=event_id)  # the same message again
    await world.publish(absence)  # the same absence under a new event id (e.g. a replayed outbox)
    second = world.absence(course)
    await world.publish(second)  # a different absence: its own alert

    await world.alert_for(f"absence:{second.absence_id}")
    await eventually(lambda: _count(world.smtp.to("kp1@rca.example"), 2), what="two e-mails")
    assert await world.scalar("SELECT count(*) FROM alerts") == 2
    assert await world.scalar("SELECT count(*) FROM deliveries") == 2
    # the course, the absence, its replay under a new id (stopped by the cause key), the second
    # absence; the redelivered message was skipped by the inbox and left no row of its own
    await eventually(
        lambda: _at_least(world.scalar("SELECT count(*) FROM inbox"), 4), what="every message to be consumed"
    )
    assert await world.scalar("SELECT count(*) FROM inbox") == 4
    assert len(world.smtp.to("kp1@rca.example")) == 2
    assert len(world.events(collector, "alert.raised.v1")) == 2


async def test_a_late_arrival_closes_the_alert_and_it_never_escalates(world: Any, collector: Any) -> None:
    from datetime import timedelta

    from forlob_notifications.application.sweep import run_due_rules
    from forlob_shared.events import AbsenceResolved

    course = await world.start_course()
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    world.clock.advance(timedelta(minutes=10))
    await world.publish(
        AbsenceResolved(
            **world.of_course(course),
            absence_id=absence.absence_id,
            resolution="late_arrival",
            minutes_late=25,
            resolved_at=world.clock.now(),
        )
    )

    async def closed() -> Any:
        return await world.scalar("SELECT state = 'closed' FROM alerts WHERE id = :i", i=alert["id"])

    await eventually(closed, what="the alert to close")
    world.clock.advance(timedelta(hours=3))
    result = await run_due_rules(world.uow, world.options, world.clock.now())
    assert result.escalated == 0
    assert result.notices == 0
    row = (await world.rows("SELECT * FROM alerts WHERE id = :i", i=alert["id"]))[0]
    assert row["close_reason"] == "late_arrival"
    assert row["escalated_to"] is None
    await eventually(lambda: _has(collector, "alert.closed.v1"), what="alert.closed")
    [closed_event] = world.events(collector, "alert.closed.v1")
    assert closed_event["reason"] == "late_arrival"
    assert world.events(collector, "alert.escalated.v1") == []


async def _mails(world: Any, address: str) -> Any:
    return world.smtp.to(address)


async def _has(collector: Any, routing_key: str) -> bool:
    return any(m.routing_key == routing_key for m in collector.messages)


async def _count(items: list[Any], n: int) -> bool:
    return len(items) >= n


async def _at_least(value: Any, n: int) -> bool:
    return int(await value) >= n


async def test_an_absence_that_overtook_its_course_start_reaches_the_contact_person(world: Any) -> None:
    # After a backlog, the course's start and its first absence (different aggregates, handled
    # side by side) can arrive the other way round: the alert waits unassigned, then follows.
    course = SimpleNamespace(referral_id=uuid4(), participant_id=uuid4())  # not started yet
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    assert alert["recipient_staff_id"] == "unassigned"
    assert world.smtp.to("kp1@rca.example") == []

    await world.start_course(course=course)

    async def assigned() -> Any:
        rows = await world.rows("SELECT recipient_staff_id FROM alerts WHERE id = :a", a=alert["id"])
        return rows[0]["recipient_staff_id"] == "kp-1" and await _mails(world, "kp1@rca.example")

    [mail] = await eventually(assigned, what="the waiting alert to reach the contact person, with its e-mail")
    assert str(course.participant_id)[:8] in mail.message["Subject"]
    inbox = await world.client.get("/inbox", headers=world.auth(world.provider, "kp-1", "contact_person"))
    assert [item["id"] for item in inbox.json()] == [str(alert["id"])]


async def test_an_absence_handled_beside_its_course_start_reaches_the_contact_person(world: Any) -> None:
    # The referral is known (no contact person yet). The absence's transaction has raised its
    # alert unassigned and not committed when the course's start is handled: neither would see
    # the other's work unless one waits for the other.
    course = await _referral_known(world)
    absence = world.absence(course)
    raised, release = asyncio.Event(), asyncio.Event()
    uow = world.uow()
    commit = uow.commit

    async def held_commit() -> None:
        raised.set()
        await release.wait()
        await commit()

    uow.commit = held_commit

    async def handle_absence() -> None:
        async with uow:
            await alerts.on_absence_detected(uow, world.options, absence, uuid4())
            await uow.commit()  # as the consumer does, after the handler

    handling = asyncio.create_task(handle_absence())
    await eventually(lambda: _is_set(raised), what="the absence's alert raised, not committed")
    await world.publish(world.programme_started(course), subject=str(course.referral_id))

    async def start_done_or_waiting() -> bool:
        waiting = await world.scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return bool(await _contact_known(world, course) or waiting)

    await eventually(start_done_or_waiting, what="the start handled, or waiting for the absence")
    release.set()
    await handling
    await _reaches_the_contact_person(world, absence)


async def test_an_absence_sees_a_course_start_committed_while_it_took_the_lock(world: Any) -> None:
    # The absence's transaction read the assignment without a contact person; the start commits
    # before the absence takes the course's lock: it must read the assignment again, afresh.
    course = await _referral_known(world)
    absence = world.absence(course)
    uow = world.uow()

    async def handle_absence() -> None:
        async with uow:
            lock = uow.assignments.lock

            async def lock_after_the_start(referral_id: Any) -> None:
                await world.publish(world.programme_started(course), subject=str(course.referral_id))
                await eventually(lambda: _contact_known(world, course), what="the start handled")
                await lock(referral_id)

            uow.assignments.lock = lock_after_the_start
            await alerts.on_absence_detected(uow, world.options, absence, uuid4())
            await uow.commit()  # as the consumer does, after the handler

    await handle_absence()
    await _reaches_the_contact_person(world, absence)


async def _referral_known(world: Any) -> Any:
    """A course whose referral notifications has heard of (an assignment without people yet)."""
    course = SimpleNamespace(referral_id=uuid4(), participant_id=uuid4())
    async with world.uow() as uow:
        await uow.assignments.save(
            Assignment(course.referral_id, world.provider, world.jobcentre, "RCA-UDV-13", course.participant_id)
        )
        await uow.commit()
    return course


async def _contact_known(world: Any, course: Any) -> bool:
    found = await world.scalar("SELECT contact_person_id FROM assignments WHERE referral_id = :r", r=course.referral_id)
    return found == "kp-1"


async def _reaches_the_contact_person(world: Any, absence: Any) -> None:
    async def assigned() -> Any:
        rows = await world.rows(
            "SELECT recipient_staff_id FROM alerts WHERE cause_key = :c", c=f"absence:{absence.absence_id}"
        )
        return rows and rows[0]["recipient_staff_id"] == "kp-1" and await _mails(world, "kp1@rca.example")

    await eventually(assigned, what="the alert to reach the contact person, with its e-mail")


async def _is_set(event: asyncio.Event) -> bool:
    return event.is_set()


async def test_an_end_that_comes_late_closes_the_alerts_of_days_after_it(world: Any, collector: Any) -> None:
    """The course ended on Monday, but its end reached attendance only after Tuesday's sweep had
    detected an absence: that alert closes as course_ended; Monday's stays open."""
    course = await world.start_course()
    monday = world.absence(course)  # 08:45 on Monday 23 November, the last day
    tuesday = world.absence(course, expected_at=monday.expected_at + timedelta(days=1))
    await world.publish(monday)
    await world.publish(tuesday)
    await world.alert_for(f"absence:{monday.absence_id}")
    spurious = await world.alert_for(f"absence:{tuesday.absence_id}")

    await world.publish(world.ended(course, date(2026, 11, 23)), subject=str(course.referral_id))
    await world.alert_for(f"ended:{course.referral_id}")

    states = {
        row["cause_key"]: (row["state"], row["close_reason"])
        for row in await world.rows("SELECT cause_key, state, close_reason FROM alerts WHERE kind = 'absence'")
    }
    assert states == {
        f"absence:{monday.absence_id}": ("open", None),
        f"absence:{tuesday.absence_id}": ("closed", "course_ended"),
    }
    await eventually(lambda: _has(collector, "alert.closed.v1"), what="alert.closed")
    [closed] = world.events(collector, "alert.closed.v1")
    assert closed["alert_id"] == str(spurious["id"])
    assert closed["reason"] == "course_ended"
    inbox = await world.client.get("/inbox?state=open", headers=world.auth(world.provider, "kp-1", "contact_person"))
    assert [item["id"] for item in inbox.json()] == [str((await world.alert_for(f"absence:{monday.absence_id}"))["id"])]


async def test_an_absence_after_a_course_end_already_known_raises_no_alert(world: Any) -> None:
    """The end came first here, the sweep's detection for the day after it second: no alert, no
    e-mail; an absence on the last day, detected as late, is raised as ever."""
    course = await world.start_course()
    await world.publish(world.ended(course, date(2026, 11, 23)), subject=str(course.referral_id))
    await world.alert_for(f"ended:{course.referral_id}")
    assert await world.scalar("SELECT end_date FROM assignments WHERE referral_id = :r", r=course.referral_id) == date(
        2026, 11, 23
    )

    monday = world.absence(course)
    tuesday = world.absence(course, expected_at=monday.expected_at + timedelta(days=1))
    tuesday_event = await world.publish(tuesday)
    await world.publish(monday)
    await world.alert_for(f"absence:{monday.absence_id}")

    async def handled() -> bool:
        return bool(await world.scalar("SELECT count(*) FROM inbox WHERE event_id = :e", e=tuesday_event))

    await eventually(handled, what="the detection after the end to be handled")
    spurious = f"absence:{tuesday.absence_id}"
    assert await world.scalar("SELECT count(*) FROM alerts WHERE cause_key = :k", k=spurious) == 0
    assert await world.scalar("SELECT count(*) FROM alerts WHERE kind = 'absence'") == 1  # Monday's

"""Times in messages are on the course's own clock: the zone its programme announced in
``programme.started`` (kept with the course in the directory), Europe/Copenhagen only for a
Danish course stored without one. A course in Europe/London (an hour behind Copenhagen, unlike
Stockholm) shows that the zone is the course's and not a constant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from forlob_notifications.application import alerts
from forlob_notifications.domain.directory import Assignment
from forlob_shared.events import AbsenceResolved
from forlob_testkit.in_memory.notifications_world import MONDAY_9, Course, Notifications

# The absence's expected arrival: 07:45 UTC = 08:45 in Copenhagen and Stockholm, 07:45 in London.
EXPECTED = MONDAY_9 - timedelta(minutes=15)


async def e_mail_of_an_absence(world: Notifications, course: Course) -> str:
    alert = await world.detect(world.absence(course, expected_at=EXPECTED))
    assert alert is not None
    [mail] = await world.deliveries_of(alert)
    return str(mail.content["body"])


async def test_a_course_in_london_shows_london_time(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course(timezone="Europe/London")
    body = await e_mail_of_an_absence(world, course)
    assert "Tidspunkt: 23.11.2026 kl. 07:45" in body
    assert "08:45" not in body


async def test_a_danish_course_shows_copenhagen_time(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course(timezone="Europe/Copenhagen")
    assert "Tidspunkt: 23.11.2026 kl. 08:45" in await e_mail_of_an_absence(world, course)


async def test_a_swedish_course_speaks_swedish_on_stockholm_time(world: Notifications) -> None:
    await world.put_staff("kp-1", team_leader_id="tl-1", country="SE")
    course = await world.start_course(country="SE", timezone="Europe/Stockholm")
    body = await e_mail_of_an_absence(world, course)
    assert "Tidpunkt: 2026-11-23 kl. 08:45" in body
    assert "Deltagaren väntades" in body


async def test_a_swedish_course_in_another_zone_keeps_its_language_and_its_zone(world: Notifications) -> None:
    await world.put_staff("kp-1", team_leader_id="tl-1", country="SE")
    course = await world.start_course(country="SE", timezone="Europe/London")
    body = await e_mail_of_an_absence(world, course)
    assert "Tidpunkt: 2026-11-23 kl. 07:45" in body


async def test_a_course_stored_without_a_zone_falls_back_to_its_countrys(world: Notifications) -> None:
    await world.staff_the_provider()
    course = Course()
    old_row = Assignment(
        referral_id=course.referral_id,
        provider_org="rca-aalborg",
        referring_org="jobcenter-aalborg",
        programme_code="RCA-UDV-13",
        participant_id=course.participant_id,
        contact_person_id="kp-1",
        team_leader_id="tl-1",
        caseworker_id="cw-1",
        country="DK",
        timezone="",  # a row from before the course's zone was kept
        state="started",
    )
    async with world.uow() as uow:
        await uow.assignments.save(old_row)
        await uow.commit()
    assert "kl. 08:45" in await e_mail_of_an_absence(world, course)


async def test_working_minutes_count_on_the_courses_clock(world: Notifications) -> None:
    await world.staff_the_provider()  # 08:00-16:00, in the course's zone
    course = await world.start_course(timezone="Europe/London")
    world.clock.set(datetime(2026, 11, 27, 15, 50, tzinfo=UTC))  # Friday 15:50 in London
    alert = await world.detect(world.absence(course))
    assert alert is not None
    # Ten minutes left on Friday, twenty on Monday from 08:00 London (08:00 UTC).
    assert alert.due_at == datetime(2026, 11, 30, 8, 20, tzinfo=UTC)


async def test_the_escalation_e_mail_is_on_the_courses_clock(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course(timezone="Europe/London")
    alert = await world.detect(world.absence(course, expected_at=EXPECTED))
    assert alert is not None
    assert alert.due_at is not None
    await world.sweep(alert.due_at)
    [escalation] = [d for d in await world.deliveries_of(alert) if d.recipient == "tl-1"]
    assert "kl. 07:45" in escalation.content["body"]


async def test_the_notices_facts_are_on_the_courses_clock(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course(timezone="Europe/London")
    alert = await world.detect(world.absence(course, expected_at=EXPECTED))
    assert alert is not None
    assert alert.notice_due_at is not None
    world.clock.set(alert.notice_due_at + timedelta(minutes=55))  # before the sweep ran
    arrived = AbsenceResolved(
        **world.of_course(course),
        absence_id=UUID(alert.facts["absence_id"]),
        resolution="late_arrival",
        minutes_late=185,  # 07:45 + 3 h 05 = 10:50 London, after the deadline
        resolved_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await alerts.on_absence_resolved(uow, world.options, arrived)
        await uow.commit()
    notice = await world.alert_for(f"notice:{alert.cause_key}")
    assert notice is not None
    [mail] = await world.deliveries_of(notice)
    assert "23.11.2026 kl. 10:50" in mail.content["body"]  # the arrival, in London time
    assert "11:50" not in mail.content["body"]

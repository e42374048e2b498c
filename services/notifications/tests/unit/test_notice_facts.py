"""What the notice of an absence tells the jobcentre: the minutes of the agreed window missed
(never more), and the facts known when it is sent. An absence explained by the policy's deadline
is not notified; one explained later is, with its reason. Over the in-memory unit of work.

The clock starts on Monday 23 November 2026 at 09:00 in Copenhagen; the contact person works
08:00-16:00, so the notice deadline is counted in those working minutes."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from forlob_notifications.application import alerts
from forlob_notifications.domain.alerts import Alert, AlertState
from forlob_notifications.domain.deliveries import Channel, Delivery
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_shared.events import AbsenceDetected, AbsenceReason, AbsenceResolved, ContactRecorded, EventData
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, Course, Notifications


async def an_absence(world: Notifications, legal_basis: str) -> tuple[Course, AbsenceDetected, Alert]:
    await world.staff_the_provider()
    course = await world.start_course(legal_basis=legal_basis)
    absence = world.absence(course, window=timedelta(hours=4))  # expected 08:45, the window to 12:45
    alert = await world.detect(absence)
    assert alert is not None
    return course, absence, alert


async def apply(world: Notifications, event: EventData) -> None:
    async with world.uow() as uow:
        if isinstance(event, AbsenceResolved):
            await alerts.on_absence_resolved(uow, world.options, event)
        else:
            assert isinstance(event, ContactRecorded)
            await alerts.on_contact_recorded(uow, event)
        await uow.commit()


async def notices(world: Notifications) -> list[Alert]:
    async with world.uow() as uow:
        return await uow.alerts.inbox(JOBCENTRE, None, states=None, kinds=["absence_notice"], since=None, limit=10)


async def notice_mail(world: Notifications, notice: Alert) -> Delivery:
    [mail] = [d for d in await world.deliveries_of(notice) if d.channel is Channel.EMAIL]
    assert mail.recipient == "cw-1"
    return mail


async def test_a_notice_sent_a_day_later_counts_the_window_missed_not_the_time_since(world: Notifications) -> None:
    hook = Subscription(
        id=uuid4(),
        org=JOBCENTRE,
        url="https://jobcentre.example/hook",
        event_types=["absence.unexplained"],
        secret=new_secret(),
        owner_staff_id="admin-1",
        created_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await uow.subscriptions.add(hook)
        await uow.commit()
    _, _, alert = await an_absence(world, "LAB-68a")  # told within 480 working minutes
    # 09:00 + 480 working minutes: seven hours on Monday, the last one on Tuesday morning
    assert alert.notice_due_at == world.clock.now() + timedelta(days=1)

    assert (await world.sweep(world.clock.now() + timedelta(days=1))).notices == 1
    [notice] = await notices(world)
    assert notice.facts["minutes_missed"] == 240  # the four hours agreed, not the 1,455 since
    assert notice.facts["agreed_minutes"] == 240
    assert notice.facts["reason"] == "unexplained"
    assert "Minutters fravær: 240" in (await notice_mail(world, notice)).content["body"].splitlines()
    [call] = [d for d in await world.deliveries_of(notice) if d.channel is Channel.WEBHOOK]
    assert call.content["data"]["minutes_missed"] == 240  # the partner contract's notice: the facts as fields
    assert (call.content["data"]["agreed_minutes"], call.content["data"]["reason"]) == (240, "unexplained")


async def test_a_late_arrival_after_the_deadline_is_notified_with_the_minutes_it_missed(world: Notifications) -> None:
    """The deadline passed unexplained; the sweep had not yet told the jobcentre when the
    participant came: the notice goes all the same, counting the minutes up to the arrival."""
    course, absence, alert = await an_absence(world, "LAB-32-1-2")  # due for notice at 11:00
    world.clock.advance(timedelta(hours=2, minutes=30))  # 11:30: arrived 165 minutes late
    await apply(
        world,
        AbsenceResolved(
            **world.of_course(course),
            absence_id=absence.absence_id,
            resolution="late_arrival",
            minutes_late=165,
            resolved_at=world.clock.now(),
        ),
    )
    notice = await world.alert_for(f"notice:absence:{absence.absence_id}")
    assert notice is not None
    assert notice.facts["minutes_missed"] == 165
    assert notice.facts["agreed_minutes"] == 240
    assert notice.facts["arrived_at"] == (absence.expected_at + timedelta(minutes=165)).isoformat()
    closed = await world.alert_for(alert.cause_key)
    assert closed is not None
    assert (closed.state, closed.close_reason) == (AlertState.CLOSED, "late_arrival")
    assert (await world.sweep()).notices == 0
    body = (await notice_mail(world, notice)).content["body"].splitlines()
    assert "Minutters fravær: 165" in body
    assert "Mødt: 23.11.2026 kl. 11:30" in body


async def test_a_late_arrival_before_the_deadline_is_not_notified(world: Notifications) -> None:
    course, absence, alert = await an_absence(world, "LAB-32-1-2")
    world.clock.advance(timedelta(hours=1))
    await apply(
        world,
        AbsenceResolved(
            **world.of_course(course),
            absence_id=absence.absence_id,
            resolution="late_arrival",
            minutes_late=75,
            resolved_at=world.clock.now(),
        ),
    )
    closed = await world.alert_for(alert.cause_key)
    assert closed is not None
    assert closed.state is AlertState.CLOSED
    assert (await world.sweep(world.clock.now() + timedelta(hours=3))).notices == 0
    assert await notices(world) == []


async def test_a_reason_recorded_by_the_deadline_means_no_notice(world: Notifications) -> None:
    course, absence, alert = await an_absence(world, "LAB-32-1-2")  # due for notice at 11:00
    world.clock.advance(timedelta(hours=1))  # 10:00: the contact person reached the participant
    await apply(
        world,
        ContactRecorded(
            **world.of_course(course),
            absence_id=absence.absence_id,
            outcome="reason_given",
            reason=AbsenceReason.ILLNESS,
            recorded_at=world.clock.now(),
        ),
    )
    explained = await world.alert_for(alert.cause_key)
    assert explained is not None
    assert explained.facts["reason"] == "illness"
    assert (await world.sweep(world.clock.now() + timedelta(days=1))).notices == 0
    assert await notices(world) == []


@pytest.mark.parametrize("how", ["contact", "report"])
async def test_a_reason_given_after_the_deadline_is_in_the_notice(world: Notifications, how: str) -> None:
    """Explained at 11:30, after the 11:00 deadline, before the notice was sent: the notice goes
    (the deadline passed unexplained) and carries the reason known when it is sent."""
    course, absence, _ = await an_absence(world, "LAB-32-1-2")
    world.clock.advance(timedelta(hours=2, minutes=30))
    if how == "contact":
        await apply(
            world,
            ContactRecorded(
                **world.of_course(course),
                absence_id=absence.absence_id,
                outcome="reason_given",
                reason=AbsenceReason.ILLNESS,
                recorded_at=world.clock.now(),
            ),
        )
        assert (await world.sweep()).notices == 1
    else:  # the absence reported afterwards: the alert closes, the notice goes first
        await apply(
            world,
            AbsenceResolved(
                **world.of_course(course),
                absence_id=absence.absence_id,
                resolution="reported",
                reason=AbsenceReason.ILLNESS,
                resolved_at=world.clock.now(),
            ),
        )
    notice = await world.alert_for(f"notice:absence:{absence.absence_id}")
    assert notice is not None
    assert notice.facts["reason"] == "illness"
    assert notice.facts["reason_given_at"] == world.clock.now().isoformat()
    assert notice.facts["minutes_missed"] == 165  # 08:45 to 11:30, the window still running
    assert notice.facts["contact_attempts"] == (1 if how == "contact" else 0)
    body = (await notice_mail(world, notice)).content["body"]
    assert "Kodet årsag: Sygdom" in body.splitlines()  # the code in words
    assert "unexplained" not in body


async def test_a_reason_given_after_the_notice_was_sent_is_not_sent_on(world: Notifications) -> None:
    course, absence, _ = await an_absence(world, "LAB-32-1-2")
    assert (await world.sweep(world.clock.now() + timedelta(hours=2))).notices == 1
    world.clock.advance(timedelta(minutes=30))
    await apply(
        world,
        AbsenceResolved(
            **world.of_course(course),
            absence_id=absence.absence_id,
            resolution="reported",
            reason=AbsenceReason.ILLNESS,
            resolved_at=world.clock.now(),
        ),
    )
    [notice] = await notices(world)
    assert notice.facts["reason"] == "unexplained"

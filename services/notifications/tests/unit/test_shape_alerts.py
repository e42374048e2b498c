"""Alerts for the shapes without a timetable, over the in-memory unit of work: a missed meeting
is an absence (the same alert, grace, policy and partner notice) in its own words; a course
whose meeting cadence is overdue reminds its contact person until a meeting is planned; an
outreach case whose next contact is late reminds its team member until the next attempt. A
cancelled meeting raises nothing (the service does not even listen for it). None of it is a
partner event."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from forlob_notifications.domain.alerts import CONTACT_ATTEMPTED, MEETING_PLANNED, AlertKind, AlertState
from forlob_notifications.domain.deliveries import Channel
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_notifications.handlers.events import subscriptions
from forlob_notifications.partners import translate
from forlob_notifications.wiring import Wiring
from forlob_shared import partner
from forlob_shared.events import MeetingCancelled
from forlob_shared.events.envelope import PendingEvent, encode
from forlob_shared.events.visits import VisitKind, VisitOverdue, VisitStarted
from forlob_shared.partner.base import is_partner_event
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, MONDAY_9, OPTIONS, PROVIDER, Course, Notifications


async def test_a_missed_meeting_alerts_the_contact_person_in_the_words_of_a_meeting(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    missed = world.missed_meeting(course)
    alert = await world.detect(missed)
    assert alert is not None
    assert (alert.kind, alert.recipient_staff_id) == (AlertKind.ABSENCE, "kp-1")
    assert alert.facts["meeting_id"] == str(missed.meeting_id)
    [mail] = [d for d in await world.deliveries_of(alert) if d.channel is Channel.EMAIL]
    assert mail.content["subject"].startswith("Udeblevet fra møde: deltager ref.")
    assert "havde et møde" in mail.content["body"]
    assert alert.due_at is not None  # it escalates as a missed window does
    assert (await world.sweep(world.clock.now() + timedelta(minutes=31))).escalated == 1


async def test_a_missed_meeting_still_unexplained_sends_the_partner_the_same_notice_as_a_missed_window(
    world: Notifications,
) -> None:
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
    await world.staff_the_provider()
    course = await world.start_course(legal_basis="LAB-68a")
    alert = await world.detect(world.missed_meeting(course))
    assert alert is not None
    assert (await world.sweep(world.clock.now() + timedelta(days=1))).notices == 1
    [notice] = await world.alerts_of(JOBCENTRE, "absence_notice")
    [call] = [d for d in await world.deliveries_of(notice) if d.channel is Channel.WEBHOOK]
    assert call.content["type"] == "absence.unexplained"
    assert call.content["data"]["absence_id"] == alert.facts["absence_id"]
    assert (call.content["data"]["agreed_minutes"], call.content["data"]["reason"]) == (60, "unexplained")
    assert "meeting_id" not in call.content["data"]  # the partner contract's notice, unchanged


async def test_an_overdue_cadence_reminds_the_contact_person_once_until_a_meeting_is_planned(
    world: Notifications,
) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    overdue = world.cadence_overdue(course)
    await world.apply(overdue)
    await world.apply(overdue)  # delivered twice: one reminder
    [reminder] = await world.alerts_of(kind="meeting_overdue")
    assert (reminder.recipient_staff_id, reminder.referral_id) == ("kp-1", course.referral_id)
    assert reminder.facts["due_by"] == "2026-11-20"
    assert reminder.due_at is None  # a reminder, not an emergency: it does not escalate
    [mail] = [d for d in await world.deliveries_of(reminder) if d.channel is Channel.EMAIL]
    assert "20" in mail.content["body"]
    other = await world.start_course()
    await world.apply(world.meeting_planned(other))  # another course's meeting closes nothing
    [reminder] = await world.alerts_of(kind="meeting_overdue")
    assert reminder.state is AlertState.OPEN
    await world.apply(world.meeting_planned(course))
    [reminder] = await world.alerts_of(kind="meeting_overdue")
    assert (reminder.state, reminder.close_reason) == (AlertState.CLOSED, MEETING_PLANNED)
    await world.apply(world.cadence_overdue(course, due_by=date(2026, 11, 27)))  # overdue again later: anew
    assert len(await world.alerts_of(kind="meeting_overdue")) == 2


async def test_an_overdue_outreach_contact_reminds_the_team_member_until_the_next_attempt(world: Notifications) -> None:
    await world.put_staff("ow-1")
    case_id = uuid4()
    await world.apply(world.contact_overdue(case_id))
    [reminder] = await world.alerts_of(kind="outreach_contact_overdue")
    assert reminder.recipient_staff_id == "ow-1"
    # no referral, no participant, no referring organisation: nothing can reach a partner
    assert (reminder.referral_id, reminder.participant_id, reminder.referring_org) == (None, None, None)
    [mail] = [d for d in await world.deliveries_of(reminder) if d.channel is Channel.EMAIL]
    assert str(case_id)[:8] in mail.content["subject"]
    await world.apply(world.contact_attempted(uuid4()))  # another case's attempt
    [reminder] = await world.alerts_of(kind="outreach_contact_overdue")
    assert reminder.state is AlertState.OPEN
    await world.apply(world.contact_attempted(case_id))
    [reminder] = await world.alerts_of(kind="outreach_contact_overdue")
    assert (reminder.state, reminder.close_reason) == (AlertState.CLOSED, CONTACT_ATTEMPTED)
    assert world.published_of(partner.PartnerEvent) == []
    assert await world.alerts_of(JOBCENTRE) == []


def test_meetings_outreach_and_visits_are_internal_events_and_a_cancelled_meeting_is_not_listened_for(
    world: Notifications,
) -> None:
    started = VisitStarted(
        visit_id=uuid4(),
        provider_org=PROVIDER,
        staff_id="kp-1",
        kind=VisitKind.HOME,
        planned_end=MONDAY_9,
        started_at=MONDAY_9,
    )
    overdue = VisitOverdue(
        visit_id=started.visit_id, provider_org=PROVIDER, staff_id="kp-1", planned_end=MONDAY_9, detected_at=MONDAY_9
    )
    course = Course()
    shapes = (
        world.missed_meeting(course),
        world.cadence_overdue(course),
        world.meeting_planned(course),
        world.contact_overdue(uuid4()),
        world.contact_attempted(uuid4()),
    )
    for data in (started, overdue, *shapes):
        assert translate.milestones(data) == []
        event = PendingEvent(data=data, subject=str(started.visit_id), provider_org=PROVIDER)
        body = encode(event, source="forlob/notifications", sequence=1, time=MONDAY_9)
        assert not is_partner_event(body)
    wiring = Wiring(OPTIONS, None)  # type: ignore[arg-type]  # no listener: only the handlers are read
    [alerts_queue] = [s for s in subscriptions(wiring) if s.purpose == "alerts"]
    keys = {kind.routing_key for kind in alerts_queue.handlers}
    assert {"meeting.cadence_overdue.v1", "meeting.planned.v1", "outreach.contact_overdue.v1"} <= keys
    assert {"outreach.contact_attempted.v1", "absence.detected.v1"} <= keys
    assert MeetingCancelled.routing_key not in keys

"""The time-driven rules over the in-memory unit of work: escalation at the deadline to the team
leader, and the notice of an unexplained absence to the referring organisation, per legal basis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from forlob_notifications.application import alerts
from forlob_notifications.application.sweep import escalate_due, send_due_notices
from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, AlertState
from forlob_notifications.domain.deliveries import Channel
from forlob_notifications.domain.policy import NoticeRecipient, NotificationPolicy
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_shared.events import AbsenceReason, AbsenceResolved, AlertEscalated, ContactRecorded
from forlob_shared.http.auth import Principal
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, MONDAY_9, PROVIDER, Course, Notifications


async def an_absence(world: Notifications, **course_changes: object) -> tuple[Course, Alert]:
    await world.staff_the_provider()
    course = await world.start_course(**course_changes)
    absence = world.absence(course)
    alert = await world.detect(absence)
    assert alert is not None
    return course, alert


async def current(world: Notifications, alert: Alert) -> Alert:
    found = await world.alert_for(alert.cause_key)
    assert found is not None
    return found


async def notice_of(world: Notifications, alert: Alert) -> Alert | None:
    return await world.alert_for(f"notice:{alert.cause_key}")


# -- escalation ---------------------------------------------------------------------------------


async def test_nothing_escalates_before_the_deadline(world: Notifications) -> None:
    _, alert = await an_absence(world)
    result = await world.sweep(MONDAY_9 + timedelta(minutes=29))
    assert result.escalated == 0
    assert (await current(world, alert)).escalated_to is None


async def test_an_open_alert_escalates_at_the_deadline_to_the_courses_team_leader(world: Notifications) -> None:
    _, alert = await an_absence(world)
    result = await world.sweep(MONDAY_9 + timedelta(minutes=30))
    assert result.escalated == 1
    escalated = await current(world, alert)
    assert (escalated.escalated_to, escalated.level, escalated.due_at) == ("tl-1", 1, None)
    assert escalated.escalated_at == MONDAY_9 + timedelta(minutes=30)
    [event] = world.published_of(AlertEscalated)
    assert (event.escalated_to, event.level) == ("tl-1", 1)


async def test_escalation_happens_once(world: Notifications) -> None:
    await an_absence(world)
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=30))).escalated == 1
    assert (await world.sweep(MONDAY_9 + timedelta(hours=3))).escalated == 0
    assert len(world.published_of(AlertEscalated)) == 1


async def test_the_team_leader_gets_an_escalation_e_mail_and_both_inboxes_are_told(world: Notifications) -> None:
    _, alert = await an_absence(world)
    await world.sweep(MONDAY_9 + timedelta(minutes=30))
    mails = [d for d in await world.deliveries_of(alert) if d.recipient == "tl-1"]
    assert [(m.channel, m.event_type) for m in mails] == [(Channel.EMAIL, "alert.escalated")]
    assert mails[0].content["subject"].startswith("Eskaleret: Fravær")
    escalations = [n["staff_id"] for n in world.inbox_notices if n["change"] == "escalated"]
    assert escalations == ["kp-1", "tl-1"]


async def test_without_a_team_leader_on_the_course_the_contact_persons_leader_is_used(
    world: Notifications,
) -> None:
    await world.put_staff("kp-1", team_leader_id="tl-2")
    await world.put_staff("tl-2", role="team_leader")
    course = await world.start_course(team_leader_id=None)
    alert = await world.detect(world.absence(course))
    assert alert is not None
    await world.sweep(MONDAY_9 + timedelta(minutes=30))
    assert (await current(world, alert)).escalated_to == "tl-2"


async def test_with_nobody_above_the_alert_stays_open_and_stops_looking(world: Notifications) -> None:
    await world.put_staff("kp-1")
    course = await world.start_course(team_leader_id=None)
    alert = await world.detect(world.absence(course))
    assert alert is not None
    result = await world.sweep(MONDAY_9 + timedelta(minutes=30))
    assert (result.escalated, result.unescalatable) == (0, 1)
    stays = await current(world, alert)
    assert (stays.state, stays.due_at, stays.escalated_to) == (AlertState.OPEN, None, None)
    assert (await world.sweep(MONDAY_9 + timedelta(hours=1))).unescalatable == 0  # not counted again


async def test_acknowledging_stops_escalation(world: Notifications) -> None:
    from forlob_notifications.application.inbox import acknowledge

    _, alert = await an_absence(world)
    world.clock.advance(timedelta(minutes=5))
    await acknowledge(world.uow(), Principal("kp-1", PROVIDER, frozenset({"contact_person"})), alert.id)
    assert (await world.sweep(MONDAY_9 + timedelta(hours=2))).escalated == 0
    assert world.published_of(AlertEscalated) == []


async def test_the_sweep_takes_at_most_a_batch_at_a_time(world: Notifications) -> None:
    from dataclasses import replace

    await world.staff_the_provider()
    course = await world.start_course()
    for _ in range(3):
        await world.detect(world.absence(course, absence_id=uuid4()))
    small = replace(world.options, batch_size=2)
    first = await escalate_due(world.uow(), small, MONDAY_9 + timedelta(minutes=30))
    second = await escalate_due(world.uow(), small, MONDAY_9 + timedelta(minutes=30))
    assert (first.escalated, second.escalated) == (2, 1)


# -- the notice to the referring organisation ---------------------------------------------------


async def test_an_absence_still_unexplained_at_the_deadline_is_told_to_the_caseworker(world: Notifications) -> None:
    course, alert = await an_absence(world)
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=119))).notices == 0
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=120))).notices == 1
    notice = await notice_of(world, alert)
    assert notice is not None
    assert (notice.kind, notice.org, notice.recipient_staff_id) == (AlertKind.ABSENCE_NOTICE, JOBCENTRE, "cw-1")
    assert (notice.provider_org, notice.referral_id) == (PROVIDER, course.referral_id)
    assert (await current(world, alert)).notice_sent_at == MONDAY_9 + timedelta(minutes=120)
    assert (await world.sweep(MONDAY_9 + timedelta(hours=5))).notices == 0  # once


async def test_the_notice_carries_the_facts_known_when_it_is_sent(world: Notifications) -> None:
    course, alert = await an_absence(world)
    contact = ContactRecorded(
        **world.of_course(course),
        absence_id=UUID(alert.facts["absence_id"]),
        outcome="called_no_answer",
        recorded_at=MONDAY_9,
    )
    async with world.uow() as uow:
        await alerts.on_contact_recorded(uow, contact)
        await uow.commit()
    await world.sweep(MONDAY_9 + timedelta(minutes=120))
    notice = await notice_of(world, alert)
    assert notice is not None
    assert notice.facts == {
        "minutes_missed": 135,  # from 08:45 to the notice at 11:00
        "agreed_minutes": 240,
        "contact_attempts": 1,
        "reason": "unexplained",
        "legal_basis": "LAB-32-1-2",
    }


async def test_the_caseworker_gets_the_notice_by_e_mail_with_the_policys_text(world: Notifications) -> None:
    _, alert = await an_absence(world)
    await world.sweep(MONDAY_9 + timedelta(minutes=120))
    notice = await notice_of(world, alert)
    assert notice is not None
    [mail] = await world.deliveries_of(notice)
    assert (mail.channel, mail.recipient, mail.org) == (Channel.EMAIL, "cw-1", JOBCENTRE)
    assert "Det er jobcentrets afgørelse" in mail.content["body"]
    assert mail.content["subject"].startswith("Underretning om fravær")


async def test_the_referring_organisations_webhooks_hear_of_the_unexplained_absence(world: Notifications) -> None:
    hook = Subscription(
        id=uuid4(),
        org=JOBCENTRE,
        url="https://jobcentre.example/hook",
        event_types=["absence.unexplained"],
        secret=new_secret(),
        owner_staff_id="admin-1",
        created_at=MONDAY_9,
    )
    async with world.uow() as uow:
        await uow.subscriptions.add(hook)
        await uow.commit()
    _, alert = await an_absence(world)
    await world.sweep(MONDAY_9 + timedelta(minutes=120))
    notice = await notice_of(world, alert)
    assert notice is not None
    calls = [d for d in await world.deliveries_of(notice) if d.channel is Channel.WEBHOOK]
    assert [(d.recipient, d.event_type) for d in calls] == [(str(hook.id), "absence.unexplained")]
    data = calls[0].content["data"]  # the partner contract's notice: the facts as its own fields
    assert (data["legal_basis"], data["reason"]) == ("LAB-32-1-2", "unexplained")
    assert not {"facts", "recipient_staff_id", "escalated_to"} & set(data)  # nothing of the provider's alert


@pytest.mark.parametrize(
    ("recipients", "mails"),
    [({NoticeRecipient.WEBHOOKS}, 0), ({NoticeRecipient.CASEWORKER}, 1)],
)
async def test_the_policy_says_who_hears_the_notice(
    world: Notifications, recipients: set[NoticeRecipient], mails: int
) -> None:
    policy = NotificationPolicy("LAB-32-1-2", 60, frozenset(recipients), "Vores tekst")
    async with world.uow() as uow:
        await uow.policies.put(PROVIDER, policy, "admin-1", MONDAY_9)
        await uow.commit()
    _, alert = await an_absence(world)
    assert (await world.sweep(MONDAY_9 + timedelta(minutes=60))).notices == 1
    notice = await notice_of(world, alert)
    assert notice is not None
    found = [d for d in await world.deliveries_of(notice) if d.channel is Channel.EMAIL]
    assert len(found) == mails
    if found:
        assert "Vores tekst" in found[0].content["body"]


@pytest.mark.parametrize(
    ("legal_basis", "minutes"),
    [("LAB-32-1-1", 120), ("LAB-42", 120), ("LAB-68b", 480), ("AKTL-68a", 480), ("ANYTHING", 240)],
)
async def test_the_notice_goes_at_the_legal_basis_deadline_and_not_before(
    world: Notifications, legal_basis: str, minutes: int
) -> None:
    from forlob_notifications.domain.directory import calendar_for
    from forlob_shared.working_time import WorkingHours
    from forlob_testkit.in_memory.notifications_world import OFFICE_HOURS

    _, alert = await an_absence(world, legal_basis=legal_basis)
    deadline = WorkingHours.of(OFFICE_HOURS, calendar_for("DK")).add_minutes(MONDAY_9, minutes)
    assert alert.notice_due_at == deadline
    assert (await world.sweep(deadline - timedelta(minutes=1))).notices == 0
    assert (await world.sweep(deadline)).notices == 1
    notice = await notice_of(world, alert)
    assert notice is not None
    assert notice.facts["legal_basis"] == legal_basis


async def test_a_late_arrival_after_the_deadline_sends_the_notice_first_with_the_arrival(
    world: Notifications,
) -> None:
    course, alert = await an_absence(world)
    world.clock.set(MONDAY_9 + timedelta(minutes=130))  # the sweep has not run yet
    arrived = AbsenceResolved(
        **world.of_course(course),
        absence_id=UUID(alert.facts["absence_id"]),
        resolution="late_arrival",
        minutes_late=140,  # 08:45 + 2 h 20 = 11:05, after the deadline at 11:00
        resolved_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await alerts.on_absence_resolved(uow, world.options, arrived)
        await uow.commit()
    notice = await notice_of(world, alert)
    assert notice is not None
    assert notice.facts["arrived_at"] == datetime(2026, 11, 23, 10, 5, tzinfo=UTC).isoformat()
    assert notice.facts["minutes_missed"] == 140
    closed = await current(world, alert)
    assert closed.state is AlertState.CLOSED
    assert closed.notice_sent_at == world.clock.now()


async def test_a_late_arrival_before_the_deadline_closes_without_notice(world: Notifications) -> None:
    course, alert = await an_absence(world)
    world.clock.advance(timedelta(minutes=30))
    arrived = AbsenceResolved(
        **world.of_course(course),
        absence_id=UUID(alert.facts["absence_id"]),
        resolution="late_arrival",
        minutes_late=45,
        resolved_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await alerts.on_absence_resolved(uow, world.options, arrived)
        await uow.commit()
    assert await notice_of(world, alert) is None
    assert (await world.sweep(MONDAY_9 + timedelta(hours=8))).notices == 0


async def test_a_reason_reported_after_the_deadline_is_in_the_notice(world: Notifications) -> None:
    course, alert = await an_absence(world)
    world.clock.set(MONDAY_9 + timedelta(minutes=125))
    reported = AbsenceResolved(
        **world.of_course(course),
        absence_id=UUID(alert.facts["absence_id"]),
        resolution="reported",
        reason=AbsenceReason.ILLNESS,
        resolved_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await alerts.on_absence_resolved(uow, world.options, reported)
        await uow.commit()
    notice = await notice_of(world, alert)
    assert notice is not None
    assert notice.facts["reason"] == "illness"
    assert notice.facts["reason_given_at"] == world.clock.now().isoformat()


async def test_a_notice_for_a_course_not_known_goes_unassigned_to_the_referring_org(world: Notifications) -> None:
    await world.staff_the_provider()
    alert = await world.detect(world.absence(Course()))
    assert alert is not None
    assert (await send_due_notices(world.uow(), world.options, MONDAY_9 + timedelta(hours=4))).notices == 1
    notice = await notice_of(world, alert)
    assert notice is not None
    assert (notice.org, notice.recipient_staff_id, notice.facts["legal_basis"]) == (JOBCENTRE, UNASSIGNED, None)

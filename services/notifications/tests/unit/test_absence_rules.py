"""An absence → an alert to the course's contact person, with its e-mail and webhooks, escalating
after the programme's working minutes; closed by an arrival, a report or the course's end.
The rules over the in-memory unit of work: no broker, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from forlob_notifications.application import alerts
from forlob_notifications.domain.alerts import UNASSIGNED, AlertKind, AlertState
from forlob_notifications.domain.deliveries import Channel
from forlob_notifications.domain.webhooks import Subscription, new_secret
from forlob_shared.events import (
    AbsenceReason,
    AbsenceResolved,
    AlertClosed,
    AlertRaised,
    ContactRecorded,
    DeclaredClosure,
    ProviderCalendarChanged,
)
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, MONDAY_9, PROVIDER, Course, Notifications

# Friday 27 November 2026, 15:50 in Copenhagen: ten working minutes left of the week.
FRIDAY_1550 = datetime(2026, 11, 27, 14, 50, tzinfo=UTC)
MONDAY_0800 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


async def subscribe(world: Notifications, org: str, *event_types: str) -> Subscription:
    subscription = Subscription(
        id=uuid4(),
        org=org,
        url="https://partner.example/hook",
        event_types=list(event_types),
        secret=new_secret(),
        owner_staff_id="admin-1",
        created_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await uow.subscriptions.add(subscription)
        await uow.commit()
    return subscription


async def test_an_absence_raises_an_alert_for_the_courses_contact_person(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    absence = world.absence(course)
    event_id = uuid4()
    alert = await world.detect(absence, event_id)
    assert alert is not None
    assert (alert.kind, alert.org, alert.recipient_staff_id) == (AlertKind.ABSENCE, PROVIDER, "kp-1")
    assert (alert.referral_id, alert.participant_id) == (course.referral_id, course.participant_id)
    assert (alert.cause_event_id, alert.occurred_at, alert.raised_at) == (event_id, absence.expected_at, MONDAY_9)
    assert alert.facts == {"absence_id": str(absence.absence_id), "window_end": absence.expected_end.isoformat()}  # type: ignore[union-attr]
    [raised] = world.published_of(AlertRaised)
    assert (raised.alert_id, raised.recipient_staff_id, raised.due_at) == (alert.id, "kp-1", alert.due_at)


async def test_the_contact_person_gets_an_e_mail_and_the_inbox_is_told(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    [mail] = await world.deliveries_of(alert)
    assert (mail.channel, mail.recipient, mail.event_type, mail.org) == (
        Channel.EMAIL,
        "kp-1",
        "alert.raised",
        PROVIDER,
    )
    assert mail.content["subject"].startswith("Fravær: deltager ref.")
    assert f"https://forlob.example/alerts/{alert.id}" in mail.content["body"]
    assert mail.give_up_at == MONDAY_9 + timedelta(hours=24)
    assert {"org": PROVIDER, "staff_id": "kp-1", "alert_id": str(alert.id), "change": "raised"} in world.inbox_notices
    assert world.uow().dispatcher_woken == 1


async def test_a_contact_person_without_e_mail_gets_the_inbox_only(world: Notifications) -> None:
    await world.put_staff("kp-1", email=None, channels=["inbox"])
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.recipient_staff_id == "kp-1"
    assert await world.deliveries_of(alert) == []
    assert world.uow().dispatcher_woken == 0


async def test_the_providers_alert_raised_webhooks_are_called_and_nobody_elses(world: Notifications) -> None:
    await world.staff_the_provider()
    mine = await subscribe(world, PROVIDER, "alert.raised")
    await subscribe(world, PROVIDER, "absence.unexplained")
    await subscribe(world, JOBCENTRE, "alert.raised")
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    hooks = [d for d in await world.deliveries_of(alert) if d.channel is Channel.WEBHOOK]
    assert [(d.recipient, d.event_type) for d in hooks] == [(str(mine.id), "alert.raised")]
    data = hooks[0].content["data"]
    assert data["link"] == f"https://api.forlob.example/alerts/{alert.id}"
    assert data["participant_ref"] == str(course.participant_id)


async def test_the_same_absence_twice_gives_one_alert_and_one_e_mail(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    absence = world.absence(course)
    first = await world.detect(absence, uuid4())
    again = await world.detect(absence, uuid4())  # another event id: a republished detection
    assert first is not None
    assert again is not None
    assert again.id == first.id
    assert len(await world.deliveries_of(first)) == 1
    assert len(world.published_of(AlertRaised)) == 1


async def test_two_absences_give_two_alerts(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    one = await world.detect(world.absence(course))
    two = await world.detect(world.absence(course, expected_at=MONDAY_9 + timedelta(hours=4)))
    assert one is not None
    assert two is not None
    assert one.id != two.id


async def test_escalation_is_due_after_the_programmes_working_minutes(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course(escalation_minutes=45)
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.due_at == MONDAY_9 + timedelta(minutes=45)


async def test_escalation_time_skips_the_evening_and_the_weekend(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    world.clock.set(FRIDAY_1550)
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.due_at == MONDAY_0800 + timedelta(minutes=20)  # 10 on Friday, 20 on Monday


async def test_escalation_follows_the_contact_persons_own_working_hours(world: Notifications) -> None:
    from datetime import time

    from forlob_shared.working_time import Window

    await world.put_staff("kp-1", team_leader_id="tl-1", working_hours=[Window(0, time(9, 30), time(12))])
    course = await world.start_course()
    alert = await world.detect(world.absence(course))  # Monday 09:00, work starts 09:30
    assert alert is not None
    assert alert.due_at == MONDAY_9 + timedelta(minutes=60)


async def test_a_providers_staff_day_counts_no_working_minutes(world: Notifications) -> None:
    await world.staff_the_provider()
    closed = ProviderCalendarChanged(
        provider_org=PROVIDER,
        closures=[
            DeclaredClosure(
                closure_id="sd", first_day=date(2026, 11, 30), last_day=date(2026, 11, 30), reason="staff_day"
            )
        ],
        customary_worked=[],
        changed_at=MONDAY_9,
    )
    async with world.uow() as uow:
        await uow.calendars.record(closed)
        await uow.commit()
    course = await world.start_course()
    world.clock.set(FRIDAY_1550)
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.due_at == MONDAY_0800 + timedelta(days=1, minutes=20)  # Tuesday 08:20


async def test_the_notice_deadline_follows_the_courses_legal_basis(world: Notifications) -> None:
    await world.staff_the_provider()
    quick = await world.start_course(legal_basis="LAB-32-1-2")  # 120 working minutes
    slow = await world.start_course(legal_basis="LAB-68a")  # 480: a whole working day
    other = await world.start_course(legal_basis=None)  # the fallback: 240
    deadlines = []
    for course in (quick, slow, other):
        alert = await world.detect(world.absence(course))
        assert alert is not None
        deadlines.append(alert.notice_due_at)
    assert deadlines == [
        MONDAY_9 + timedelta(minutes=120),
        MONDAY_9 + timedelta(minutes=420) + timedelta(hours=16, minutes=60),  # 7 h today, 1 h tomorrow
        MONDAY_9 + timedelta(minutes=240),
    ]


async def test_a_providers_own_policy_sets_the_notice_deadline(world: Notifications) -> None:
    from forlob_notifications.domain.policy import NoticeRecipient, NotificationPolicy

    await world.staff_the_provider()
    own = NotificationPolicy("LAB-32-1-2", 30, frozenset({NoticeRecipient.CASEWORKER}), "Egen tekst")
    async with world.uow() as uow:
        await uow.policies.put(PROVIDER, own, "admin-1", MONDAY_9)
        await uow.commit()
    course = await world.start_course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.notice_due_at == MONDAY_9 + timedelta(minutes=30)


async def test_a_swedish_course_has_the_swedish_default_deadline(world: Notifications) -> None:
    await world.put_staff("kp-1", team_leader_id="tl-1", country="SE")
    course = await world.start_course(country="SE", timezone="Europe/Stockholm", legal_basis="LAB-32-1-2")
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.notice_due_at == MONDAY_9 + timedelta(minutes=240)  # the Danish 120 does not apply


async def test_an_absence_before_the_course_is_known_waits_unassigned(world: Notifications) -> None:
    await world.staff_the_provider()
    alert = await world.detect(world.absence(Course()))
    assert alert is not None
    assert alert.recipient_staff_id == UNASSIGNED
    assert alert.due_at == MONDAY_9 + timedelta(minutes=30)  # the default, in default hours
    assert alert.notice_due_at == MONDAY_9 + timedelta(minutes=240)  # no legal basis known: the fallback
    assert await world.deliveries_of(alert) == []  # nobody to write to yet
    assert world.inbox_notices == []  # no person's stream to tell yet


async def test_an_absence_after_the_courses_end_raises_nothing(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    async with world.uow() as uow:
        await alerts.on_programme_ended(uow, world.options, world.ended(course, date(2026, 11, 20)), uuid4())
        await uow.commit()
    absence = world.absence(course)  # Monday 23 November, after the last day
    assert await world.detect(absence) is None


async def test_a_late_arrival_closes_the_alert(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    absence = world.absence(course)
    alert = await world.detect(absence)
    assert alert is not None
    world.clock.advance(timedelta(minutes=10))
    arrived = AbsenceResolved(
        **world.of_course(course),
        absence_id=absence.absence_id,
        resolution="late_arrival",
        minutes_late=20,
        resolved_at=world.clock.now(),
    )
    async with world.uow() as uow:
        await alerts.on_absence_resolved(uow, world.options, arrived)
        await uow.commit()
    closed = await world.alert_for(alert.cause_key)
    assert closed is not None
    assert (closed.state, closed.close_reason, closed.due_at) == (AlertState.CLOSED, "late_arrival", None)
    [event] = world.published_of(AlertClosed)
    assert event.reason == "late_arrival"
    assert world.inbox_notices[-1]["change"] == "closed"


async def test_a_resolution_of_an_unknown_absence_changes_nothing(world: Notifications) -> None:
    course = await world.start_course()
    unknown = AbsenceResolved(
        **world.of_course(course), absence_id=uuid4(), resolution="reported", resolved_at=MONDAY_9
    )
    async with world.uow() as uow:
        await alerts.on_absence_resolved(uow, world.options, unknown)
        await uow.commit()
    assert world.published == []


async def test_contact_attempts_are_counted_and_a_reason_in_time_means_no_notice(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    absence = world.absence(course)
    alert = await world.detect(absence)
    assert alert is not None
    for outcome, reason in (("called_no_answer", None), ("reason_given", AbsenceReason.ILLNESS)):
        contact = ContactRecorded(
            **world.of_course(course),
            absence_id=absence.absence_id,
            outcome=outcome,
            reason=reason,
            recorded_at=world.clock.now() + timedelta(minutes=5),
        )
        async with world.uow() as uow:
            await alerts.on_contact_recorded(uow, contact)
            await uow.commit()
    counted = await world.alert_for(alert.cause_key)
    assert counted is not None
    assert counted.contact_attempts == 2
    assert counted.facts["reason"] == "illness"
    assert counted.notice_due_at is None
    result = await world.sweep(MONDAY_9 + timedelta(hours=8))
    assert result.notices == 0


async def test_the_end_of_a_course_closes_its_absences_after_the_last_day_only(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    on_the_last_day = await world.detect(world.absence(course, expected_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC)))
    after = await world.detect(world.absence(course))  # Monday 23 November
    assert on_the_last_day is not None
    assert after is not None
    async with world.uow() as uow:
        await alerts.on_programme_ended(uow, world.options, world.ended(course, date(2026, 11, 20)), uuid4())
        await uow.commit()
    kept, closed = await world.alert_for(on_the_last_day.cause_key), await world.alert_for(after.cause_key)
    assert kept is not None
    assert closed is not None
    assert kept.state is AlertState.OPEN
    assert (closed.state, closed.close_reason) == (AlertState.CLOSED, "course_ended")
    assert (await world.sweep(MONDAY_9 + timedelta(days=2))).notices == 1  # the last day's absence only

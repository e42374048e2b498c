"""Who is whose contact person and caseworker, kept from the courses' events, and the alerts that
overtook their course's start handed over when it arrives: over the in-memory unit of work."""

from __future__ import annotations

from datetime import date, time
from uuid import uuid4

from forlob_notifications.application import alerts, directory
from forlob_notifications.domain.alerts import UNASSIGNED, AlertKind
from forlob_notifications.domain.deliveries import Channel
from forlob_shared.events import (
    AgreementChanged,
    ProgrammeStarted,
    ReferralReceived,
    ReferralWithdrawn,
    TimeWindow,
)
from forlob_testkit.in_memory.notifications_world import JOBCENTRE, MONDAY_9, PROVIDER, Course, Notifications


def referral(world: Notifications, course: Course, legal_basis: str | None = "LAB-42") -> ReferralReceived:
    return ReferralReceived(**world.of_course(course), legal_basis=legal_basis, received_at=MONDAY_9)


async def test_a_start_records_who_looks_after_the_course(world: Notifications) -> None:
    course = await world.start_course(escalation_minutes=45, country="SE", timezone="Europe/London")
    async with world.uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert (found.contact_person_id, found.team_leader_id, found.caseworker_id) == ("kp-1", "tl-1", "cw-1")
    assert (found.escalation_minutes, found.country, found.timezone, found.state) == (
        45,
        "SE",
        "Europe/London",
        "started",
    )
    assert (found.provider_org, found.referring_org, found.participant_id) == (
        PROVIDER,
        JOBCENTRE,
        course.participant_id,
    )


async def test_a_start_without_a_legal_basis_keeps_the_referrals(world: Notifications) -> None:
    course = Course()
    async with world.uow() as uow:
        await directory.record_referrals_received(uow, [referral(world, course, "LAB-68a")])
        await uow.commit()
    await world.start_course(course, legal_basis=None)
    async with world.uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert (found.legal_basis, found.contact_person_id, found.state) == ("LAB-68a", "kp-1", "started")


async def test_a_referral_after_the_start_keeps_what_the_start_wrote(world: Notifications) -> None:
    course = await world.start_course(legal_basis="LAB-42")
    async with world.uow() as uow:
        await directory.record_referrals_received(uow, [referral(world, course, None)])
        await uow.commit()
    async with world.uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert (found.legal_basis, found.contact_person_id, found.state) == ("LAB-42", "kp-1", "started")


async def test_a_changed_agreement_names_the_new_contact_person(world: Notifications) -> None:
    course = await world.start_course()
    changed = AgreementChanged(
        **world.of_course(course),
        effective_from=date(2026, 12, 1),
        schedule=[TimeWindow(weekday=0, start=time(8), end=time(12))],
        contact_person_id="kp-9",
        team_leader_id=None,
        changed_at=MONDAY_9,
    )
    async with world.uow() as uow:
        await directory.record_agreement_changed(uow, changed)
        await uow.commit()
    async with world.uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert (found.contact_person_id, found.team_leader_id) == ("kp-9", "tl-1")  # no new leader: the old stays


async def test_a_withdrawn_referral_closes_the_course(world: Notifications) -> None:
    course = await world.start_course()
    withdrawn = ReferralWithdrawn(
        **world.of_course(course), previous_state="accepted", reason_code="moved", withdrawn_at=MONDAY_9
    )
    async with world.uow() as uow:
        await directory.record_referral_closed(uow, withdrawn)
        await uow.commit()
    async with world.uow() as uow:
        found = await uow.assignments.get(course.referral_id)
    assert found is not None
    assert found.state == "closed"


async def test_an_alert_that_overtook_the_start_goes_to_the_contact_person_with_its_e_mail(
    world: Notifications,
) -> None:
    await world.staff_the_provider()
    course = Course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    assert alert.recipient_staff_id == UNASSIGNED
    await world.start_course(course)
    handed = await world.alert_for(alert.cause_key)
    assert handed is not None
    assert handed.recipient_staff_id == "kp-1"
    [mail] = await world.deliveries_of(alert)
    assert (mail.channel, mail.recipient, mail.event_type) == (Channel.EMAIL, "kp-1", "alert.raised")
    assert {"org": PROVIDER, "staff_id": "kp-1", "alert_id": str(alert.id), "change": "raised"} in world.inbox_notices


async def test_a_breach_that_overtook_the_start_goes_to_the_caseworker(world: Notifications) -> None:
    await world.staff_the_provider()
    course = Course()
    async with world.uow() as uow:
        await alerts.on_agreement_breached(uow, world.options, world.breach(course), uuid4())
        await uow.commit()
    async with world.uow() as uow:
        [waiting] = await uow.alerts.unassigned(course.referral_id)
    assert waiting.kind is AlertKind.BREACH
    await world.start_course(course)
    handed = await world.alert_for(waiting.cause_key)
    assert handed is not None
    assert handed.recipient_staff_id == "cw-1"


async def test_another_courses_start_hands_nothing_over(world: Notifications) -> None:
    await world.staff_the_provider()
    waiting_course = Course()
    alert = await world.detect(world.absence(waiting_course))
    assert alert is not None
    await world.start_course()  # a different course
    still = await world.alert_for(alert.cause_key)
    assert still is not None
    assert still.recipient_staff_id == UNASSIGNED


async def test_many_starts_at_once_hand_over_as_each_start_alone_would(world: Notifications) -> None:
    await world.staff_the_provider()
    courses = [Course() for _ in range(3)]
    waiting = []
    for course in courses:
        alert = await world.detect(world.absence(course))
        assert alert is not None
        waiting.append(alert)
    starts: list[ProgrammeStarted] = [
        world.programme_started(course, contact_person_id=f"kp-{n}") for n, course in enumerate(courses, 1)
    ]
    async with world.uow() as uow:
        await directory.record_programmes_started(uow, starts)
        assigned = await alerts.assign_waiting_alerts_of(uow, world.options, starts)
        await uow.commit()
    assert assigned == 3
    recipients = [(await world.alert_for(a.cause_key)).recipient_staff_id for a in waiting]  # type: ignore[union-attr]
    assert recipients == ["kp-1", "kp-2", "kp-3"]


async def test_a_start_without_a_contact_person_leaves_the_alert_waiting(world: Notifications) -> None:
    await world.staff_the_provider()
    course = Course()
    alert = await world.detect(world.absence(course))
    assert alert is not None
    started = world.programme_started(course, contact_person_id="")
    async with world.uow() as uow:
        await directory.record_programme_started(uow, started)
        assert await alerts.assign_waiting_alerts(uow, world.options, started) == 0
        await uow.commit()
    still = await world.alert_for(alert.cause_key)
    assert still is not None
    assert still.recipient_staff_id == UNASSIGNED


async def test_a_breach_goes_to_the_referring_caseworker_and_the_referring_orgs_webhooks(
    world: Notifications,
) -> None:
    from forlob_notifications.domain.webhooks import Subscription, new_secret

    await world.staff_the_provider()
    hook = Subscription(
        id=uuid4(),
        org=JOBCENTRE,
        url="https://jobcentre.example/hook",
        event_types=["attendance.agreement_breached"],
        secret=new_secret(),
        owner_staff_id="admin-1",
        created_at=MONDAY_9,
    )
    async with world.uow() as uow:
        await uow.subscriptions.add(hook)
        await uow.commit()
    course = await world.start_course()
    breach = world.breach(course)
    async with world.uow() as uow:
        await alerts.on_agreement_breached(uow, world.options, breach, uuid4())
        await uow.commit()
    alert = await world.alert_for(f"breach:{breach.breach_id}")
    assert alert is not None
    assert (alert.org, alert.recipient_staff_id, alert.kind) == (JOBCENTRE, "cw-1", AlertKind.BREACH)
    assert alert.facts == {"rule": breach.rule, "unexcused_absences": 3, "window": "2026-11-02..2026-11-22"}
    kinds = sorted((d.channel.value, d.recipient) for d in await world.deliveries_of(alert))
    assert kinds == [("email", "cw-1"), ("webhook", str(hook.id))]


async def test_a_courses_end_tells_the_caseworker_the_closing_note_is_ready(world: Notifications) -> None:
    await world.staff_the_provider()
    course = await world.start_course()
    async with world.uow() as uow:
        await alerts.on_programme_ended(uow, world.options, world.ended(course, date(2026, 11, 20)), uuid4())
        await uow.commit()
    alert = await world.alert_for(f"ended:{course.referral_id}")
    assert alert is not None
    assert (alert.kind, alert.recipient_staff_id, alert.facts) == (
        AlertKind.CLOSING_NOTE_READY,
        "cw-1",
        {"outcome": "ordinary_employment"},
    )
    async with world.uow() as uow:
        ended = await uow.assignments.get(course.referral_id)
    assert ended is not None
    assert (ended.state, ended.end_date) == ("ended", date(2026, 11, 20))

"""From events to alerts, and what people do with them.

Every alert is stored with the deliveries it causes (e-mail, webhooks) in one transaction; the
dispatcher sends them afterwards. The alert's cause is a unique key, so an event delivered twice
(or a race between replicas) gives one alert and one e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from forlob_notifications.application.options import Options
from forlob_notifications.db.calendars import with_closures
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.domain import content
from forlob_notifications.domain.alerts import COURSE_ENDED, UNASSIGNED, Alert, AlertKind, AlertState, new_alert_id
from forlob_notifications.domain.deliveries import Channel, Delivery, new_delivery
from forlob_notifications.domain.directory import Assignment, StaffMember, calendar_for
from forlob_notifications.domain.policy import effective
from forlob_notifications.partners import notices as partner_notices
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.events import (
    AbsenceDetected,
    AbsenceResolved,
    AgreementBreached,
    ContactRecorded,
    ProgrammeEnded,
    ProgrammeStarted,
)
from forlob_shared.http.auth import Principal
from forlob_shared.logging import get_logger
from forlob_shared.texts import language_of_country
from forlob_shared.working_time import WorkingHours

log = get_logger("forlob.notifications.alerts")


def _hours(member: StaffMember | None, calendar: ProviderCalendar) -> WorkingHours:
    return member.hours(calendar) if member else WorkingHours.of([], calendar)


async def _email(
    uow: NotificationsUnitOfWork,
    options: Options,
    alert: Alert,
    staff_id: str,
    now: datetime,
    *,
    escalated: bool = False,
    notice_text: str | None = None,
    member: StaffMember | None = None,
) -> list[Delivery]:
    """An e-mail to a staff member who takes e-mail (the address is looked up when it is sent)."""
    member = member or await uow.staff.get(alert.org, staff_id)
    if member is None or not member.wants("email"):
        return []
    lang, zone = await _language_and_zone(uow, alert, member)
    message = content.email(alert, options.web_url, escalated=escalated, notice_text=notice_text, lang=lang, zone=zone)
    kind = "alert.escalated" if escalated else "alert.raised"
    return [
        new_delivery(
            org=alert.org,
            channel=Channel.EMAIL,
            recipient=staff_id,
            event_type=kind,
            content=message,
            now=now,
            retry_window=options.retry_window,
            alert_id=alert.id,
        )
    ]


async def _language_and_zone(uow: NotificationsUnitOfWork, alert: Alert, member: StaffMember) -> tuple[str, ZoneInfo]:
    """An e-mail speaks the provider's language and clock: the course's country when it is known
    (its programme's), else the recipient's own."""
    assignment = await uow.assignments.get(alert.referral_id) if alert.referral_id else None
    calendar = assignment.calendar() if assignment else calendar_for(member.country, member.timezone)
    return language_of_country(calendar.country), calendar.zone


async def _webhooks(
    uow: NotificationsUnitOfWork, options: Options, alert: Alert, event_types: list[str], now: datetime
) -> list[Delivery]:
    deliveries = []
    for event_type in event_types:
        for subscription in await uow.subscriptions.wanting(alert.org, event_type):
            deliveries.append(
                new_delivery(
                    org=alert.org,
                    channel=Channel.WEBHOOK,
                    recipient=str(subscription.id),
                    event_type=event_type,
                    content=content.webhook_payload(alert, event_type, options.api_url, now),
                    now=now,
                    retry_window=options.retry_window,
                    alert_id=alert.id,
                )
            )
    return deliveries


async def _raise(
    uow: NotificationsUnitOfWork,
    options: Options,
    alert: Alert,
    *,
    partner_types: list[str] | None = None,
    notice_text: str | None = None,
    email: bool = True,
    recipient: StaffMember | None = None,
) -> bool:
    """Store a new alert with its deliveries; False (and nothing written) if its cause has one."""
    if not await uow.alerts.add(alert):
        return False
    now = alert.raised_at
    deliveries: list[Delivery] = []
    if email and alert.recipient_staff_id != UNASSIGNED:
        deliveries += await _email(
            uow, options, alert, alert.recipient_staff_id, now, notice_text=notice_text, member=recipient
        )
    types = ["alert.raised", *(partner_types or [])]
    deliveries += await _webhooks(uow, options, alert, types, now)
    await uow.deliveries.add(*deliveries)
    uow.emit(alert.raised())
    uow.inbox_changed(alert.org, [alert.recipient_staff_id], alert.id, "raised")
    if deliveries:
        uow.wake_dispatcher()
    return True


# -- rules: events in, alerts out (the consumer's unit of work is open) ---------------------------


async def on_absence_detected(
    uow: NotificationsUnitOfWork, options: Options, event: AbsenceDetected, event_id: UUID
) -> None:
    """An absence → an alert to the contact person, escalating after the programme's working minutes."""
    assignment = await _assignment_for(uow, event.referral_id, "contact_person_id")
    if assignment is not None and assignment.end_date is not None and event.day > assignment.end_date:
        # Detected before attendance knew of the end: there was no arrival to expect that day.
        log.info("alerts.absence_after_course_end", end_date=assignment.end_date.isoformat())
        await uow.commit()
        return
    # The provider's own closures count no working time either (a summer closure is not 30 minutes).
    calendar = await with_closures(
        uow.session, event.provider_org, assignment.calendar() if assignment else calendar_for()
    )
    contact = (assignment.contact_person_id if assignment else None) or UNASSIGNED
    member = await uow.staff.get(event.provider_org, contact)
    hours = _hours(member, calendar)
    escalate_after = assignment.escalation_minutes if assignment else 30
    policy = effective(
        assignment.legal_basis if assignment else None,
        await uow.policies.own(event.provider_org),
        calendar.country,  # a Swedish provider has Swedish defaults
    )
    alert = Alert(
        id=new_alert_id(),
        org=event.provider_org,
        kind=AlertKind.ABSENCE,
        cause_key=f"absence:{event.absence_id}",
        cause_event_id=event_id,
        recipient_staff_id=contact,
        provider_org=event.provider_org,
        referring_org=event.referring_org,
        referral_id=event.referral_id,
        participant_id=event.participant_id,
        programme_code=event.programme_code,
        occurred_at=event.expected_at,
        raised_at=uow.clock.now(),
        # Counted from detection, so an event handled late does not get extra time.
        due_at=hours.add_minutes(event.detected_at, escalate_after),
        notice_due_at=hours.add_minutes(event.detected_at, policy.notify_within_working_minutes),
        facts=_absence_facts(event),
    )
    await _raise(uow, options, alert, recipient=member)
    await uow.commit()


def _absence_facts(event: AbsenceDetected) -> dict[str, object]:
    facts: dict[str, object] = {"absence_id": str(event.absence_id)}
    if event.expected_end is not None:  # the window missed: the most minutes the notice may count
        facts["window_end"] = event.expected_end.isoformat()
    return facts


async def _assignment_for(uow: NotificationsUnitOfWork, referral_id: UUID, recipient: str) -> Assignment | None:
    """The course's assignment, for an alert to the person in its ``recipient`` field.

    Without that person the alert would be raised unassigned, and the course's start may be
    handled at this very moment in another lane: it writes the assignment, then looks for
    unassigned alerts, and neither transaction would see the other's work. Under the course's
    lock (also taken by ``assign_waiting_alerts``) one comes after the other, so the alert either
    finds the person or is found by the start. Only then: the usual case takes no lock, which
    matters when a consumer applies many deliveries in one transaction.
    """
    assignment = await uow.assignments.get(referral_id)
    if assignment is not None and getattr(assignment, recipient):
        return assignment
    await uow.assignments.lock(referral_id)
    return await uow.assignments.get(referral_id, fresh=True)


async def assign_waiting_alerts(uow: NotificationsUnitOfWork, options: Options, started: ProgrammeStarted) -> int:
    return await assign_waiting_alerts_of(uow, options, [started])


async def assign_waiting_alerts_of(
    uow: NotificationsUnitOfWork, options: Options, starts: Sequence[ProgrammeStarted]
) -> int:
    """Give courses' unassigned alerts to the people their starts name (the caller has just
    written them to the directory).

    A course's start and its first absence are different aggregates in one queue, handled side
    by side, so after a backlog the absence can be handled first and find no contact person.
    When the assignment arrives, such alerts go to the contact person (absences) or the
    referring caseworker (the rest), with the e-mail they would have had. The caller commits.
    """
    by_course = {start.referral_id: start for start in starts}
    await uow.assignments.lock_many(by_course)  # an alert being raised unassigned commits before we look
    now, assigned = uow.clock.now(), 0
    for alert in await uow.alerts.unassigned_of(by_course):
        started = by_course.get(alert.referral_id) if alert.referral_id else None
        if started is None:  # not one of these courses' (the query asked for them alone)
            continue
        staff_id = started.contact_person_id if alert.kind is AlertKind.ABSENCE else started.caseworker_id
        if not staff_id:
            continue
        alert.recipient_staff_id = staff_id
        await uow.alerts.save(alert)
        deliveries = await _email(uow, options, alert, staff_id, now)
        await uow.deliveries.add(*deliveries)
        uow.inbox_changed(alert.org, [staff_id], alert.id, "raised")
        if deliveries:
            uow.wake_dispatcher()
        assigned += 1
    if assigned:
        log.info("alerts.assigned_late", courses=len(by_course), alerts=assigned)
    return assigned


async def on_absence_resolved(uow: NotificationsUnitOfWork, options: Options, event: AbsenceResolved) -> None:
    """A late arrival or a reason given afterwards closes the alert by itself.

    Explained after the notice's deadline (and before the sweep told the referring side), the
    absence was still unexplained when the policy says the jobcentre must hear of it: the notice
    goes now, with the arrival or the reason in its facts, then the alert closes.
    """
    alert = await uow.alerts.by_cause(f"absence:{event.absence_id}", for_update=True)
    if alert is not None:
        explained_at = event.resolved_at
        if event.resolution == "late_arrival" and event.minutes_late is not None and alert.occurred_at is not None:
            explained_at = alert.occurred_at + timedelta(minutes=event.minutes_late)  # the check-in's time
        if alert.state is not AlertState.CLOSED and alert.notice_owed(explained_at):
            if event.resolution == "late_arrival":
                alert.arrived(explained_at)
            elif event.reason is not None:
                alert.reason_given(event.reason.value, explained_at)
            await _send_notice(uow, options, alert, uow.clock.now())
        closed = alert.close(event.resolution, uow.clock.now())
        if closed is not None:
            await uow.alerts.save(alert)
            uow.emit(closed)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "closed")
    await uow.commit()


async def on_contact_recorded(uow: NotificationsUnitOfWork, event: ContactRecorded) -> None:
    alert = await uow.alerts.by_cause(f"absence:{event.absence_id}", for_update=True)
    if alert is not None:
        alert.contact_attempts += 1
        if event.reason is not None:  # explained: in time, no notice; later, the notice says why
            alert.reason_given(event.reason.value, event.recorded_at)
        await uow.alerts.save(alert)
    await uow.commit()


async def _caseworker_alert(
    uow: NotificationsUnitOfWork,
    *,
    kind: AlertKind,
    cause_key: str,
    event_id: UUID,
    assignment: Assignment | None,
    referral_id: UUID,
    participant_id: UUID,
    programme_code: str,
    provider_org: str,
    referring_org: str,
    occurred_at: datetime,
    facts: dict[str, object],
) -> Alert:
    return Alert(
        id=new_alert_id(),
        org=referring_org,
        kind=kind,
        cause_key=cause_key,
        cause_event_id=event_id,
        recipient_staff_id=(assignment.caseworker_id if assignment else None) or UNASSIGNED,
        provider_org=provider_org,
        referring_org=referring_org,
        referral_id=referral_id,
        participant_id=participant_id,
        programme_code=programme_code,
        occurred_at=occurred_at,
        raised_at=uow.clock.now(),
        facts=facts,
    )


async def on_agreement_breached(
    uow: NotificationsUnitOfWork, options: Options, event: AgreementBreached, event_id: UUID
) -> None:
    """A breach → the referring caseworker (e-mail, inbox) and the referring organisation's webhooks."""
    assignment = await _assignment_for(uow, event.referral_id, "caseworker_id")
    alert = await _caseworker_alert(
        uow,
        kind=AlertKind.BREACH,
        cause_key=f"breach:{event.breach_id}",
        event_id=event_id,
        assignment=assignment,
        referral_id=event.referral_id,
        participant_id=event.participant_id,
        programme_code=event.programme_code,
        provider_org=event.provider_org,
        referring_org=event.referring_org,
        occurred_at=event.detected_at,
        facts={
            "rule": event.rule,
            "unexcused_absences": event.unexcused_absences,
            "window": f"{event.window_first_day.isoformat()}..{event.window_last_day.isoformat()}",
        },
    )
    if await _raise(uow, options, alert):  # the referring organisation's systems hear it in the partner contract
        await partner_notices.agreement_breached(uow, options, event, alert.id)
    await uow.commit()


async def on_programme_ended(
    uow: NotificationsUnitOfWork, options: Options, event: ProgrammeEnded, event_id: UUID
) -> None:
    """The course ended → the caseworker hears that the closing note is ready; absences after
    its end close."""
    assignment = await uow.assignments.get(event.referral_id, for_update=True)
    await _close_absences_after_the_end(uow, event, assignment)
    alert = await _caseworker_alert(
        uow,
        kind=AlertKind.CLOSING_NOTE_READY,
        cause_key=f"ended:{event.referral_id}",
        event_id=event_id,
        assignment=assignment,
        referral_id=event.referral_id,
        participant_id=event.participant_id,
        programme_code=event.programme_code,
        provider_org=event.provider_org,
        referring_org=event.referring_org,
        occurred_at=event.ended_at,
        facts={"outcome": event.outcome.value},
    )
    # Partners hear the end as the event itself (partner_events), not as this alert.
    await _raise(uow, options, alert)
    if assignment is not None:
        assignment.state = "ended"
        assignment.end_date = event.end_date
        await uow.assignments.save(assignment)
    await uow.commit()


async def _close_absences_after_the_end(
    uow: NotificationsUnitOfWork, event: ProgrammeEnded, assignment: Assignment | None
) -> None:
    """An end that reaches us late (a backlog, an outage overnight) comes after attendance's next
    sweep has detected absences on days the course no longer had, and raised their alerts. They
    close as ``course_ended``: nobody is to chase or escalate them, and the referring side gets
    no notice of them. Absences up to the last day stay as they are. (One detected after the end
    is handled here raises no alert: :func:`on_absence_detected` reads the end date.)"""
    if assignment is None:
        return
    calendar = assignment.calendar()
    day_after = calendar.at(event.end_date + timedelta(days=1), time(0, 0))
    now, closed = uow.clock.now(), 0
    for alert in await uow.alerts.unresolved_absences(event.referral_id, occurred_from=day_after):
        closing = alert.close(COURSE_ENDED, now)
        if closing is not None:
            await uow.alerts.save(alert)
            uow.emit(closing)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "closed")
            closed += 1
    if closed:
        log.info("alerts.closed_after_course_end", alerts=closed, end_date=event.end_date.isoformat())


# -- rules that run on time: escalation and the notice to the referring side --------------------


@dataclass(frozen=True)
class SweepResult:
    escalated: int = 0
    unescalatable: int = 0
    notices: int = 0


async def escalate_due(uow: NotificationsUnitOfWork, options: Options, now: datetime) -> SweepResult:
    """Escalate every open alert past its due time to the team leader (one batch, one transaction)."""
    escalated = unescalatable = 0
    async with uow:
        for alert in await uow.alerts.due(now, options.batch_size):
            leader = await _team_leader(uow, alert)
            if leader is None:
                alert.give_up_escalation()  # stays open in the inbox; nobody above to tell
                unescalatable += 1
            else:
                uow.emit(alert.escalate(leader, now))
                deliveries = await _email(uow, options, alert, leader, now, escalated=True)
                await uow.deliveries.add(*deliveries)
                if deliveries:
                    uow.wake_dispatcher()
                uow.inbox_changed(alert.org, [alert.recipient_staff_id, leader], alert.id, "escalated")
                escalated += 1
            await uow.alerts.save(alert)
        await uow.commit()
    return SweepResult(escalated=escalated, unescalatable=unescalatable)


async def _team_leader(uow: NotificationsUnitOfWork, alert: Alert) -> str | None:
    if alert.referral_id is not None:
        assignment = await uow.assignments.get(alert.referral_id)
        if assignment is not None and assignment.team_leader_id:
            return assignment.team_leader_id
    member = await uow.staff.get(alert.org, alert.recipient_staff_id)
    return member.team_leader_id if member else None


async def send_due_notices(uow: NotificationsUnitOfWork, options: Options, now: datetime) -> SweepResult:
    """Absences still unexplained at the policy's deadline → told to the referring organisation."""
    notices = 0
    async with uow:
        for absence in await uow.alerts.notice_due(now, options.batch_size):
            await _send_notice(uow, options, absence, now)
            await uow.alerts.save(absence)
            notices += 1
        await uow.commit()
    return SweepResult(notices=notices)


async def _send_notice(uow: NotificationsUnitOfWork, options: Options, absence: Alert, now: datetime) -> None:
    """The notice of an absence to the referring organisation, with the facts known ``now``
    (the caller saves the absence, now marked as told)."""
    assignment = await uow.assignments.get(absence.referral_id) if absence.referral_id else None
    legal_basis = assignment.legal_basis if assignment else None
    country = assignment.country if assignment else "DK"
    policy = effective(legal_basis, await uow.policies.own(absence.provider_org), country)
    notice = Alert(
        id=new_alert_id(),
        org=absence.referring_org or absence.provider_org,
        kind=AlertKind.ABSENCE_NOTICE,
        cause_key=f"notice:{absence.cause_key}",
        cause_event_id=absence.cause_event_id,
        recipient_staff_id=(assignment.caseworker_id if assignment else None) or UNASSIGNED,
        provider_org=absence.provider_org,
        referring_org=absence.referring_org,
        referral_id=absence.referral_id,
        participant_id=absence.participant_id,
        programme_code=absence.programme_code,
        occurred_at=absence.occurred_at,
        raised_at=now,
        facts=absence.notice_facts(now, legal_basis),
    )
    wants = {r.value for r in policy.recipients}
    raised = await _raise(uow, options, notice, notice_text=policy.notice_text, email="caseworker" in wants)
    if raised and "webhooks" in wants:  # the referring organisation's systems: its feed and webhooks
        await partner_notices.absence_unexplained(uow, options, notice, absence)
    absence.notice_sent_at = now


async def run_due_rules(
    uow_factory: Callable[[], NotificationsUnitOfWork], options: Options, now: datetime
) -> SweepResult:
    """One sweep of the time-driven rules; the periodic task calls it, and so do tests."""
    escalations = await escalate_due(uow_factory(), options, now)
    notices = await send_due_notices(uow_factory(), options, now)
    return SweepResult(escalations.escalated, escalations.unescalatable, notices.notices)


# -- what people do -----------------------------------------------------------------------------


async def acknowledge(
    uow: NotificationsUnitOfWork, person: Principal, alert_id: UUID, note: str | None = None
) -> Alert:
    async with uow:
        alert = await uow.alerts.get(alert_id, person.org, for_update=True)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        event = alert.acknowledge(person.staff_id, uow.clock.now(), note)
        if event is not None:
            await uow.alerts.save(alert)
            uow.emit(event)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "acknowledged")
            await uow.commit()
    return alert


@dataclass(frozen=True)
class InboxQuery:
    states: list[str] | None = None
    kinds: list[str] | None = None
    since: datetime | None = None
    everyone: bool = False  # the whole organisation's alerts (team leaders and coordinators)
    limit: int = 100

    def __post_init__(self) -> None:
        bad_states = set(self.states or []) - {s.value for s in AlertState}
        bad_kinds = set(self.kinds or []) - {k.value for k in AlertKind}
        if bad_states or bad_kinds:
            raise InvalidInput(
                f"unknown filter value(s): {', '.join(sorted(bad_states | bad_kinds))}",
                states=[s.value for s in AlertState],
                kinds=[k.value for k in AlertKind],
            )


async def inbox(uow: NotificationsUnitOfWork, person: Principal, query: InboxQuery) -> list[Alert]:
    if query.everyone:
        person.require("team_leader", "coordinator", "admin")
    async with uow:
        return await uow.alerts.inbox(
            person.org,
            None if query.everyone else person.staff_id,
            states=query.states,
            kinds=query.kinds,
            since=query.since,
            limit=query.limit,
        )


async def get_alert_only(uow: NotificationsUnitOfWork, person: Principal, alert_id: UUID) -> Alert:
    async with uow:
        alert = await uow.alerts.get(alert_id, person.org)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


async def get_alert(uow: NotificationsUnitOfWork, person: Principal, alert_id: UUID) -> tuple[Alert, list[Delivery]]:
    async with uow:
        alert = await uow.alerts.get(alert_id, person.org)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        return alert, await uow.deliveries.for_alert(alert.id)

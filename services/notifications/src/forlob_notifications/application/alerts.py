"""From events to alerts: the rules the consumer applies (its unit of work is open).

An absence goes to the course's contact person, a breach and a course's end to the referring
caseworker; a late arrival or a reason closes the absence's alert. Raising is in ``raising``,
late assignment in ``assigning``, the time-driven rules in ``sweep``, what people do in ``inbox``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID

# Re-exported: the event handlers and the background task call them by this module's name.
from forlob_notifications.application.assigning import assign_waiting_alerts as assign_waiting_alerts
from forlob_notifications.application.assigning import assign_waiting_alerts_of as assign_waiting_alerts_of
from forlob_notifications.application.assigning import assignment_for
from forlob_notifications.application.notices import send_notice
from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import hours_of, raise_alert
from forlob_notifications.application.sweep import run_due_rules as run_due_rules
from forlob_notifications.domain.alerts import COURSE_ENDED, UNASSIGNED, Alert, AlertKind, AlertState, new_alert_id
from forlob_notifications.domain.directory import Assignment, calendar_for
from forlob_notifications.domain.policy import effective
from forlob_notifications.partners import notices as partner_notices
from forlob_shared.events import (
    AbsenceDetected,
    AbsenceResolved,
    AgreementBreached,
    ContactRecorded,
    ProgrammeEnded,
)
from forlob_shared.logging import get_logger

log = get_logger("forlob.notifications.alerts")


async def on_absence_detected(uow: NotificationsUnit, options: Options, event: AbsenceDetected, event_id: UUID) -> None:
    """An absence → an alert to the contact person, escalating after the programme's working minutes."""
    assignment = await assignment_for(uow, event.referral_id, "contact_person_id")
    if assignment is not None and assignment.end_date is not None and event.day > assignment.end_date:
        # Detected before attendance knew of the end: there was no arrival to expect that day.
        log.info("alerts.absence_after_course_end", end_date=assignment.end_date.isoformat())
        return
    # The provider's own closures count no working time either (a summer closure is not 30 minutes).
    calendar = await uow.calendars.with_closures(
        event.provider_org, assignment.calendar() if assignment else calendar_for()
    )
    contact = (assignment.contact_person_id if assignment else None) or UNASSIGNED
    member = await uow.staff.get(event.provider_org, contact)
    hours = hours_of(member, calendar)
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
    await raise_alert(uow, options, alert, recipient=member, course=assignment)  # read once, above


def _absence_facts(event: AbsenceDetected) -> dict[str, object]:
    facts: dict[str, object] = {"absence_id": str(event.absence_id)}
    if event.expected_end is not None:  # the window missed: the most minutes the notice may count
        facts["window_end"] = event.expected_end.isoformat()
    if event.meeting_id is not None:  # a planned meeting missed: the same rules, its own words
        facts["meeting_id"] = str(event.meeting_id)
    return facts


async def on_absence_resolved(uow: NotificationsUnit, options: Options, event: AbsenceResolved) -> None:
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
            await send_notice(uow, options, alert, uow.clock.now())
        closed = alert.close(event.resolution, uow.clock.now())
        if closed is not None:
            await uow.alerts.save(alert)
            uow.emit(closed)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "closed")


async def on_contact_recorded(uow: NotificationsUnit, event: ContactRecorded) -> None:
    alert = await uow.alerts.by_cause(f"absence:{event.absence_id}", for_update=True)
    if alert is not None:
        alert.contact_attempts += 1
        if event.reason is not None:  # explained: in time, no notice; later, the notice says why
            alert.reason_given(event.reason.value, event.recorded_at)
        await uow.alerts.save(alert)


async def _caseworker_alert(
    uow: NotificationsUnit,
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
    uow: NotificationsUnit, options: Options, event: AgreementBreached, event_id: UUID
) -> None:
    """A breach → the referring caseworker (e-mail, inbox) and the referring organisation's webhooks."""
    assignment = await assignment_for(uow, event.referral_id, "caseworker_id")
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
    if await raise_alert(uow, options, alert):  # the referring organisation's systems hear it in the partner contract
        await partner_notices.agreement_breached(uow, options, event, alert.id)


async def on_programme_ended(uow: NotificationsUnit, options: Options, event: ProgrammeEnded, event_id: UUID) -> None:
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
    await raise_alert(uow, options, alert)
    if assignment is not None:
        assignment.state = "ended"
        assignment.end_date = event.end_date
        await uow.assignments.save(assignment)


async def _close_absences_after_the_end(
    uow: NotificationsUnit, event: ProgrammeEnded, assignment: Assignment | None
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

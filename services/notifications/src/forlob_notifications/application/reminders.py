"""Reminders for the shapes without a timetable: a meetings course with no meeting planned within
its cadence (to the course's contact person), an outreach case whose next contact attempt is
late (to the team member). A reminder closes by itself when the thing it asks for happens: a
meeting planned for the course, a contact attempt on the case.

Reminders are for the provider's own staff: no notice, no partner event (an outreach case has
no referral and no referring organisation at all). They do not escalate: they are not about a
person in danger or a participant gone missing, and stay open in the inbox until done.
"""

from __future__ import annotations

from uuid import UUID

from forlob_notifications.application.assigning import assignment_for
from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import raise_alert
from forlob_notifications.domain.alerts import (
    CONTACT_ATTEMPTED,
    MEETING_PLANNED,
    UNASSIGNED,
    Alert,
    AlertKind,
    new_alert_id,
)
from forlob_shared.events import MeetingCadenceOverdue, MeetingPlanned, OutreachContactAttempted, OutreachContactOverdue


def meeting_reminder_prefix(referral_id: UUID) -> str:
    return f"meeting_overdue:{referral_id}:"


def contact_reminder_prefix(case_id: UUID) -> str:
    return f"outreach_contact_overdue:{case_id}:"


async def on_cadence_overdue(
    uow: NotificationsUnit, options: Options, event: MeetingCadenceOverdue, event_id: UUID
) -> None:
    """No meeting within the agreed interval → a reminder to the course's contact person (one per
    due day: the same overdue told twice is one reminder)."""
    assignment = await assignment_for(uow, event.referral_id, "contact_person_id")
    contact = (assignment.contact_person_id if assignment else None) or UNASSIGNED
    alert = Alert(
        id=new_alert_id(),
        org=event.provider_org,
        kind=AlertKind.MEETING_OVERDUE,
        cause_key=f"{meeting_reminder_prefix(event.referral_id)}{event.due_by.isoformat()}",
        cause_event_id=event_id,
        recipient_staff_id=contact,
        provider_org=event.provider_org,
        referring_org=event.referring_org,
        referral_id=event.referral_id,
        participant_id=event.participant_id,
        programme_code=event.programme_code,
        occurred_at=event.detected_at,
        raised_at=uow.clock.now(),
        facts={
            "due_by": event.due_by.isoformat(),
            "max_days_between": event.max_days_between,
            "last_meeting_day": event.last_meeting_day.isoformat() if event.last_meeting_day else None,
        },
    )
    member = await uow.staff.get(event.provider_org, contact) if contact != UNASSIGNED else None
    await raise_alert(uow, options, alert, recipient=member)


async def on_meeting_planned(uow: NotificationsUnit, event: MeetingPlanned) -> None:
    """A meeting planned for the course: its cadence reminders are done."""
    await _close(uow, meeting_reminder_prefix(event.referral_id), MEETING_PLANNED)


async def on_contact_overdue(
    uow: NotificationsUnit, options: Options, event: OutreachContactOverdue, event_id: UUID
) -> None:
    """The contact plan's next attempt is late → a reminder to the team member on the event."""
    alert = Alert(
        id=new_alert_id(),
        org=event.provider_org,
        kind=AlertKind.OUTREACH_CONTACT_OVERDUE,
        cause_key=f"{contact_reminder_prefix(event.case_id)}{event.due_by.isoformat()}",
        cause_event_id=event_id,
        recipient_staff_id=event.staff_id or UNASSIGNED,
        provider_org=event.provider_org,
        programme_code=event.programme_code,
        occurred_at=event.detected_at,
        raised_at=uow.clock.now(),
        facts={
            "case_id": str(event.case_id),
            "due_by": event.due_by.isoformat(),
            "last_attempt_at": event.last_attempt_at.isoformat() if event.last_attempt_at else None,
        },
    )
    member = await uow.staff.get(event.provider_org, event.staff_id) if event.staff_id else None
    await raise_alert(uow, options, alert, recipient=member)


async def on_contact_attempted(uow: NotificationsUnit, event: OutreachContactAttempted) -> None:
    """A contact attempt on the case: its overdue reminders are done."""
    await _close(uow, contact_reminder_prefix(event.case_id), CONTACT_ATTEMPTED)


async def _close(uow: NotificationsUnit, prefix: str, reason: str) -> None:
    now = uow.clock.now()
    for alert in await uow.alerts.open_by_cause_prefix(prefix):
        closing = alert.close(reason, now)
        if closing is not None:
            await uow.alerts.save(alert)
            uow.emit(closing)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "closed")

"""Raising an alert: the alert with its deliveries (e-mail to the person, webhooks to partners),
stored in one transaction; the dispatcher sends them afterwards. The alert's cause is a unique
key, so an event delivered twice (or a race between replicas) gives one alert and one e-mail.

Times in an e-mail are in the course's own zone (its programme's, as ``programme.started``
carried it), else the recipient's; a course stored before it carried a zone falls back to its
country's (Europe/Copenhagen for Denmark)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain import content
from forlob_notifications.domain.alerts import UNASSIGNED, Alert
from forlob_notifications.domain.deliveries import Channel, Delivery, new_delivery
from forlob_notifications.domain.directory import Assignment, StaffMember, calendar_for
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.texts import language_of_country
from forlob_shared.working_time import WorkingHours


def hours_of(member: StaffMember | None, calendar: ProviderCalendar) -> WorkingHours:
    return member.hours(calendar) if member else WorkingHours.of([], calendar)


async def email_to(
    uow: NotificationsUnit,
    options: Options,
    alert: Alert,
    staff_id: str,
    now: datetime,
    *,
    escalated: bool = False,
    notice_text: str | None = None,
    member: StaffMember | None = None,
    course: Assignment | None = None,
) -> list[Delivery]:
    """An e-mail to a staff member who takes e-mail (the address is looked up when it is sent);
    ``course``: the alert's course when the caller has read it already."""
    member = member or await uow.staff.get(alert.org, staff_id)
    if member is None or not member.wants("email"):
        return []
    lang, zone = await language_and_zone(uow, alert, member, course)
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


async def language_and_zone(
    uow: NotificationsUnit, alert: Alert, member: StaffMember, course: Assignment | None = None
) -> tuple[str, ZoneInfo]:
    """An e-mail speaks the provider's language and the course's clock: the course's country and
    zone when the course is known (its programme's), else the recipient's own."""
    assignment = course
    if assignment is None or assignment.referral_id != alert.referral_id:
        assignment = await uow.assignments.get(alert.referral_id) if alert.referral_id else None
    calendar = assignment.calendar() if assignment else calendar_for(member.country, member.timezone)
    return language_of_country(calendar.country), calendar.zone


async def webhooks_for(
    uow: NotificationsUnit, options: Options, alert: Alert, event_types: list[str], now: datetime
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


async def raise_alert(
    uow: NotificationsUnit,
    options: Options,
    alert: Alert,
    *,
    notice_text: str | None = None,
    email: bool = True,
    recipient: StaffMember | None = None,
    course: Assignment | None = None,
) -> bool:
    """Store a new alert with its deliveries; False (and nothing written) if its cause has one."""
    if not await uow.alerts.add(alert):
        return False
    now = alert.raised_at
    deliveries: list[Delivery] = []
    if email and alert.recipient_staff_id != UNASSIGNED:
        deliveries += await email_to(
            uow, options, alert, alert.recipient_staff_id, now, notice_text=notice_text, member=recipient, course=course
        )
    # Partners hear notices in the partner contract (forlob_notifications.partners), not as alerts.
    deliveries += await webhooks_for(uow, options, alert, ["alert.raised"], now)
    await uow.deliveries.add(*deliveries)
    uow.emit(alert.raised())
    if alert.recipient_staff_id != UNASSIGNED:  # nobody's stream yet: assigning tells the person
        uow.inbox_changed(alert.org, [alert.recipient_staff_id], alert.id, "raised")
    if deliveries:
        uow.wake_dispatcher()
    return True

"""A message about a referral waits: the other side hears it by e-mail (never its text), through
the deliveries the dispatcher sends like every other e-mail.

The provider hears it through the course's contact person; before a course has one (or if the
directory has no such person), nobody at the provider is e-mailed and the thread's page shows it."""

from __future__ import annotations

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.deliveries import Channel, new_delivery
from forlob_notifications.domain.directory import calendar_for
from forlob_notifications.domain.message_mail import message_waiting
from forlob_shared.events.referral import MessagePosted
from forlob_shared.texts import language_of_country


async def on_message_posted(uow: NotificationsUnit, options: Options, event: MessagePosted) -> None:
    to_referrer = event.from_side == "provider"
    org = event.referring_org if to_referrer else event.provider_org
    staff_id = event.caseworker_id if to_referrer else event.contact_person_id
    if staff_id is None:
        return
    member = await uow.staff.get(org, staff_id)
    if member is None or not member.wants("email"):
        return
    assignment = await uow.assignments.get(event.referral_id)
    calendar = assignment.calendar() if assignment else calendar_for(member.country, member.timezone)
    content = message_waiting(
        event.referral_id, event.from_side, options.web_url, language_of_country(calendar.country)
    )
    now = uow.clock.now()
    await uow.deliveries.add(
        new_delivery(
            org=org,
            channel=Channel.EMAIL,
            recipient=staff_id,
            event_type="referral.message_posted",
            content=content,
            now=now,
            retry_window=options.retry_window,
        )
    )
    uow.wake_dispatcher()

"""A participant's coded reply by text (``sms.replied.v1``), as the provider's staff hear of it.

Attendance turns a reply to a question into the absence's facts (a contact attempt, a reason),
and this service closes or annotates the absence's alert from those events as it does after a
call. Here: the absence's alert notes the reply's code in words ("Replied by text: Sick"), and a
reply that asks for a call ("other, call me"), that could not be read, or that answers no open
question becomes a task in the course's contact person's inbox, "call the participant",
escalating like any alert not acknowledged in time. STOP is referral's (consent): nothing here.

Nothing of the reply's text exists in Forløb (the event carries its code only), so no e-mail,
webhook or log can carry it; the task's e-mail follows the e-mail rules (a pseudonymous
reference, the programme, the time, coded facts in words).
"""

from __future__ import annotations

from uuid import UUID

from forlob_notifications.application.assigning import assignment_for
from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import hours_of, raise_alert
from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, new_alert_id
from forlob_notifications.domain.directory import calendar_for
from forlob_shared.events import SmsReplied, SmsReplyCode

# The fact an alert carries: the reply's code (words: the "sms_reply_code" catalogue).
REPLIED_BY_TEXT = "replied_by_text"
# Replies a person must call back about, even when they answer an open question.
CALL_BACK = frozenset({SmsReplyCode.OTHER_CALL_ME, SmsReplyCode.UNKNOWN})


def call_task_key(reply_id: UUID) -> str:
    return f"sms_reply:{reply_id}"


async def on_sms_replied(uow: NotificationsUnit, options: Options, event: SmsReplied, event_id: UUID) -> None:
    if event.code is SmsReplyCode.STOP:
        return
    if event.absence_id is not None:
        await _annotate_absence(uow, event, event.absence_id)
    if event.absence_id is None or event.code in CALL_BACK:
        await _call_task(uow, options, event, event_id)


async def _annotate_absence(uow: NotificationsUnit, event: SmsReplied, absence_id: UUID) -> None:
    alert = await uow.alerts.by_cause(f"absence:{absence_id}", for_update=True)
    if alert is None or alert.facts.get(REPLIED_BY_TEXT) == event.code.value:
        return
    alert.facts = {**alert.facts, REPLIED_BY_TEXT: event.code.value}
    await uow.alerts.save(alert)  # shown on the alert's page; the inbox's stream tells raised..closed only


async def _call_task(uow: NotificationsUnit, options: Options, event: SmsReplied, event_id: UUID) -> None:
    """ "Call the participant" to the course's contact person, once per reply (its key is the
    reply's id: a reply delivered twice is one task), escalating after the course's minutes."""
    assignment = await assignment_for(uow, event.referral_id, "contact_person_id")
    contact = (assignment.contact_person_id if assignment else None) or UNASSIGNED
    member = await uow.staff.get(event.provider_org, contact) if contact != UNASSIGNED else None
    calendar = await uow.calendars.with_closures(
        event.provider_org, assignment.calendar() if assignment else calendar_for()
    )
    escalate_after = assignment.escalation_minutes if assignment else 30
    facts: dict[str, object] = {REPLIED_BY_TEXT: event.code.value}
    if event.absence_id is not None:
        facts["absence_id"] = str(event.absence_id)
    alert = Alert(
        id=new_alert_id(),
        org=event.provider_org,
        kind=AlertKind.CALL_PARTICIPANT,
        cause_key=call_task_key(event.reply_id),
        cause_event_id=event_id,
        recipient_staff_id=contact,
        provider_org=event.provider_org,
        referring_org=assignment.referring_org if assignment else None,
        referral_id=event.referral_id,
        participant_id=event.participant_id,
        programme_code=assignment.programme_code if assignment else None,
        occurred_at=event.received_at,
        raised_at=uow.clock.now(),
        due_at=hours_of(member, calendar).add_minutes(event.received_at, escalate_after),
        facts=facts,
    )
    await raise_alert(uow, options, alert, recipient=member)

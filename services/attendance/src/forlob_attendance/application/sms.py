"""Text messages to participants, attendance's side: who opted in (``sms.consent_changed.v1``),
the evening reminders (a periodic job), and coded replies turned into facts (``sms.replied.v1``).

Questions about a missed arrival or meeting are asked by the sweep itself, in its transaction
(db/sweep.py). Sending, the number, quiet hours and STOP are referral's: attendance only asks, by
pseudonymous ids and a template key.

A reply becomes what a staff member's call would have: a contact attempt about the absence, and
for a reason (sick, at the doctor's) the absence explained as if reported afterwards, so that
notifications closes its alert and tells the jobcentre exactly what it tells after a call.
"""

from __future__ import annotations

from datetime import datetime, time
from uuid import uuid5

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import ContactAttemptRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.registration import excused_state
from forlob_attendance.domain.sms import BY_TEXT, REQUEST_NAMESPACE, reply_facts
from forlob_shared.events import AbsenceResolved, ContactRecorded, PendingEvent, SmsConsentChanged, SmsReplied
from forlob_shared.logging import get_logger

log = get_logger("forlob.attendance.sms")


async def record_consent(uow: AttendanceUoW, event: SmsConsentChanged) -> None:
    """The course's participant opted in or out (a change older than the one kept is ignored)."""
    await uow.sms.set_consent(event)


async def request_reminders(uow: AttendanceUoW, now: datetime, at: time) -> int:
    """Ask for tomorrow's reminders in each course whose local time reached ``at``; returns how
    many were asked (each once: its request id is its course or meeting, day and template)."""
    async with uow:
        asked = await uow.sms.request_reminders(now, at)
        await uow.commit()
    return asked


async def take_reply(uow: AttendanceUoW, event: SmsReplied) -> None:
    """A coded reply about an absence becomes a contact attempt, and a reason explains the
    absence. Replayed (the same ``reply_id``), nothing more happens. A reply to no open question,
    or STOP, is not attendance's: notifications gives the first to the contact person."""
    facts = reply_facts(event.code)
    if facts is None or event.absence_id is None:
        return
    now = uow.clock.now()
    if not await uow.sms.record_reply(event, now):
        return
    found = await uow.slots.absence(event.absence_id, event.provider_org, lock=True)
    if found is None or found[0].referral_id != event.referral_id:
        log.warning("sms.reply_to_unknown_absence", referral_id=str(event.referral_id))
        return
    slot, row = found
    course = to_domain(row)

    def emit(data: AbsenceResolved | ContactRecorded) -> None:
        subject = str(event.absence_id)
        uow.emit(PendingEvent(data, subject, referring_org=course.referring_org, provider_org=course.provider_org))

    await uow.contacts.add(
        ContactAttemptRow(
            id=uuid5(REQUEST_NAMESPACE, f"reply:{event.reply_id}"),  # one attempt per reply
            absence_id=event.absence_id,
            outcome=facts.outcome,
            reason=facts.reason.value if facts.reason else None,
            contacted_at=event.received_at,
            recorded_at=now,
            recorded_by=BY_TEXT,
        )
    )
    emit(
        ContactRecorded(
            **course.event_fields(),
            absence_id=event.absence_id,
            outcome=facts.outcome,
            reason=facts.reason,
            recorded_at=event.received_at,
        )
    )
    # Explained as a report afterwards is: unless something already happened to it (a late
    # arrival checked in, a report), which the reply does not rewrite.
    if facts.reason is not None and slot.state == "absent" and slot.resolution is None:
        slot.state, slot.reason, slot.resolution = excused_state(facts.reason), facts.reason.value, "reported"
        emit(
            AbsenceResolved(
                **course.event_fields(),
                absence_id=event.absence_id,
                resolution="reported",
                reason=facts.reason,
                resolved_at=event.received_at,
            )
        )

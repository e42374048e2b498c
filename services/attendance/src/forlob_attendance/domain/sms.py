"""Text messages to participants, as attendance sees them: which questions and reminders it asks
referral to send (never a number: referral holds it), and what a coded reply becomes.

A request's id is derived from its cause, so that asking twice (a sweep run again, a reminder job
on two replicas, a replay) is one message: ``uuid5`` of the absence and the template for a
question, of the course or meeting, the day and the template for a reminder. The SQL builds the
same ids with ``uuid_generate_v5`` (db/sms.py); a test holds the two to one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from forlob_shared.events import AbsenceReason, SmsReplyCode, SmsTemplate

# The namespace of every request id attendance derives (a constant: changing it re-sends everything).
REQUEST_NAMESPACE = UUID("5b0e5a52-7d1c-4f51-9a2e-3c8f0d6b9e11")
# Who recorded a contact attempt that came by text (staff ids are the provider's; this is none).
BY_TEXT = "sms"
# The evening hour (local, in each course's own zone) reminders for the next day go out from.
DEFAULT_REMINDER_AT = time(18, 0)

# The contact attempts a reply becomes (words: forlob_shared.texts.sms_codes.TEXT_CONTACT_OUTCOMES).
REASON_GIVEN_BY_TEXT = "reason_given_by_text"
ON_MY_WAY = "on_my_way"
ASKED_TO_BE_CALLED = "asked_to_be_called"
TEXT_OUTCOMES = (REASON_GIVEN_BY_TEXT, ON_MY_WAY, ASKED_TO_BE_CALLED)


def question_request_id(absence_id: UUID, template: SmsTemplate) -> UUID:
    return uuid5(REQUEST_NAMESPACE, f"{absence_id}:{template.value}")


def reminder_request_id(cause_id: UUID, day: date, template: SmsTemplate) -> UUID:
    """``cause_id``: the course for a first day, the meeting for a meeting."""
    return uuid5(REQUEST_NAMESPACE, f"{cause_id}:{day.isoformat()}:{template.value}")


def question_template(meeting_id: UUID | None) -> SmsTemplate:
    return SmsTemplate.QUESTION_MISSED_ARRIVAL if meeting_id is None else SmsTemplate.QUESTION_MISSED_MEETING


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Midnight after ``day`` in ``zone``: a question about a day is noise the day after."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def reminder_day(now: datetime, zone: ZoneInfo, at: time) -> date | None:
    """The day whose reminders are due at ``now`` in ``zone``: tomorrow, from ``at`` until midnight
    local (so a job that was down at ``at`` still reminds that evening); None before ``at``."""
    local = now.astimezone(zone)
    return local.date() + timedelta(days=1) if local.time().replace(tzinfo=None) >= at else None


@dataclass(frozen=True)
class ReplyFacts:
    """What a coded reply to a question about an absence becomes in attendance."""

    outcome: str
    reason: AbsenceReason | None = None

    @property
    def explains(self) -> bool:
        """A reason: the absence is explained, as if reported afterwards."""
        return self.reason is not None


_FACTS: dict[SmsReplyCode, ReplyFacts] = {
    SmsReplyCode.SICK: ReplyFacts(REASON_GIVEN_BY_TEXT, AbsenceReason.ILLNESS),
    SmsReplyCode.DOCTOR: ReplyFacts(REASON_GIVEN_BY_TEXT, AbsenceReason.SPECIALIST_APPOINTMENT),
    # An expected late arrival: the check-in that follows resolves it as a late arrival.
    SmsReplyCode.ON_MY_WAY: ReplyFacts(ON_MY_WAY),
    SmsReplyCode.OTHER_CALL_ME: ReplyFacts(ASKED_TO_BE_CALLED),
    SmsReplyCode.UNKNOWN: ReplyFacts(ASKED_TO_BE_CALLED),
}


def reply_facts(code: SmsReplyCode) -> ReplyFacts | None:
    """None for STOP: consent is referral's, and nothing about the absence was said."""
    return _FACTS.get(code)

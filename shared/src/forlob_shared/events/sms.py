"""Text messages to participants: the request to send one, the participant's consent, and a coded reply.

The mobile number lives only in the referral service, beside the identity number. Other services ask
for a message by pseudonymous ids and a template key (``sms.requested``); referral resolves the number,
honours consent and quiet hours, and sends. A reply comes back as a code (``sms.replied``), never as its
text: a reply may say more about a person's health than any event should carry.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register


class SmsTemplate(StrEnum):
    """What a message says, in the participant's language; never the programme or anything about health."""

    REMINDER_FIRST_DAY = "reminder_first_day"  # the evening before the first day
    REMINDER_MEETING = "reminder_meeting"  # the evening before a planned meeting
    QUESTION_MISSED_ARRIVAL = "question_missed_arrival"  # "1 sick, 2 on my way, 3 doctor, 4 other, call me"
    QUESTION_MISSED_MEETING = "question_missed_meeting"


class SmsReplyCode(StrEnum):
    """A participant's reply, read from the numbered answers (or STOP) in any of the catalogue's languages."""

    SICK = "sick"
    ON_MY_WAY = "on_my_way"
    DOCTOR = "doctor"
    OTHER_CALL_ME = "other_call_me"
    STOP = "stop"
    UNKNOWN = "unknown"  # not one of the answers: a person should call


class SmsConsentStatus(StrEnum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class SmsConsentChannel(StrEnum):
    """How the consent was given or withdrawn."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    WEB = "web"
    SMS_STOP = "sms_stop"  # the participant replied STOP (or its word in their language)


class _SmsEvent(EventData):
    partition_field = "referral_id"  # a course's messages follow its course's other events
    aggregate_type = "sms"

    referral_id: UUID
    participant_id: UUID = Field(description="pseudonymous id of the participant at this provider")
    provider_org: str


@register
class SmsRequested(_SmsEvent):
    """An internal command: attendance asks referral to send a message. Never in the partner contract."""

    routing_key = "sms.requested.v1"
    description = "A service asks for a text message to a participant, by template; referral sends it or says why not."

    request_id: UUID = Field(
        description="deterministic for its cause (uuid5 of the absence or meeting and template): asked twice, sent once"
    )
    template: SmsTemplate
    day: date = Field(description="the course day the message is about, in the course's zone")
    local_time: str | None = Field(
        default=None, pattern=r"^\d{2}:\d{2}$", description="the arrival or meeting time it names, HH:MM local"
    )
    absence_id: UUID | None = Field(default=None, description="the missed arrival or meeting a question is about")
    meeting_id: UUID | None = None
    requested_at: datetime
    expires_at: datetime = Field(description="not sent after this (a reminder after the day it reminds of is noise)")


@register
class SmsReplied(_SmsEvent):
    """A participant answered; the code only, with the request it answers when there is one."""

    routing_key = "sms.replied.v1"
    description = "A participant replied to a text message; the reply as a code, never its text."

    reply_id: UUID = Field(description="the gateway's inbound message, as a UUID: delivered twice, one fact")
    code: SmsReplyCode
    in_reply_to: UUID | None = Field(
        default=None, description="the request_id of the question it answers (the latest open one), if any"
    )
    absence_id: UUID | None = Field(default=None, description="the absence that question was about")
    received_at: datetime


@register
class SmsConsentChanged(_SmsEvent):
    """Consent to text messages given or withdrawn; the number and language stay in referral."""

    routing_key = "sms.consent_changed.v1"
    description = "A participant opted in to or out of text messages (when and how; never the number)."

    status: SmsConsentStatus
    channel: SmsConsentChannel
    changed_at: datetime

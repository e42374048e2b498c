"""Text messages to participants: the consent and number (personal data, held only here), the
messages asked for and what became of each, and the replies' facts.

A message is stored when it is asked for (``sms.requested``), before anything is sent; sending
claims it (SENDING, committed) before the gateway is called, and records the gateway's id after.
So a request asked for twice is one row, and a process that dies between the gateway's answer and
its commit leaves a SENDING row that is never sent again: the gateway's delivery report (which
carries our reference) confirms it, or after the confirmation window it is UNCONFIRMED for a
person to look at. Only a send the gateway surely refused goes back to PENDING, with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid5

from forlob_referral.domain.sms_catalogue import SmsLanguage
from forlob_referral.domain.sms_quiet import QuietHours
from forlob_shared.errors import Conflict
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.events.sms import (
    SmsConsentChanged,
    SmsConsentChannel,
    SmsConsentStatus,
    SmsRequested,
    SmsTemplate,
)

QUESTIONS = frozenset({SmsTemplate.QUESTION_MISSED_ARRIVAL, SmsTemplate.QUESTION_MISSED_MEETING})
REPLY_NAMESPACE = UUID("5b0e7d6c-6a43-4f0e-9a53-2f3d3c1f5a11")


def reply_id_of(gateway: str, gateway_message_id: str) -> UUID:
    """The reply's id from the gateway's own: the same inbound message delivered twice is one fact."""
    return uuid5(REPLY_NAMESPACE, f"{gateway}:mo:{gateway_message_id}")


class SmsState(StrEnum):
    PENDING = "pending"  # stored; waits for its time (quiet hours, a retry's backoff)
    SENDING = "sending"  # claimed and handed to the gateway; its answer not yet recorded
    SENT = "sent"  # the gateway accepted it (its message id recorded)
    SKIPPED = "skipped"  # not sent, on purpose (see SmsSkipReason)
    FAILED = "failed"  # the gateway refused it for good, or too many attempts
    UNCONFIRMED = "unconfirmed"  # the gateway may have it: never sent again, for a person to check


class SmsSkipReason(StrEnum):
    NO_CONSENT = "no_consent"
    OPTED_OUT = "opted_out"
    EXPIRED = "expired"
    GATEWAY_REFUSED = "gateway_refused"  # FAILED: the gateway refused it for good (bad number, content)
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # FAILED: every attempt met an unreachable gateway


@dataclass
class SmsContact:
    """A participant's consent, number and language, for one referral (erased with its personal data)."""

    referral_id: UUID
    participant_id: UUID
    provider_org: str
    mobile_number: str  # E.164; personal data
    language: SmsLanguage
    status: SmsConsentStatus
    channel: SmsConsentChannel
    changed_by: str | None  # the staff member, or None for the participant's own STOP
    changed_at: datetime

    @property
    def opted_in(self) -> bool:
        return self.status is SmsConsentStatus.OPTED_IN

    def event(self) -> PendingEvent:
        data = SmsConsentChanged(
            referral_id=self.referral_id,
            participant_id=self.participant_id,
            provider_org=self.provider_org,
            status=self.status,
            channel=self.channel,
            changed_at=self.changed_at,
        )
        return PendingEvent(data=data, subject=str(self.referral_id), provider_org=self.provider_org)

    def opt_out(self, channel: SmsConsentChannel, by: str | None, now: datetime) -> bool:
        """Withdraw consent; False (and nothing changes) if it was already withdrawn."""
        if not self.opted_in:
            return False
        self.status, self.channel, self.changed_by, self.changed_at = SmsConsentStatus.OPTED_OUT, channel, by, now
        return True


@dataclass(frozen=True)
class ConsentChange:
    """One change of consent, kept as its history (no number)."""

    referral_id: UUID
    status: SmsConsentStatus
    channel: SmsConsentChannel
    changed_by: str | None
    changed_at: datetime


@dataclass
class SmsMessage:
    """One message asked for, by its request id; never holds the number or the text."""

    request_id: UUID
    referral_id: UUID
    participant_id: UUID
    provider_org: str
    template: SmsTemplate
    day: date
    local_time: str | None
    absence_id: UUID | None
    meeting_id: UUID | None
    zone: str
    requested_at: datetime
    expires_at: datetime
    state: SmsState = SmsState.PENDING
    not_before: datetime | None = None
    attempts: int = 0
    claimed_at: datetime | None = None
    skip_reason: SmsSkipReason | None = None
    language: SmsLanguage | None = None
    gateway_message_id: str | None = None
    parts: int | None = None
    sent_at: datetime | None = None
    delivery_status: str | None = None
    delivery_at: datetime | None = None
    last_error: str | None = None
    answered_by: UUID | None = None  # the reply that answered a question

    @classmethod
    def requested(cls, data: SmsRequested, zone: str) -> SmsMessage:
        return cls(
            request_id=data.request_id,
            referral_id=data.referral_id,
            participant_id=data.participant_id,
            provider_org=data.provider_org,
            template=data.template,
            day=data.day,
            local_time=data.local_time,
            absence_id=data.absence_id,
            meeting_id=data.meeting_id,
            zone=zone,
            requested_at=data.requested_at,
            expires_at=data.expires_at,
            not_before=data.requested_at,
        )

    @property
    def is_question(self) -> bool:
        return self.template in QUESTIONS

    def skip(self, reason: SmsSkipReason) -> None:
        self.state, self.skip_reason, self.not_before = SmsState.SKIPPED, reason, None

    def fail(self, reason: SmsSkipReason, error: str | None) -> None:
        self.state, self.skip_reason, self.last_error, self.not_before = SmsState.FAILED, reason, error, None

    def claim(self, language: SmsLanguage, now: datetime) -> None:
        if self.state is not SmsState.PENDING:
            raise Conflict(f"message {self.request_id} is {self.state.value}", current_state=self.state.value)
        self.state, self.language, self.claimed_at = SmsState.SENDING, language, now
        self.attempts += 1

    def sent(self, gateway_message_id: str, parts: int | None, now: datetime) -> None:
        self.state, self.gateway_message_id, self.sent_at, self.not_before = (
            SmsState.SENT,
            gateway_message_id,
            now,
            None,
        )
        if parts is not None:
            self.parts = parts

    def retry_later(self, now: datetime, error: str, backoff: timedelta, max_attempts: int) -> None:
        """The gateway surely did not take it: PENDING again after ``backoff`` doubled per attempt."""
        if self.attempts >= max_attempts:
            self.fail(SmsSkipReason.TOO_MANY_ATTEMPTS, error)
            return
        self.state, self.last_error = SmsState.PENDING, error
        self.not_before = now + backoff * (2 ** (self.attempts - 1))

    def unconfirmed(self) -> None:
        self.state, self.not_before = SmsState.UNCONFIRMED, None


@dataclass(frozen=True)
class Plan:
    """What to do with a due message now."""

    send: bool = False
    skip: SmsSkipReason | None = None
    defer_until: datetime | None = None


def plan(message: SmsMessage, contact: SmsContact | None, quiet: QuietHours, now: datetime) -> Plan:
    """Whether a due message goes now, waits out the quiet hours, or is skipped, and why."""
    if now >= message.expires_at:
        return Plan(skip=SmsSkipReason.EXPIRED)
    if contact is None:
        return Plan(skip=SmsSkipReason.NO_CONSENT)
    if not contact.opted_in:
        return Plan(skip=SmsSkipReason.OPTED_OUT)
    allowed = quiet.next_allowed(now, message.zone)
    if allowed > now:
        if allowed >= message.expires_at:
            return Plan(skip=SmsSkipReason.EXPIRED)
        return Plan(defer_until=allowed)
    return Plan(send=True)

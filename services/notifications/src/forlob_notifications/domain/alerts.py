"""Alerts: what a person must act on, and the rules of their life. Pure, no I/O.

An alert is open until someone acknowledges it or its cause goes away (a late arrival closes an
absence alert by itself). An open alert not acknowledged by ``due_at`` escalates once, to the
team leader; acknowledging stops that. An alert is never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from forlob_shared.errors import Conflict
from forlob_shared.events import AlertAcknowledged, AlertClosed, AlertEscalated, AlertRaised, PendingEvent


class AlertKind(StrEnum):
    ABSENCE = "absence"  # to the contact person: the participant did not arrive
    ABSENCE_NOTICE = "absence_notice"  # to the referring caseworker: still unexplained by the deadline
    BREACH = "breach"  # to the referring caseworker: the attendance agreement was not kept
    CLOSING_NOTE_READY = "closing_note_ready"  # to the referring caseworker: the course ended
    WEBHOOK_DISABLED = "webhook_disabled"  # to a subscription's owner: deliveries kept failing
    VISIT_OVERDUE = "visit_overdue"  # to the team leader and the colleague: a visit was not ended in time
    MEETING_OVERDUE = "meeting_overdue"  # to the contact person: no meeting planned within the cadence
    OUTREACH_CONTACT_OVERDUE = "outreach_contact_overdue"  # to the team member: the next contact attempt is late
    CALL_PARTICIPANT = "call_participant"  # to the contact person: a reply by text asks for a call


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


UNASSIGNED = "unassigned"
# Why an absence alert closed when its course ended before the day it was for (other reasons
# come with the event that closes the alert: late_arrival, reported).
COURSE_ENDED = "course_ended"
# The coded reason of an absence nobody has given a reason for.
UNEXPLAINED = "unexplained"
# Why a visit's alert, a meeting reminder or a contact reminder closed by itself.
VISIT_ENDED = "visit_ended"
MEETING_PLANNED = "meeting_planned"
CONTACT_ATTEMPTED = "contact_attempted"


@dataclass
class Alert:
    id: UUID
    org: str  # the organisation whose staff the alert is for; nobody else sees it
    kind: AlertKind
    cause_key: str  # one alert per cause, however often its event is delivered
    cause_event_id: UUID
    recipient_staff_id: str
    provider_org: str
    raised_at: datetime
    referring_org: str | None = None
    referral_id: UUID | None = None
    participant_id: UUID | None = None
    programme_code: str | None = None
    occurred_at: datetime | None = None  # when the thing happened (an expected arrival, a breach)
    facts: dict[str, Any] = field(default_factory=dict)  # coded facts only, never free text
    state: AlertState = AlertState.OPEN
    due_at: datetime | None = None
    level: int = 0
    escalated_to: str | None = None
    escalated_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    # What the person did ("called, ill, back tomorrow"): kept here for colleagues, never in an
    # event, e-mail or webhook, because it may say something about the participant's health.
    acknowledgement_note: str | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    notice_due_at: datetime | None = None
    notice_sent_at: datetime | None = None
    contact_attempts: int = 0

    def addressed_to(self, staff_id: str) -> bool:
        return staff_id in (self.recipient_staff_id, self.escalated_to)

    def _event(self, data: Any) -> PendingEvent:
        return PendingEvent(
            data=data, subject=str(self.id), provider_org=self.provider_org, referring_org=self.referring_org
        )

    def _common(self) -> dict[str, Any]:
        return {
            "alert_id": self.id,
            "org": self.org,
            "provider_org": self.provider_org,
            "referral_id": self.referral_id,
            "participant_id": self.participant_id,
        }

    def raised(self) -> PendingEvent:
        return self._event(
            AlertRaised(
                **self._common(),
                kind=self.kind.value,
                cause_event_id=self.cause_event_id,
                recipient_staff_id=self.recipient_staff_id,
                raised_at=self.raised_at,
                due_at=self.due_at,
            )
        )

    def acknowledge(self, by: str, now: datetime, note: str | None = None) -> PendingEvent | None:
        """Acknowledge; None if it already was (acknowledging twice changes nothing)."""
        if self.state is AlertState.CLOSED:
            raise Conflict("the alert is closed; there is nothing to acknowledge", state=self.state.value)
        if self.state is AlertState.ACKNOWLEDGED:
            return None
        self.state = AlertState.ACKNOWLEDGED
        self.acknowledged_by = by
        self.acknowledged_at = now
        self.acknowledgement_note = note
        self.due_at = None
        return self._event(AlertAcknowledged(**self._common(), acknowledged_by=by, acknowledged_at=now))

    def is_due(self, now: datetime) -> bool:
        return self.state is AlertState.OPEN and self.due_at is not None and self.due_at <= now

    def escalate(self, to: str, now: datetime) -> PendingEvent:
        if not self.is_due(now):
            raise Conflict("the alert is not due for escalation")
        self.level += 1
        self.escalated_to = to
        self.escalated_at = now
        self.due_at = None  # one step: the team leader is the last person it goes to
        return self._event(AlertEscalated(**self._common(), escalated_to=to, level=self.level, escalated_at=now))

    def give_up_escalation(self) -> None:
        """Nobody to escalate to: stop looking (the alert stays open in the inbox)."""
        self.due_at = None

    def close(self, reason: str, now: datetime) -> PendingEvent | None:
        if self.state is AlertState.CLOSED:
            return None
        self.state = AlertState.CLOSED
        self.closed_at = now
        self.close_reason = reason
        self.due_at = None
        return self._event(AlertClosed(**self._common(), reason=reason, closed_at=now))

    # -- an absence and the notice the referring side is owed -----------------------------------
    #
    # The policy: the referring organisation hears of an absence still unexplained at the notice's
    # deadline. So what counts is when a reason or an arrival happened, not when the sweep runs:
    # explained by the deadline, no notice is due; explained later, the deadline passed unexplained
    # and the notice goes all the same, carrying what is known by the time it is sent.

    def explained_in_time(self, at: datetime) -> bool:
        """An explanation at ``at`` came before this absence's notice was due (and none was sent)."""
        return self.notice_sent_at is None and self.notice_due_at is not None and at <= self.notice_due_at

    def notice_owed(self, at: datetime) -> bool:
        """The notice's deadline passed before ``at`` and the notice has not gone yet."""
        return (
            self.kind is AlertKind.ABSENCE
            and self.notice_sent_at is None
            and self.notice_due_at is not None
            and self.notice_due_at < at
        )

    def reason_given(self, reason: str, at: datetime) -> None:
        """A coded reason for the absence (a contact attempt that got one, a report afterwards)."""
        in_time = self.explained_in_time(at)
        self.facts["reason"] = reason
        self.facts["reason_given_at"] = at.isoformat()
        if in_time:
            self.notice_due_at = None  # explained in time: the policy asks for no notice

    def arrived(self, at: datetime) -> None:
        """The participant came after all (late): the minutes missed end here."""
        self.facts["arrived_at"] = at.isoformat()

    def notice_facts(self, now: datetime, legal_basis: str | None) -> dict[str, Any]:
        """What the notice about this absence says, as known at ``now``: facts, never a judgement.

        Minutes missed are the minutes of the agreed window not attended: from the expected
        arrival to the arrival, or to the window's end, or (the window still running) to now;
        never more than the window holds. Without the window's end (an absence detected before
        ``absence.detected`` carried it) they are not known, and the notice says nothing of them.
        """
        start, end = self.occurred_at, _instant(self.facts.get("window_end"))
        missed = agreed = None
        if start is not None and end is not None:
            arrived = _instant(self.facts.get("arrived_at"))
            until = min(t for t in (end, arrived, now) if t is not None)
            agreed = _whole_minutes(start, end)
            missed = min(agreed, _whole_minutes(start, until))
        facts: dict[str, Any] = {
            "minutes_missed": missed,
            "agreed_minutes": agreed,
            "contact_attempts": self.contact_attempts,
            "reason": self.facts.get("reason", UNEXPLAINED),
            "legal_basis": legal_basis,
        }
        for known in ("reason_given_at", "arrived_at"):
            if known in self.facts:
                facts[known] = self.facts[known]
        return facts

    def notice_is_due(self, now: datetime) -> bool:
        """An absence still unexplained by the policy's deadline must be told to the referring side."""
        return (
            self.kind is AlertKind.ABSENCE
            and self.state is not AlertState.CLOSED
            and self.notice_due_at is not None
            and self.notice_sent_at is None
            and self.notice_due_at <= now
        )


def _instant(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _whole_minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


def new_alert_id() -> UUID:
    return uuid4()

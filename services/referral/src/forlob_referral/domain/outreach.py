"""An outreach case: contact work with a person of concern who did not ask, before any referral.
Pure rules, no I/O.

    contact_creation ──▶ relationship ──▶ bridging ──▶ closed
           ▲  └──────────────┼──────────────▲  │         ▲
           └──(contact lost)─┘   (fell      └──┘         │
                                  through)   every open phase closes, with a reason

The case is pseudonymous (its id) until the citizen consents; only then may an identity number be
taken, which makes it an identified participant. The working name, the description, the attempts'
notes, the identity and the "helped on to" of a closing stay in this service: events carry ids and
codes only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from forlob_referral.domain.outreach_phases import TRANSITIONS, Phase, check_transition, contact_plan
from forlob_referral.domain.participant import Participant
from forlob_referral.domain.programme import Programme
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.base import EventData
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCaseIdentified,
    OutreachCaseOpened,
    OutreachCloseReason,
    OutreachConsentRecorded,
    OutreachContactAttempted,
    OutreachContactOverdue,
    OutreachPhaseChanged,
)

__all__ = ["TRANSITIONS", "Phase", "check_transition", "contact_plan"]

# Outcomes that reached the person: the first of them is the case's first contact.
REACHED = frozenset({ContactOutcome.BRIEF_CONTACT, ContactOutcome.MEETING_AGREED})


@dataclass(frozen=True)
class ContactAttempt:
    id: UUID
    case_id: UUID
    place: ContactPlace
    channel: ContactChannel
    outcome: ContactOutcome
    staff_id: str
    attempted_at: datetime
    next_attempt_by: date | None
    note: str | None  # free text: stays here, erased with the case's personal data
    recorded_at: datetime


@dataclass(frozen=True)
class PhaseChange:
    previous: Phase
    phase: Phase
    changed_by: str
    changed_at: datetime
    close_reason: OutreachCloseReason | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "previous": self.previous.value,
            "phase": self.phase.value,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat(),
            "close_reason": self.close_reason.value if self.close_reason else None,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PhaseChange:
        reason = value.get("close_reason")
        return cls(
            previous=Phase(value["previous"]),
            phase=Phase(value["phase"]),
            changed_by=value["changed_by"],
            changed_at=datetime.fromisoformat(value["changed_at"]),
            close_reason=OutreachCloseReason(reason) if reason else None,
        )


@dataclass(frozen=True)
class Consent:
    method: ConsentMethod
    given_at: datetime
    recorded_by: str
    recorded_at: datetime


@dataclass
class OutreachCase:
    id: UUID
    provider_org: str
    programme_code: str
    timezone: str
    country: str
    staff_id: str  # the responsible team member
    opened_by: str
    opened_at: datetime
    working_name: str | None  # personal: None once erased
    description: str | None
    phase: Phase = Phase.CONTACT_CREATION
    next_attempt_by: date | None = None
    overdue_reported_for: date | None = None  # the due date whose overdue reminder went out
    attempts: int = 0
    last_attempt_at: datetime | None = None
    first_contact_at: datetime | None = None
    phases: tuple[PhaseChange, ...] = ()
    consent: Consent | None = None
    participant_id: UUID | None = None
    participant: Participant | None = None  # the identity, after consent; personal
    identified_at: datetime | None = None
    close_reason: OutreachCloseReason | None = None
    helped_on_to: str | None = None  # free text: personal
    closed_at: datetime | None = None
    handover_referral_ids: tuple[UUID, ...] = field(default_factory=tuple)
    personal_data_erased_at: datetime | None = None

    @property
    def calendar(self) -> ProviderCalendar:
        return ProviderCalendar(country=self.country, timezone=self.timezone)

    def is_overdue(self, now: datetime) -> bool:
        return (
            self.phase is not Phase.CLOSED
            and self.next_attempt_by is not None
            and self.next_attempt_by < self.calendar.local_date(now)
        )

    def _ids(self) -> dict[str, Any]:
        return {"case_id": self.id, "provider_org": self.provider_org, "programme_code": self.programme_code}

    def _event(self, data: EventData) -> PendingEvent:
        return PendingEvent(data=data, subject=str(self.id), provider_org=self.provider_org)

    def _open(self, doing: str) -> None:
        if self.phase is Phase.CLOSED:
            raise Conflict(f"the case is closed; cannot {doing}", current_state=self.phase.value)

    # -- commands --------------------------------------------------------------------------------

    def attempt(
        self,
        *,
        place: ContactPlace,
        channel: ContactChannel,
        outcome: ContactOutcome,
        staff_id: str,
        attempted_at: datetime,
        next_within_days: int | None,
        next_by: date | None,
        note: str | None,
        now: datetime,
    ) -> tuple[ContactAttempt, PendingEvent]:
        self._open("record a contact attempt")
        if attempted_at > now:
            raise InvalidInput("the attempt lies in the future", field="attempted_at")
        if attempted_at < self.opened_at:
            raise InvalidInput("the attempt lies before the case was opened", field="attempted_at")
        attempted_on = self.calendar.local_date(attempted_at)
        next_attempt_by = contact_plan(attempted_on, next_within_days, next_by)
        attempt = ContactAttempt(
            id=uuid4(),
            case_id=self.id,
            place=place,
            channel=channel,
            outcome=outcome,
            staff_id=staff_id,
            attempted_at=attempted_at,
            next_attempt_by=next_attempt_by,
            note=(note or "").strip() or None,
            recorded_at=now,
        )
        self.attempts += 1
        if self.last_attempt_at is None or attempted_at >= self.last_attempt_at:
            # An attempt recorded late, after a newer one, does not replace the newer one's plan.
            self.last_attempt_at = attempted_at
            self.next_attempt_by = next_attempt_by
        if outcome in REACHED and (self.first_contact_at is None or attempted_at < self.first_contact_at):
            self.first_contact_at = attempted_at
        event = self._event(
            OutreachContactAttempted(
                **self._ids(),
                attempt_id=attempt.id,
                place=place,
                channel=channel,
                outcome=outcome,
                staff_id=staff_id,
                attempted_at=attempted_at,
                next_attempt_by=next_attempt_by,
            )
        )
        return attempt, event

    def move_to(
        self,
        phase: Phase,
        *,
        staff_id: str,
        now: datetime,
        close_reason: OutreachCloseReason | None = None,
        helped_on_to: str | None = None,
    ) -> PendingEvent:
        check_transition(self.phase, phase, close_reason, helped_on_to)
        change = PhaseChange(self.phase, phase, staff_id, now, close_reason)
        self.phases = (*self.phases, change)
        self.phase = phase
        if phase is Phase.CLOSED:
            self.close_reason = close_reason
            self.helped_on_to = (helped_on_to or "").strip() or None
            self.closed_at = now
            self.next_attempt_by = None
        return self._event(
            OutreachPhaseChanged(
                **self._ids(), previous_phase=change.previous, phase=phase, close_reason=close_reason, changed_at=now
            )
        )

    def record_consent(
        self, *, method: ConsentMethod, given_at: datetime, staff_id: str, now: datetime
    ) -> PendingEvent:
        self._open("record consent")
        if self.consent is not None:
            raise Conflict("consent is already recorded for this case", current_state=self.phase.value)
        if given_at > now:
            raise InvalidInput("the consent cannot be given in the future", field="given_at")
        if given_at < self.opened_at:
            raise InvalidInput("the consent lies before the case was opened", field="given_at")
        self.consent = Consent(method, given_at, staff_id, now)
        return self._event(
            OutreachConsentRecorded(
                **self._ids(), method=method, given_at=given_at, recorded_by=staff_id, recorded_at=now
            )
        )

    def check_identifiable(self) -> None:
        """Identification needs the citizen's consent first; checked before the number is even read."""
        self._open("identify the person")
        if self.consent is None:
            raise Conflict(
                "record the citizen's consent before taking an identity number",
                current_state=self.phase.value,
                reason="consent-missing",
            )
        if self.participant_id is not None:
            raise Conflict("the case is already identified", current_state=self.phase.value)

    def identify(self, participant: Participant, participant_id: UUID, now: datetime) -> PendingEvent:
        self.check_identifiable()
        self.participant = participant
        self.participant_id = participant_id
        self.identified_at = now
        return self._event(OutreachCaseIdentified(**self._ids(), participant_id=participant_id, identified_at=now))

    def check_handover(self) -> None:
        self._open("hand the case over")
        if self.participant_id is None or self.participant is None:
            raise Conflict(
                "a handover is a referral: the case must be identified (after consent) first",
                current_state=self.phase.value,
                reason="not-identified",
            )

    def hand_over(self, referral_id: UUID, *, staff_id: str, now: datetime) -> list[PendingEvent]:
        """Record the handover's referral; the case moves to bridging if it is not there yet."""
        self.check_handover()
        self.handover_referral_ids = (*self.handover_referral_ids, referral_id)
        if self.phase is Phase.BRIDGING:
            return []
        return [self.move_to(Phase.BRIDGING, staff_id=staff_id, now=now)]

    def history_facts(self, now: datetime) -> tuple[int, date | None, int | None]:
        """(attempts, first contact day, days from first contact to ``now``): what a handover carries."""
        if self.first_contact_at is None:
            return self.attempts, None, None
        first = self.calendar.local_date(self.first_contact_at)
        return self.attempts, first, (self.calendar.local_date(now) - first).days

    def overdue(self, now: datetime) -> PendingEvent | None:
        """The reminder for a contact plan past its day, once per due date; None when not due."""
        if not self.is_overdue(now) or self.overdue_reported_for == self.next_attempt_by:
            return None
        assert self.next_attempt_by is not None
        self.overdue_reported_for = self.next_attempt_by
        return self._event(
            OutreachContactOverdue(
                **self._ids(),
                staff_id=self.staff_id,
                due_by=self.next_attempt_by,
                last_attempt_at=self.last_attempt_at,
                detected_at=now,
            )
        )

    def erase_personal_data(self, now: datetime) -> None:
        self.working_name = None
        self.description = None
        self.participant = None
        self.helped_on_to = None
        self.personal_data_erased_at = now


def open_case(
    *,
    programme: Programme,
    working_name: str,
    description: str,
    staff_id: str,
    opened_by: str,
    next_within_days: int | None,
    next_by: date | None,
    now: datetime,
) -> tuple[OutreachCase, PendingEvent]:
    if programme.shape is not ProgrammeShape.OUTREACH:
        raise Conflict(
            f"{programme.code} is a {programme.shape.value} programme: only an outreach programme opens cases",
            shape=programme.shape.value,
            reason="wrong-shape",
        )
    name = " ".join(working_name.split())
    if not name:
        raise InvalidInput("give the person a working name", field="working_name")
    case = OutreachCase(
        id=uuid4(),
        provider_org=programme.provider_org,
        programme_code=programme.code,
        timezone=programme.timezone,
        country=programme.country,
        staff_id=staff_id,
        opened_by=opened_by,
        opened_at=now,
        working_name=name,
        description=description.strip(),
    )
    case.next_attempt_by = contact_plan(case.calendar.local_date(now), next_within_days, next_by)
    event = case._event(OutreachCaseOpened(**case._ids(), staff_id=staff_id, opened_at=now))
    return case, event


def caseload_order(case: OutreachCase, now: datetime) -> tuple[bool, date, float, str]:
    """Overdue contacts first, then the soonest planned attempt, then the newest opened."""
    return (not case.is_overdue(now), case.next_attempt_by or date.max, -case.opened_at.timestamp(), str(case.id))

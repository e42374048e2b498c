"""A referral: its states, the commands that move it and the rule for receiving one. Pure rules, no I/O.

    received ──accept──▶ accepted ──start──▶ started ──end──▶ ended
        │  └─(full)────▶ waitlisted ─(seat offered)─▶ accepted
        └──reject──▶ rejected ◀──reject── waitlisted
    withdrawn ◀──withdraw── received | accepted | waitlisted

A transition not in :data:`ALLOWED` raises :class:`Conflict` naming the current state, before
anything changes. The transitions that move seats live with the programme's seats
(:mod:`forlob_referral.domain.intake` before the start, :mod:`forlob_referral.domain.course` after
it); each returns the events it causes, which the application layer puts in the outbox in the
same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from forlob_referral.domain.programme import Programme
from forlob_referral.domain.seats import Seat
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent, ReferralReceived
from forlob_shared.events.base import EventData
from forlob_shared.events.common import MeetingCadence, Outcome, ProgrammeShape, TimeWindow
from forlob_shared.events.employment import SupportPhase


class State(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    STARTED = "started"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class Command(StrEnum):
    ACCEPT = "accept"
    OFFER_SEAT = "offer a seat to"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    START = "start"
    RESCHEDULE = "extend or shorten"
    CHANGE_AGREEMENT = "change the agreement of"
    END = "end"


ALLOWED: dict[Command, frozenset[State]] = {
    Command.ACCEPT: frozenset({State.RECEIVED}),
    Command.OFFER_SEAT: frozenset({State.WAITLISTED}),
    Command.REJECT: frozenset({State.RECEIVED, State.WAITLISTED}),
    Command.WITHDRAW: frozenset({State.RECEIVED, State.ACCEPTED, State.WAITLISTED}),
    Command.START: frozenset({State.ACCEPTED}),
    Command.RESCHEDULE: frozenset({State.STARTED}),
    Command.CHANGE_AGREEMENT: frozenset({State.STARTED}),
    Command.END: frozenset({State.STARTED}),
}

ONE_DAY = timedelta(days=1)
HOLDS_A_SEAT = frozenset({State.ACCEPTED, State.STARTED})
CLOSED = frozenset({State.REJECTED, State.WITHDRAWN, State.ENDED})


class RejectReason(StrEnum):
    NOT_TARGET_GROUP = "not_target_group"
    NO_CAPACITY_LONG_TERM = "no_capacity_long_term"
    DUPLICATE = "duplicate"
    OTHER_OFFER_BETTER = "other_offer_better"
    OTHER = "other"


class WithdrawReason(StrEnum):
    PARTICIPANT_DECLINED = "participant_declined"
    CIRCUMSTANCES_CHANGED = "circumstances_changed"
    OTHER_OFFER = "other_offer"
    MOVED = "moved"
    ILLNESS = "illness"
    OTHER = "other"


@dataclass(frozen=True)
class OutreachFacts:
    """What a handover from an outreach case tells the receiving provider: counts and dates, no words."""

    case_id: UUID
    attempts: int
    first_contact_on: date | None
    days_in_contact: int | None


@dataclass
class Subject:
    """What a referral is to the waiting list: who, since when, from when and in which order.

    :class:`Referral` is one; :class:`Waiter` is nothing more, the row a seat decision reads for
    each of a programme's waiting referrals (a long list runs into the hundreds, and a decision
    changes only the ranks of most of them). The fields with defaults are keyword-only, so a
    subclass may still add fields without one.
    """

    id: UUID
    participant_id: UUID  # pseudonymous: the only participant reference that leaves this service
    programme_code: str
    referring_org: str
    provider_org: str
    received_at: datetime
    wished_start: date | None = field(default=None, kw_only=True)
    state: State = field(default=State.RECEIVED, kw_only=True)
    waitlist_rank: float | None = field(default=None, kw_only=True)

    def earliest_start(self, today: date) -> date:
        return max(self.wished_start or today, today)

    def _ids(self) -> dict[str, Any]:
        return {
            "referral_id": self.id,
            "participant_id": self.participant_id,
            "programme_code": self.programme_code,
            "referring_org": self.referring_org,
            "provider_org": self.provider_org,
        }

    def _event(self, data: EventData) -> PendingEvent:
        return PendingEvent(
            data=data, subject=str(self.id), referring_org=self.referring_org, provider_org=self.provider_org
        )

    def _check(self, command: Command) -> None:
        allowed = ALLOWED[command]
        if self.state not in allowed:
            raise Conflict(
                f"cannot {command.value} a referral that is {self.state.value}",
                current_state=self.state.value,
                allowed_from=sorted(s.value for s in allowed),
            )


@dataclass
class Waiter(Subject):
    """A waitlisted referral as the waiting list needs it: no goals, course or agreement."""

    @classmethod
    def of(cls, referral: Subject) -> Waiter:
        return cls(
            referral.id,
            referral.participant_id,
            referral.programme_code,
            referral.referring_org,
            referral.provider_org,
            referral.received_at,
            wished_start=referral.wished_start,
            state=referral.state,
            waitlist_rank=referral.waitlist_rank,
        )


@dataclass
class Referral(Subject):
    caseworker_id: str
    wished_weekly_hours: float | None = None
    legal_basis: str | None = None
    legal_context: str | None = None
    decided_at: datetime | None = None
    intake_date: date | None = None
    from_waiting_list: bool = False
    reason_code: str | None = None
    closed_at: datetime | None = None
    start_date: date | None = None
    planned_end_date: date | None = None
    schedule: tuple[TimeWindow, ...] = ()
    contact_person_id: str | None = None
    team_leader_id: str | None = None
    end_date: date | None = None
    outcome: Outcome | None = None
    first_job_date: date | None = None
    personal_data_erased_at: datetime | None = None
    cadence: MeetingCadence | None = None  # a meetings-shaped course's agreed cadence (its schedule is empty)
    # A handover from an outreach case: the case and its history's facts, for the receiving provider.
    outreach_case_id: UUID | None = None
    outreach_attempts: int | None = None
    outreach_first_contact_on: date | None = None
    outreach_days_in_contact: int | None = None
    # A meetings course's follow-along phase once a job moved it (None: still searching, as at the start).
    support_phase: SupportPhase | None = None
    support_phase_since: date | None = None

    @property
    def seat(self) -> Seat | None:
        """The seat this referral holds, if any."""
        return seat_of(self.state, self.intake_date, self.start_date, self.planned_end_date)


def receive(
    *,
    programme: Programme,
    referring_org: str,
    caseworker_id: str,
    now: datetime,
    participant_id: UUID | None = None,
    wished_start: date | None = None,
    wished_weekly_hours: float | None = None,
    legal_basis: str | None = None,
    legal_context: str | None = None,
    outreach: OutreachFacts | None = None,
) -> tuple[Referral, PendingEvent]:
    programme.require_shape(ProgrammeShape.TIMETABLED, ProgrammeShape.MEETINGS, doing="take referrals")
    if referring_org == programme.provider_org:
        raise InvalidInput("an organisation cannot refer to itself")
    if wished_start is not None and wished_start < programme.calendar.local_date(now):
        raise InvalidInput("the wished start lies in the past", field="wished_start")
    referral = Referral(
        id=uuid4(),
        participant_id=participant_id or uuid4(),
        programme_code=programme.code,
        referring_org=referring_org,
        provider_org=programme.provider_org,
        caseworker_id=caseworker_id,
        received_at=now,
        wished_start=wished_start,
        wished_weekly_hours=wished_weekly_hours,
        legal_basis=legal_basis,
        legal_context=legal_context,
    )
    if outreach is not None:
        referral.outreach_case_id = outreach.case_id
        referral.outreach_attempts = outreach.attempts
        referral.outreach_first_contact_on = outreach.first_contact_on
        referral.outreach_days_in_contact = outreach.days_in_contact
    event = referral._event(
        ReferralReceived(
            **referral._ids(),
            received_at=now,
            wished_start=wished_start,
            wished_weekly_hours=wished_weekly_hours,
            legal_basis=legal_basis,
            outreach_case_id=outreach.case_id if outreach else None,
        )
    )
    return referral, event


def seat_of(
    state: State, intake_date: date | None, start_date: date | None, planned_end_date: date | None
) -> Seat | None:
    """The seat a referral in ``state`` with these dates holds, if any; the repository's narrow
    read of a programme's seats applies it to the four columns, so both agree by construction."""
    if state is State.STARTED and start_date and planned_end_date:
        return Seat.for_course(start_date, planned_end_date)
    if state is State.ACCEPTED and intake_date and planned_end_date:
        return Seat.for_course(intake_date, planned_end_date)
    return None


def waiting_order(referral: Subject) -> tuple[float, datetime, str]:
    """Rank, then referral time, then id: the database's ORDER BY for the waiting list."""
    return (referral.waitlist_rank or 0.0, referral.received_at, str(referral.id))

"""A referral and the course it becomes: an explicit state machine. Pure rules, no I/O.

    received ──accept──▶ accepted ──start──▶ started ──end──▶ ended
        │  └─(full)────▶ waitlisted ─(seat offered)─▶ accepted
        └──reject──▶ rejected ◀──reject── waitlisted
    withdrawn ◀──withdraw── received | accepted | waitlisted

A transition not in :data:`ALLOWED` raises :class:`Conflict` naming the current state, before
anything changes. Every transition returns the events it causes; the application layer puts
them in the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from forlob_referral.domain.programme import Programme
from forlob_referral.domain.seats import Seat, estimated_starts, first_free_intake, peak_occupancy
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent, ReferralReceived
from forlob_shared.events.base import EventData
from forlob_shared.events.common import Outcome, TimeWindow
from forlob_shared.events.programme import AgreementChanged, ProgrammeEnded, ProgrammeRescheduled, ProgrammeStarted
from forlob_shared.events.referral import (
    ReferralAccepted,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
)


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


@dataclass
class Referral:
    id: UUID
    participant_id: UUID  # pseudonymous: the only participant reference that leaves this service
    programme_code: str
    referring_org: str
    provider_org: str
    caseworker_id: str
    received_at: datetime
    wished_start: date | None = None
    wished_weekly_hours: float | None = None
    legal_basis: str | None = None
    legal_context: str | None = None
    state: State = State.RECEIVED
    decided_at: datetime | None = None
    intake_date: date | None = None
    from_waiting_list: bool = False
    waitlist_rank: float | None = None
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

    @property
    def seat(self) -> Seat | None:
        """The seat this referral holds, if any."""
        if self.state is State.STARTED and self.start_date and self.planned_end_date:
            return Seat.for_course(self.start_date, self.planned_end_date)
        if self.state is State.ACCEPTED and self.intake_date and self.planned_end_date:
            return Seat.for_course(self.intake_date, self.planned_end_date)
        return None

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
) -> tuple[Referral, PendingEvent]:
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
    event = referral._event(
        ReferralReceived(
            **referral._ids(),
            received_at=now,
            wished_start=wished_start,
            wished_weekly_hours=wished_weekly_hours,
            legal_basis=legal_basis,
        )
    )
    return referral, event


@dataclass
class Intake:
    """What the referral service knows of one programme's seats, read under its row lock."""

    programme: Programme
    holders: list[Referral]  # referrals holding a seat (accepted or started)
    waiting: list[Referral]  # waitlisted referrals, in waiting-list order
    horizon: timedelta  # how far past the earliest start an intake date may lie before waitlisting
    events: list[PendingEvent] = field(default_factory=list)

    def seats(self, excluding: Referral | None = None) -> list[Seat]:
        return [s for r in self.holders if r is not excluding and (s := r.seat) is not None]

    def today(self, now: datetime) -> date:
        return self.programme.calendar.local_date(now)

    def positions(self, now: datetime) -> list[tuple[Referral, int, date | None]]:
        """The waiting list with each referral's position and estimated start."""
        today = self.today(now)
        estimates = estimated_starts(
            self.programme, self.seats(), [r.earliest_start(today) for r in self.waiting], today
        )
        return [(r, i + 1, e) for i, (r, e) in enumerate(zip(self.waiting, estimates, strict=True))]

    # -- intake decisions -------------------------------------------------------------------

    def decide(self, referral: Referral, now: datetime) -> list[PendingEvent]:
        """Accept with the first intake day that has a seat, or put on the waiting list."""
        referral._check(Command.ACCEPT)
        today = self.today(now)
        weeks = self.programme.default_weeks
        intake = first_free_intake(self.programme, self.seats(), referral.earliest_start(today), weeks, self.horizon)
        referral.decided_at = now
        if intake is not None:
            self._accept(referral, intake, now, from_waiting_list=False)
            return [
                referral._event(
                    ReferralAccepted(**referral._ids(), intake_date=intake, decided_at=now, from_waiting_list=False)
                )
            ]
        referral.state = State.WAITLISTED
        # Referral order: by when the caseworker referred, until a coordinator moves someone.
        referral.waitlist_rank = referral.received_at.timestamp()
        self.waiting.append(referral)
        self.waiting.sort(key=waiting_order)
        position, estimate = next((p, e) for r, p, e in self.positions(now) if r is referral)
        return [
            referral._event(
                ReferralWaitlisted(**referral._ids(), position=position, estimated_start=estimate, decided_at=now)
            )
        ]

    def _accept(self, referral: Referral, intake: date, now: datetime, *, from_waiting_list: bool) -> None:
        referral.state = State.ACCEPTED
        referral.intake_date = intake
        referral.planned_end_date = self.programme.course_end(intake, self.programme.default_weeks)
        referral.from_waiting_list = from_waiting_list
        referral.waitlist_rank = None
        self.holders.append(referral)

    def offer_freed_seats(self, now: datetime) -> list[PendingEvent]:
        """Give free seats to the waiting list, first come first served, until one does not fit."""
        events: list[PendingEvent] = []
        today = self.today(now)
        while self.waiting:
            first = self.waiting[0]
            first._check(Command.OFFER_SEAT)
            intake = first_free_intake(
                self.programme, self.seats(), first.earliest_start(today), self.programme.default_weeks, self.horizon
            )
            if intake is None:
                break
            self.waiting.pop(0)
            first.decided_at = now
            self._accept(first, intake, now, from_waiting_list=True)
            events.append(first._event(SeatOffered(**first._ids(), intake_date=intake, offered_at=now)))
            events.append(
                first._event(
                    ReferralAccepted(**first._ids(), intake_date=intake, decided_at=now, from_waiting_list=True)
                )
            )
        return events

    def move(self, referral: Referral, position: int) -> tuple[int, int]:
        """Move a waitlisted referral to ``position`` (1-based); returns (from, to)."""
        if referral.state is not State.WAITLISTED or referral not in self.waiting:
            raise Conflict(
                f"only a waitlisted referral can be moved; this one is {referral.state.value}",
                current_state=referral.state.value,
            )
        old = self.waiting.index(referral) + 1
        new = min(max(position, 1), len(self.waiting))
        # The new order takes the old ranks, made strictly increasing, so everyone else keeps
        # their order and later referrals still fall in by the time they were made.
        ranks = sorted(r.waitlist_rank or 0.0 for r in self.waiting)
        for i in range(1, len(ranks)):
            ranks[i] = max(ranks[i], ranks[i - 1] + 0.001)
        self.waiting.remove(referral)
        self.waiting.insert(new - 1, referral)
        for waiting, rank in zip(self.waiting, ranks, strict=True):
            waiting.waitlist_rank = rank
        return old, new

    # -- closing before the start -----------------------------------------------------------

    def reject(self, referral: Referral, reason: RejectReason, now: datetime) -> list[PendingEvent]:
        referral._check(Command.REJECT)
        self._leave_waiting_list(referral)
        referral.state = State.REJECTED
        referral.reason_code = reason.value
        referral.decided_at = referral.closed_at = now
        event = referral._event(ReferralRejected(**referral._ids(), reason_code=reason.value, decided_at=now))
        # Leaving the head of the waiting list may let the next one in.
        return [event, *self.offer_freed_seats(now)]

    def withdraw(self, referral: Referral, reason: WithdrawReason, now: datetime) -> list[PendingEvent]:
        referral._check(Command.WITHDRAW)
        previous = referral.state
        self._leave_waiting_list(referral)
        self._free_seat(referral)
        referral.state = State.WITHDRAWN
        referral.reason_code = reason.value
        referral.closed_at = now
        event = referral._event(
            ReferralWithdrawn(
                **referral._ids(), previous_state=previous.value, reason_code=reason.value, withdrawn_at=now
            )
        )
        return [event, *self.offer_freed_seats(now)]

    def _leave_waiting_list(self, referral: Referral) -> None:
        if referral in self.waiting:
            self.waiting.remove(referral)
        referral.waitlist_rank = None

    def _free_seat(self, referral: Referral) -> None:
        if referral in self.holders:
            self.holders.remove(referral)

    # -- the course -------------------------------------------------------------------------

    def start(
        self,
        referral: Referral,
        *,
        start_date: date,
        weeks: int | None,
        schedule: tuple[TimeWindow, ...],
        contact_person_id: str,
        team_leader_id: str | None,
        now: datetime,
    ) -> list[PendingEvent]:
        referral._check(Command.START)
        programme = self.programme
        if not programme.is_intake_day(start_date):
            raise InvalidInput(
                f"{start_date} is not an intake day of {programme.code} (intake weekdays "
                f"{list(programme.intake_weekdays)}, no public holidays); the next one is "
                f"{programme.next_intake_day(start_date)}",
                field="start_date",
            )
        if start_date < referral.received_at.astimezone(programme.calendar.zone).date():
            raise InvalidInput("a course cannot start before it was referred", field="start_date")
        weeks = weeks or programme.default_weeks
        programme.check_weeks(weeks)
        if not schedule:
            raise InvalidInput("agree at least one weekly attendance time", field="schedule")
        programme.check_within_opening_hours(schedule)
        end = programme.course_end(start_date, weeks)
        if peak_occupancy(self.seats(excluding=referral), start_date, end + ONE_DAY) >= programme.capacity:
            raise Conflict(
                f"no seat is free for the whole course from {start_date} to {end}; start on the intake date "
                f"{referral.intake_date} or another day",
                current_state=referral.state.value,
            )
        referral.state = State.STARTED
        referral.start_date = start_date
        referral.planned_end_date = end
        referral.schedule = schedule
        referral.contact_person_id = contact_person_id
        referral.team_leader_id = team_leader_id
        event = referral._event(
            ProgrammeStarted(
                **referral._ids(),
                start_date=start_date,
                planned_end_date=end,
                schedule=list(schedule),
                opening_hours=list(programme.opening_hours),
                timezone=programme.timezone,
                country=programme.country,
                contact_person_id=contact_person_id,
                team_leader_id=team_leader_id,
                caseworker_id=referral.caseworker_id,
                legal_basis=referral.legal_basis,
                rules=programme.rules,
                started_at=now,
            )
        )
        # Starting later than the intake date frees the days before it, which may fit someone.
        return [event, *self.offer_freed_seats(now)]

    def reschedule(self, referral: Referral, *, weeks: int, now: datetime) -> list[PendingEvent]:
        referral._check(Command.RESCHEDULE)
        assert referral.start_date is not None
        assert referral.planned_end_date is not None
        programme = self.programme
        programme.check_weeks(weeks, "the changed course")
        previous = referral.planned_end_date
        end = programme.course_end(referral.start_date, weeks)
        if end == previous:
            raise InvalidInput(f"the course already ends on {end}", field="weeks")
        if end < self.today(now):
            raise InvalidInput(f"the course cannot be shortened to end on {end}, which has passed", field="weeks")
        others = self.seats(excluding=referral)
        if end > previous and peak_occupancy(others, previous + ONE_DAY, end + ONE_DAY) >= programme.capacity:
            raise Conflict(f"no seat is free from {previous} to {end} for the extension", current_state="started")
        referral.planned_end_date = end
        change = "extended" if end > previous else "shortened"
        event = referral._event(
            ProgrammeRescheduled(
                **referral._ids(), previous_end_date=previous, planned_end_date=end, change=change, changed_at=now
            )
        )
        return [event, *(self.offer_freed_seats(now) if change == "shortened" else [])]

    def change_agreement(
        self,
        referral: Referral,
        *,
        effective_from: date,
        schedule: tuple[TimeWindow, ...],
        contact_person_id: str,
        team_leader_id: str | None,
        now: datetime,
    ) -> list[PendingEvent]:
        referral._check(Command.CHANGE_AGREEMENT)
        assert referral.start_date is not None
        assert referral.planned_end_date is not None
        if not referral.start_date <= effective_from <= referral.planned_end_date:
            raise InvalidInput(
                f"the change must take effect within the course ({referral.start_date} to {referral.planned_end_date})",
                field="effective_from",
            )
        if not schedule:
            raise InvalidInput("agree at least one weekly attendance time", field="schedule")
        self.programme.check_within_opening_hours(schedule)
        referral.schedule = schedule
        referral.contact_person_id = contact_person_id
        referral.team_leader_id = team_leader_id
        return [
            referral._event(
                AgreementChanged(
                    **referral._ids(),
                    effective_from=effective_from,
                    schedule=list(schedule),
                    contact_person_id=contact_person_id,
                    team_leader_id=team_leader_id,
                    changed_at=now,
                )
            )
        ]

    def end(
        self, referral: Referral, *, end_date: date, outcome: Outcome, first_job_date: date | None, now: datetime
    ) -> list[PendingEvent]:
        referral._check(Command.END)
        assert referral.start_date
        if end_date < referral.start_date:
            raise InvalidInput(
                f"the course cannot end ({end_date}) before it started ({referral.start_date})", field="end_date"
            )
        if end_date > self.today(now):
            raise InvalidInput(f"{end_date} lies in the future; end the course on its last day", field="end_date")
        if first_job_date is not None and first_job_date < referral.start_date:
            raise InvalidInput("the first job date lies before the course started", field="first_job_date")
        self._free_seat(referral)
        referral.state = State.ENDED
        referral.end_date = end_date
        referral.outcome = outcome
        referral.first_job_date = first_job_date
        referral.closed_at = now
        event = referral._event(
            ProgrammeEnded(
                **referral._ids(),
                start_date=referral.start_date,
                end_date=end_date,
                outcome=outcome,
                first_job_date=first_job_date,
                ended_at=now,
            )
        )
        return [event, *self.offer_freed_seats(now)]


def waiting_order(referral: Referral) -> tuple[float, datetime, str]:
    """Rank, then referral time, then id: the database's ORDER BY for the waiting list."""
    return (referral.waitlist_rank or 0.0, referral.received_at, str(referral.id))

"""One programme's seats and waiting list, and the intake decisions on them. Pure rules, no I/O.

An :class:`Intake` is what the referral service knows of one programme's seats, read under the
programme's row lock: who holds a seat, who waits and in which order. The seats of the referrals a
decision does not change are only their dates (:class:`HeldSeat`), as a long-running programme has
hundreds, and the waiting list is :class:`Waiter` rows (what ranking and estimating need); the
referral being decided is whole. A waiter a decision lets in is :attr:`Intake.admitted`: its seat
counts at once, and :meth:`Intake.admit` hands it the whole referral, loaded for it alone, to
accept. The other waiters only ever change rank (:attr:`Intake.reranked`). Accepting, waitlisting,
offering freed seats, moving on the waiting list, rejecting and withdrawing are here; the course's
own transitions (start, extend or shorten, change the agreement, end) in
:mod:`forlob_referral.domain.course`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from forlob_referral.domain.course import CourseChanges
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.referral import (
    Command,
    Referral,
    RejectReason,
    State,
    Subject,
    WithdrawReason,
    waiting_order,
)
from forlob_referral.domain.seats import HeldSeat, Seat, estimated_starts, first_free_intake
from forlob_shared.errors import Conflict
from forlob_shared.events import PendingEvent
from forlob_shared.events.referral import (
    ReferralAccepted,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
)


@dataclass(frozen=True)
class Admission:
    """A waiter let in: its seat from ``intake_date``, decided at ``at``; the whole referral follows."""

    waiter: Subject
    intake_date: date
    at: datetime


@dataclass
class Intake(CourseChanges):
    """What the referral service knows of one programme's seats, read under its row lock."""

    programme: Programme
    holders: list[Referral]  # referrals holding a seat (accepted or started) that a decision may change
    # The waiting list in order: waiters, and whole referrals where a decision holds them whole.
    waiting: list[Subject]
    horizon: timedelta  # how far past the earliest start an intake date may lie before waitlisting
    events: list[PendingEvent] = field(default_factory=list)
    held: list[HeldSeat] = field(default_factory=list)  # the other holders' seats, none of them in holders
    # Waiters let in whose whole referral has not been admitted yet; their seats are in ``held``.
    pending: list[Admission] = field(default_factory=list)
    # The ranks as read, to tell which waiters a decision re-ranked.
    ranks_read: dict[UUID, float | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.ranks_read = {w.id: w.waitlist_rank for w in self.waiting}

    @property
    def whole(self) -> list[Referral]:
        """The referrals held whole, which a decision may have changed in any field: write them back."""
        return [*self.holders, *(r for r in self.waiting if isinstance(r, Referral))]

    @property
    def admitted(self) -> list[Subject]:
        """The waiters a decision let in, whose whole referrals :meth:`admit` still needs."""
        return [a.waiter for a in self.pending]

    def admit(self, referrals: Iterable[Referral]) -> None:
        """Accept the whole referrals of the waiters let in, as the decision did on their rows."""
        by_id = {r.id: r for r in referrals}
        missing = [a.waiter.id for a in self.pending if a.waiter.id not in by_id]
        if missing:
            raise LookupError(f"the whole referrals of {missing} are needed to admit them")
        for admission in self.pending:
            referral = by_id[admission.waiter.id]
            referral._check(Command.OFFER_SEAT)
            referral.decided_at = admission.at
            self.held = [h for h in self.held if h.referral_id != referral.id]
            self._accept(referral, admission.intake_date, admission.at, from_waiting_list=True)
        self.pending = []

    @property
    def reranked(self) -> list[tuple[UUID, float | None]]:
        """The waiters (not whole referrals) still waiting whose rank differs from the one read."""
        return [
            (w.id, w.waitlist_rank)
            for w in self.waiting
            if not isinstance(w, Referral) and self.ranks_read.get(w.id, w.waitlist_rank) != w.waitlist_rank
        ]

    def seats(self, excluding: Referral | None = None) -> list[Seat]:
        gone = excluding.id if excluding is not None else None
        mine = [s for r in self.holders if r is not excluding and (s := r.seat) is not None]
        return [*mine, *(h.seat for h in self.held if h.referral_id != gone)]

    def seats_held(self, today: date) -> int:
        """How many seats are held today or later."""
        return sum(1 for s in self.seats() if s.end > today)

    def today(self, now: datetime) -> date:
        return self.programme.calendar.local_date(now)

    def positions(self, now: datetime) -> list[tuple[Subject, int, date | None]]:
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
            if isinstance(first, Referral):
                first.decided_at = now
                self._accept(first, intake, now, from_waiting_list=True)
            else:
                # Its seat counts from now on; the rest of the referral is loaded only for those let in.
                first.state = State.ACCEPTED
                first.waitlist_rank = None
                end = self.programme.course_end(intake, self.programme.default_weeks)
                self.held.append(HeldSeat(first.id, Seat.for_course(intake, end)))
                self.pending.append(Admission(first, intake, now))
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
        self.held = [h for h in self.held if h.referral_id != referral.id]

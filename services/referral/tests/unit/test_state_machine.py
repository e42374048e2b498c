"""The course's state machine: every transition not in the table is refused with the current
state named; and random command sequences keep state, seats and events in agreement."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from forlob_referral.domain import referral as rules
from forlob_referral.domain.intake import Intake
from forlob_referral.domain.programme import Programme, ProgrammeKind, define
from forlob_referral.domain.referral import (
    ALLOWED,
    HOLDS_A_SEAT,
    Command,
    Referral,
    RejectReason,
    State,
    Waiter,
    WithdrawReason,
    waiting_order,
)
from forlob_referral.domain.seats import HeldSeat, peak_occupancy
from forlob_shared.errors import Conflict, DomainError
from forlob_shared.events import PendingEvent
from forlob_shared.events.common import AttendanceRules, Outcome, TimeWindow

NOW = datetime(2026, 5, 20, 8, tzinfo=UTC)
HOURS = tuple(TimeWindow(weekday=d, start=time(7, 30), end=time(14, 30)) for d in range(5))
SCHEDULE = (TimeWindow(weekday=0, start=time(8), end=time(12)),)
Action = Callable[[Intake, Any], list[PendingEvent]]  # the referral decided, or None for a sweep
Places = tuple[list[tuple[UUID, int, date | None]], list[tuple[date, date]]]


def make_programme(capacity: int, default_weeks: int) -> Programme:
    programme, _ = define(
        provider_org="rca",
        code="UDV",
        name="Development course",
        kind=ProgrammeKind.DEVELOPMENT_COURSE,
        capacity=capacity,
        intake_weekdays=(0,),
        default_weeks=default_weeks,
        min_weeks=1,
        max_weeks=4,
        opening_hours=HOURS,
        country="DK",
        timezone=None,
        rules=AttendanceRules(),
        now=NOW,
    )
    return programme


# What each event says about the referral's state: the states it may follow, and the new one.
REPLAY: dict[str, tuple[frozenset[State], State]] = {
    "referral.accepted.v1": (frozenset({State.RECEIVED, State.WAITLISTED}), State.ACCEPTED),
    "referral.waitlisted.v1": (frozenset({State.RECEIVED}), State.WAITLISTED),
    "referral.seat_offered.v1": (frozenset({State.WAITLISTED}), State.WAITLISTED),
    "referral.rejected.v1": (ALLOWED[Command.REJECT], State.REJECTED),
    "referral.withdrawn.v1": (ALLOWED[Command.WITHDRAW], State.WITHDRAWN),
    "programme.started.v1": (ALLOWED[Command.START], State.STARTED),
    "programme.rescheduled.v1": (ALLOWED[Command.RESCHEDULE], State.STARTED),
    "programme.agreement_changed.v1": (ALLOWED[Command.CHANGE_AGREEMENT], State.STARTED),
    "programme.ended.v1": (ALLOWED[Command.END], State.ENDED),
}


def test_every_command_from_a_wrong_state_is_a_conflict_naming_it() -> None:
    programme = make_programme(capacity=5, default_weeks=2)
    for command, allowed in ALLOWED.items():
        for state in set(State) - allowed:
            intake = Intake(programme, [], [], timedelta(weeks=4))
            referral, _ = rules.receive(programme=programme, referring_org="jc", caseworker_id="cw", now=NOW)
            referral.state = state
            before = copy.deepcopy(referral)
            with pytest.raises(Conflict) as caught:
                _run(intake, referral, command)
            assert caught.value.extra["current_state"] == state.value
            assert state.value in caught.value.detail
            assert referral == before


def test_a_longer_or_later_course_may_not_take_another_referral_s_seat() -> None:
    programme = make_programme(capacity=1, default_weeks=1)
    intake = Intake(programme, [], [], timedelta(weeks=4))
    first, _ = rules.receive(programme=programme, referring_org="jc", caseworker_id="cw", now=NOW)
    second, _ = rules.receive(programme=programme, referring_org="jc", caseworker_id="cw", now=NOW)
    intake.decide(first, NOW)
    intake.decide(second, NOW)
    assert (first.intake_date, second.intake_date) == (date(2026, 6, 1), date(2026, 6, 8))
    with pytest.raises(Conflict, match="no seat is free"):
        intake.start(
            first,
            start_date=date(2026, 6, 1),
            weeks=3,
            schedule=SCHEDULE,
            contact_person_id="c",
            team_leader_id=None,
            now=NOW,
        )
    assert first.state is State.ACCEPTED
    events = intake.start(
        first,
        start_date=date(2026, 6, 1),
        weeks=1,
        schedule=SCHEDULE,
        contact_person_id="c",
        team_leader_id=None,
        now=NOW,
    )
    assert [e.data.routing_key for e in events] == ["programme.started.v1"]
    with pytest.raises(Conflict, match="extension"):
        intake.reschedule(first, weeks=2, now=NOW)


def _run(intake: Intake, referral: Referral, command: Command) -> list[PendingEvent]:
    day = date(2026, 6, 1)
    match command:
        case Command.ACCEPT:
            return intake.decide(referral, NOW)
        case Command.OFFER_SEAT:
            referral._check(Command.OFFER_SEAT)
            return []
        case Command.REJECT:
            return intake.reject(referral, RejectReason.OTHER, NOW)
        case Command.WITHDRAW:
            return intake.withdraw(referral, WithdrawReason.OTHER, NOW)
        case Command.START:
            return intake.start(
                referral,
                start_date=day,
                weeks=None,
                schedule=SCHEDULE,
                contact_person_id="c",
                team_leader_id=None,
                now=NOW,
            )
        case Command.RESCHEDULE:
            return intake.reschedule(referral, weeks=3, now=NOW)
        case Command.CHANGE_AGREEMENT:
            return intake.change_agreement(
                referral, effective_from=day, schedule=SCHEDULE, contact_person_id="c", team_leader_id=None, now=NOW
            )
        case Command.END:
            return intake.end(referral, end_date=day, outcome=Outcome.OTHER, first_job_date=None, now=NOW)


class CourseMachine(RuleBasedStateMachine):
    """Random commands against one programme; after each, everything must agree."""

    def __init__(self) -> None:
        super().__init__()
        self.now = NOW
        self.referrals: list[Referral] = []
        self.events: list[PendingEvent] = []
        self.intake: Intake

    # Small programmes and short courses, so that seats collide often.
    @initialize(
        capacity=st.sampled_from([0, 1, 1, 2, 2, 3]), default_weeks=st.integers(1, 2), horizon=st.integers(0, 6)
    )
    def setup(self, capacity: int, default_weeks: int, horizon: int) -> None:
        self.intake = Intake(make_programme(capacity, default_weeks), [], [], timedelta(weeks=horizon))

    # -- commands ---------------------------------------------------------------------------

    @rule(wished_in_days=st.none() | st.integers(0, 60))
    def refer(self, wished_in_days: int | None) -> None:
        wished = None if wished_in_days is None else self.today + timedelta(days=wished_in_days)
        referral, event = rules.receive(
            programme=self.intake.programme, referring_org="jc", caseworker_id="cw", now=self.now, wished_start=wished
        )
        self.referrals.append(referral)
        self.events.append(event)
        self.now += timedelta(minutes=1)  # referral order is the order of referring

    def pick(self, index: int) -> Referral:
        return self.referrals[index % len(self.referrals)]

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50))
    def accept(self, index: int) -> None:
        referral = self.pick(index)
        self.attempt(referral, Command.ACCEPT, lambda i, r: i.decide(r, self.now))

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50), reason=st.sampled_from(RejectReason))
    def reject(self, index: int, reason: RejectReason) -> None:
        referral = self.pick(index)
        self.attempt(referral, Command.REJECT, lambda i, r: i.reject(r, reason, self.now))

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50), reason=st.sampled_from(WithdrawReason))
    def withdraw(self, index: int, reason: WithdrawReason) -> None:
        referral = self.pick(index)
        self.attempt(referral, Command.WITHDRAW, lambda i, r: i.withdraw(r, reason, self.now))

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50), delay_weeks=st.integers(-1, 2), weeks=st.none() | st.integers(0, 5))
    def start(self, index: int, delay_weeks: int, weeks: int | None) -> None:
        referral = self.pick(index)
        start_date = (referral.intake_date or self.today) + timedelta(weeks=delay_weeks)
        self.attempt(
            referral,
            Command.START,
            lambda i, r: i.start(
                r,
                start_date=start_date,
                weeks=weeks,
                schedule=SCHEDULE,
                contact_person_id="c",
                team_leader_id=None,
                now=self.now,
            ),
        )

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50), weeks=st.integers(0, 6))
    def reschedule(self, index: int, weeks: int) -> None:
        referral = self.pick(index)
        self.attempt(referral, Command.RESCHEDULE, lambda i, r: i.reschedule(r, weeks=weeks, now=self.now))

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50))
    def change_agreement(self, index: int) -> None:
        referral = self.pick(index)
        self.attempt(
            referral,
            Command.CHANGE_AGREEMENT,
            lambda i, r: i.change_agreement(
                r,
                effective_from=referral.start_date or self.today,
                schedule=SCHEDULE,
                contact_person_id="c2",
                team_leader_id=None,
                now=self.now,
            ),
        )

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50), days=st.integers(-3, 40), outcome=st.sampled_from(Outcome))
    def end(self, index: int, days: int, outcome: Outcome) -> None:
        referral = self.pick(index)
        end_date = (referral.start_date or self.today) + timedelta(days=days)
        self.attempt(
            referral,
            Command.END,
            lambda i, r: i.end(r, end_date=end_date, outcome=outcome, first_job_date=None, now=self.now),
        )

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(0, 50), position=st.integers(1, 10))
    def move(self, index: int, position: int) -> None:
        referral = self.pick(index)
        before = self.snapshot()

        def move_and_offer(intake: Intake, moved: Any) -> list[PendingEvent]:
            intake.move(moved, position)
            return intake.offer_freed_seats(self.now)

        narrow, twins, places = self.on_seats_alone(referral, move_and_offer)
        refused: Conflict | None = None
        try:
            events = move_and_offer(self.intake, referral)
        except Conflict as error:
            refused = error
        if refused is not None:
            assert referral.state is not State.WAITLISTED
            assert self.snapshot() == before
            assert narrow == (Conflict, refused.detail)
            return
        # Waiters re-ranked in one statement decide and estimate exactly as whole referrals.
        assert narrow == [e.data for e in events]
        assert twins == self.referrals
        assert places == self.places()
        self.events.extend(events)

    @rule(days=st.integers(1, 30))
    def time_passes(self, days: int) -> None:
        """The clock moves and the periodic sweep offers what the calendar freed."""
        self.now += timedelta(days=days)
        sweep, twins, places = self.on_seats_alone(None, lambda i, _: i.offer_freed_seats(self.now))
        events = self.intake.offer_freed_seats(self.now)
        self.events.extend(events)
        assert sweep == [e.data for e in events]
        assert twins == self.referrals
        assert places == self.places()

    def places(self, intake: Intake | None = None) -> Places:
        """The waiting list's positions and estimated starts, by referral id, and the seats held."""
        intake = intake or self.intake
        seats = sorted((s.start, s.end) for s in intake.seats())
        return [(r.id, p, e) for r, p, e in intake.positions(self.now)], seats

    def on_seats_alone(self, referral: Referral | None, action: Action) -> tuple[object, list[Referral], Places]:
        """The same command on copies, as the service reads and writes a programme: the referral
        decided whole, every other holder as its seat alone and the waiting list as waiters; then
        what the service writes back: the waiters let in admitted whole (loaded for them alone),
        the other waiters' new ranks. Its outcome, the copies and the waiting list's places."""
        twins = copy.deepcopy(self.referrals)
        by_id = {t.id: t for t in twins}
        target = by_id[referral.id] if referral is not None else None
        intake = Intake(
            self.intake.programme,
            [target] if target is not None and target.state in HOLDS_A_SEAT else [],
            [
                target if target is not None and r.id == target.id else Waiter.of(by_id[r.id])
                for r in self.intake.waiting
            ],
            self.intake.horizon,
            held=[HeldSeat(r.id, s) for r in self.intake.holders if r is not referral and (s := r.seat)],
        )
        try:
            outcome: object = [e.data for e in action(intake, target)]
        except DomainError as error:
            return (type(error), error.detail), twins, self.places(intake)
        admitted = intake.admitted
        # Only the referral decided is whole until the ones let in are admitted.
        assert {r.id for r in intake.whole} <= ({target.id} if target is not None else set())
        assert all(isinstance(w, Waiter) for w in admitted)
        intake.admit(by_id[w.id] for w in admitted)
        assert intake.admitted == []
        assert {r.id for r in intake.whole} >= {w.id for w in admitted}
        for referral_id, rank in intake.reranked:
            assert by_id[referral_id].state is State.WAITLISTED
            by_id[referral_id].waitlist_rank = rank
        return outcome, twins, self.places(intake)

    def attempt(self, referral: Referral, command: Command, action: Action) -> None:
        before = self.snapshot()
        was = referral.state
        narrow, twins, places = self.on_seats_alone(referral, action)
        refusal: DomainError | None = None
        try:
            events = action(self.intake, referral)
        except DomainError as error:
            refusal = error
        # Seats and waiters alone decide exactly as whole referrals: the same events or refusal, the
        # same referrals once the ones let in are admitted and the ranks written, the same estimates.
        assert narrow == ((type(refusal), refusal.detail) if refusal else [e.data for e in events])
        assert twins == self.referrals
        assert places == self.places()
        if refusal is not None:
            # a refused command changes nothing, and a wrong state is always a conflict naming it
            assert self.snapshot() == before
            if was not in ALLOWED[command]:
                assert isinstance(refusal, Conflict)
                assert refusal.extra["current_state"] == was.value
            return
        assert was in ALLOWED[command]
        self.events.extend(events)

    # -- what must always hold ------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self.intake.today(self.now)

    def snapshot(self) -> object:
        return (
            copy.deepcopy(self.referrals),
            [r.id for r in self.intake.holders],
            [r.id for r in self.intake.waiting],
            len(self.events),
        )

    @invariant()
    def events_replay_to_each_state(self) -> None:
        by_referral: dict[UUID, list[PendingEvent]] = {}
        for event in self.events:
            by_referral.setdefault(UUID(event.subject), []).append(event)
        for referral in self.referrals:
            stream = by_referral[referral.id]
            assert stream[0].data.routing_key == "referral.received.v1"
            state = State.RECEIVED
            previous = "referral.received.v1"
            for event in stream[1:]:
                key = event.data.routing_key
                allowed_from, state_after = REPLAY[key]
                assert state in allowed_from, (key, state)
                if key == "referral.accepted.v1" and state is State.WAITLISTED:
                    assert previous == "referral.seat_offered.v1"
                    assert getattr(event.data, "from_waiting_list", None) is True
                state, previous = state_after, key
                assert getattr(event.data, "participant_id", None) == referral.participant_id
            assert state is referral.state

    @invariant()
    def events_agree_with_the_dates(self) -> None:
        for referral in self.referrals:
            stream = [e.data for e in self.events if e.subject == str(referral.id)]
            if referral.state is State.ACCEPTED:
                accepted = [d for d in stream if d.routing_key == "referral.accepted.v1"][-1]
                assert getattr(accepted, "intake_date", None) == referral.intake_date
            if referral.state in (State.STARTED, State.ENDED):
                planned = [d for d in stream if d.routing_key in ("programme.started.v1", "programme.rescheduled.v1")][
                    -1
                ]
                assert getattr(planned, "planned_end_date", None) == referral.planned_end_date
            if referral.state is State.ENDED:
                ended = stream[-1] if stream[-1].routing_key == "programme.ended.v1" else None
                assert ended is not None
                assert getattr(ended, "end_date", None) == referral.end_date

    @invariant()
    def seats_agree_with_states(self) -> None:
        if not hasattr(self, "intake"):
            return
        holders = {r.id for r in self.referrals if r.state in HOLDS_A_SEAT}
        assert {r.id for r in self.intake.holders} == holders
        waiting = sorted((r for r in self.referrals if r.state is State.WAITLISTED), key=waiting_order)
        assert [r.id for r in self.intake.waiting] == [r.id for r in waiting]
        seats = self.intake.seats()
        assert len(seats) == len(holders)
        if seats:
            first, last = min(s.start for s in seats), max(s.end for s in seats)
            assert peak_occupancy(seats, first, last) <= self.intake.programme.capacity

    @invariant()
    def nobody_waits_for_a_seat_that_is_free(self) -> None:
        if not hasattr(self, "intake"):
            return
        holders, waiting = copy.deepcopy((self.intake.holders, self.intake.waiting))
        trial = Intake(self.intake.programme, holders, waiting, self.intake.horizon)
        assert trial.offer_freed_seats(self.now) == []


CourseMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCourseMachine = CourseMachine.TestCase

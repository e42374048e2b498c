"""Use cases of the provider's coordinator before the course: intake decisions and the waiting list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from forlob_referral.application.common import locked_intake, own_programme, provided, read_intake, save_intake
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.application.referrals import ReferralView
from forlob_referral.domain.intake import Intake
from forlob_referral.domain.referral import Referral, RejectReason, Subject
from forlob_referral.domain.seats import IntakeSeats, free_seats_by_intake
from forlob_referral.runtime import ReferralRuntime
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.http.auth import Principal


async def accept_referral(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, horizon: timedelta
) -> ReferralView:
    """Accept with the first intake day that has a seat; a full programme waitlists instead."""
    async with uow:
        intake, referral = await locked_intake(uow, await provided(uow, coordinator, referral_id), horizon)
        uow.emit(*intake.decide(referral, uow.clock.now()))
        await save_intake(uow, intake, referral)
        view = await _view(uow, intake_positions(intake.positions(uow.clock.now()), referral))
        await uow.commit(view)
    return view


def intake_positions(
    positions: list[tuple[Subject, int, date | None]], referral: Referral
) -> tuple[Referral, int | None, date | None]:
    return next(((referral, p, e) for r, p, e in positions if r.id == referral.id), (referral, None, None))


async def _view(uow: ReferralUoW, found: tuple[Referral, int | None, date | None]) -> ReferralView:
    referral, position, estimate = found
    return ReferralView(referral, await uow.personal.get(referral.id), position, estimate)


async def reject_referral(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, reason: RejectReason, horizon: timedelta
) -> ReferralView:
    async with uow:
        intake, referral = await locked_intake(uow, await provided(uow, coordinator, referral_id), horizon)
        uow.emit(*intake.reject(referral, reason, uow.clock.now()))
        await save_intake(uow, intake, referral)
        view = ReferralView(referral, await uow.personal.get(referral.id))
        await uow.commit(view)
    return view


@dataclass(frozen=True)
class WaitingEntry:
    referral: Subject  # a waiter: what the waiting list shows of a referral
    position: int
    estimated_start: date | None
    waiting_days: int


@dataclass(frozen=True)
class WaitingList:
    programme_code: str
    capacity: int
    seats_held: int
    entries: list[WaitingEntry]

    @property
    def oldest_wait_days(self) -> int | None:
        return max((e.waiting_days for e in self.entries), default=None)


async def move_on_waiting_list(
    uow: ReferralUoW,
    coordinator: Principal,
    code: str,
    referral_id: UUID,
    position: int,
    reason: str,
    horizon: timedelta,
) -> WaitingList:
    """Move a waitlisted referral to another place, with a reason that is kept in the audit log."""
    if len(reason.strip()) < 3:
        raise InvalidInput("say why the order changes (reason)", field="reason")
    async with uow:
        referral = await provided(uow, coordinator, referral_id)
        if referral.programme_code != code:
            raise NotFound(f"referral {referral_id} is not in programme {code}")
        intake, referral = await locked_intake(uow, referral, horizon)
        moved = intake.move(referral, position)
        await uow.audit.waitlist_move(referral, coordinator.staff_id, moved, reason.strip(), uow.clock.now())
        # Whoever is first in line now may fit where the one before did not.
        uow.emit(*intake.offer_freed_seats(uow.clock.now()))
        await save_intake(uow, intake, referral)
        waiting = _waiting_list(intake.programme.code, intake.programme.capacity, intake, uow.clock.now())
        await uow.commit(waiting)
    return waiting


async def waiting_list(uow: ReferralUoW, coordinator: Principal, code: str, horizon: timedelta) -> WaitingList:
    async with uow:
        programme = await own_programme(uow, coordinator.org, code)
        intake = await read_intake(uow, programme, horizon)
        return _waiting_list(code, programme.capacity, intake, uow.clock.now())


def _waiting_list(code: str, capacity: int, intake: Intake, now: datetime) -> WaitingList:
    today = intake.today(now)
    entries = [
        WaitingEntry(r, p, e, (today - intake.programme.calendar.local_date(r.received_at)).days)
        for r, p, e in intake.positions(now)
    ]
    return WaitingList(code, capacity, intake.seats_held(today), entries)


@dataclass(frozen=True)
class IntakeCalendar:
    programme_code: str
    capacity: int
    course_weeks: int
    intakes: list[IntakeSeats]


async def intake_calendar(uow: ReferralUoW, coordinator: Principal, code: str, count: int) -> IntakeCalendar:
    """The next ``count`` intake days of one of the coordinator's programmes, with the seats free on each."""
    async with uow:
        programme = await own_programme(uow, coordinator.org, code)
        seats = [h.seat for h in await uow.referrals.seats(programme.provider_org, code)]
        today = programme.calendar.local_date(uow.clock.now())
        intakes = free_seats_by_intake(programme, seats, today, count)
        return IntakeCalendar(code, programme.capacity, programme.default_weeks, intakes)


@dataclass(frozen=True)
class WeekFlow:
    week: str  # ISO week, e.g. "2026-W48"
    received: int
    accepted: int
    rejected: int
    withdrawn: int
    started: int
    ended: int


async def weekly_flow(uow: ReferralUoW, coordinator: Principal, code: str, weeks: int) -> list[WeekFlow]:
    """In- and outflow per ISO week for the last ``weeks`` weeks (local time), oldest first.

    In: referrals received, accepted (dated by the decision) and courses started; out: rejected,
    withdrawn and ended. The waiting list's own figures come from :func:`waiting_list`.
    """
    async with uow:
        programme = await own_programme(uow, coordinator.org, code)
        referrals = await uow.referrals.of_programme(coordinator.org, code)
        today = programme.calendar.local_date(uow.clock.now())
    calendar = programme.calendar
    counts: dict[str, Counter[str]] = {}
    monday = today - timedelta(days=today.weekday())
    labels = [_iso_week(monday - timedelta(weeks=i)) for i in reversed(range(weeks))]
    for label in labels:
        counts[label] = Counter()

    def count(kind: str, day: date | None) -> None:
        if day is not None and (label := _iso_week(day)) in counts:
            counts[label][kind] += 1

    for r in referrals:
        count("received", calendar.local_date(r.received_at))
        if r.intake_date is not None and r.decided_at is not None:
            count("accepted", calendar.local_date(r.decided_at))
        if r.state.value in ("rejected", "withdrawn") and r.closed_at is not None:
            count(r.state.value, calendar.local_date(r.closed_at))
        count("started", r.start_date)
        count("ended", r.end_date)
    return [
        WeekFlow(
            week=label,
            received=c["received"],
            accepted=c["accepted"],
            rejected=c["rejected"],
            withdrawn=c["withdrawn"],
            started=c["started"],
            ended=c["ended"],
        )
        for label, c in counts.items()
    ]


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def offer_free_seats(uow: ReferralUoW, now: datetime, horizon: timedelta) -> int:
    """Offer the seats that time has freed (courses past their planned end, intake days coming
    within the horizon) to every programme's waiting list; returns how many were offered.

    Changes that free a seat offer it at once; this sweep catches what the calendar frees.
    One transaction per programme, under its row lock, like every other seat decision.
    """
    async with uow:
        programmes = await uow.referrals.programmes_with_waiting_lists()
    offered = 0
    for provider_org, code in programmes:
        async with uow:
            programme = await own_programme(uow, provider_org, code, lock=True)
            intake = await read_intake(uow, programme, horizon)
            events = intake.offer_freed_seats(now)
            uow.emit(*events)
            await save_intake(uow, intake)
            await uow.commit()
        offered += sum(1 for e in events if e.data.routing_key == "referral.seat_offered.v1")
    return offered


async def seat_offer_job(runtime: ReferralRuntime, now: datetime) -> int:
    """The periodic form of :func:`offer_free_seats`, run in the service's lifespan."""
    uow: ReferralUoW = runtime.uow()
    return await offer_free_seats(uow, now, timedelta(weeks=runtime.settings.intake_horizon_weeks))

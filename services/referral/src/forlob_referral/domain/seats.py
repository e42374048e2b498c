"""Seats over time: when a programme has room, and when the waiting list can expect a start.

A referral holds a seat from its intake (or start) date until its planned end, exclusive.
A new course of ``weeks`` weeks fits on day ``d`` when, at every moment of [d, d + weeks),
fewer than ``capacity`` seats are held. Pure functions: the application layer hands them the
seats it read under the programme's row lock.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from forlob_referral.domain.programme import Programme


@dataclass(frozen=True)
class Seat:
    """A seat held over [start, end): ``end`` is the day after the course's last day."""

    start: date
    end: date

    @classmethod
    def for_course(cls, start: date, last_day: date) -> Seat:
        return cls(start, last_day + timedelta(days=1))


@dataclass(frozen=True)
class HeldSeat:
    """Another referral's seat: all a seat decision needs of a referral it does not change."""

    referral_id: UUID
    seat: Seat


def peak_occupancy(seats: Iterable[Seat], start: date, end: date) -> int:
    """The most seats held at once anywhere in [start, end)."""
    changes: list[tuple[date, int]] = []
    for seat in seats:
        lo, hi = max(seat.start, start), min(seat.end, end)
        if lo < hi:
            changes.append((lo, 1))
            changes.append((hi, -1))
    # A seat ending on a day frees it for a course starting that day: -1 sorts before +1.
    changes.sort()
    held = peak = 0
    for _, delta in changes:
        held += delta
        peak = max(peak, held)
    return peak


def first_free_intake(
    programme: Programme, seats: Sequence[Seat], earliest: date, weeks: int, horizon: timedelta
) -> date | None:
    """The first intake day on or after ``earliest`` (and within ``horizon`` of it) with room."""
    if programme.capacity <= 0:
        return None
    day = programme.next_intake_day(earliest)
    last = earliest + horizon
    while day <= last:
        if peak_occupancy(seats, day, day + timedelta(weeks=weeks)) < programme.capacity:
            return day
        day = programme.next_intake_day(day + timedelta(days=1))
    return None


def estimated_starts(
    programme: Programme, seats: Sequence[Seat], waiting: Sequence[date], today: date
) -> list[date | None]:
    """Estimated start of each waiting referral, in waiting-list order.

    ``waiting`` holds each one's earliest acceptable start (its wished start, or today). The
    seats free in the order the courses holding them end; each waiting referral in turn takes
    the next seat to free, starts on the first intake day after that, and holds the seat for the
    programme's default length, so a long list wraps round onto the seats of its own earlier
    members. ``None`` when the programme has no seats at all.
    """
    if programme.capacity <= 0:
        return [None] * len(waiting)
    holding = sorted(s.end for s in seats if s.end > today)
    surplus = len(holding) - programme.capacity
    # With more seats held than there are (capacity was lowered) the surplus must end first.
    frees = holding[surplus:] if surplus >= 0 else [today] * -surplus + holding
    heapq.heapify(frees)
    estimates: list[date | None] = []
    for earliest in waiting:
        freed = heapq.heappop(frees)
        start = programme.next_intake_day(max(freed, earliest, today))
        estimates.append(start)
        heapq.heappush(frees, start + timedelta(weeks=programme.default_weeks))
    return estimates


@dataclass(frozen=True)
class IntakeSeats:
    """How many courses of the programme's default length could still start on an intake day."""

    day: date
    free: int


def free_seats_by_intake(programme: Programme, seats: Sequence[Seat], today: date, count: int) -> list[IntakeSeats]:
    """The next ``count`` intake days from ``today`` on, each with the seats free for a whole course.

    A course starting on a day needs its seat for all of [day, day + default_weeks), so a seat
    that frees mid-way through does not count, and the busiest moment decides. When the capacity
    was lowered below the seats already held the answer is 0, never a negative number.
    """
    length = timedelta(weeks=programme.default_weeks)
    intakes: list[IntakeSeats] = []
    day = programme.next_intake_day(today)
    for _ in range(count):
        free = programme.capacity - peak_occupancy(seats, day, day + length)
        intakes.append(IntakeSeats(day, max(free, 0)))
        day = programme.next_intake_day(day + timedelta(days=1))
    return intakes

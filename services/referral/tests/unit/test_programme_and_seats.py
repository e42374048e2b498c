"""Intake days, seats over time and the waiting-list estimate."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from forlob_referral.domain.programme import Programme, ProgrammeKind, define
from forlob_referral.domain.seats import (
    IntakeSeats,
    Seat,
    estimated_starts,
    first_free_intake,
    free_seats_by_intake,
    peak_occupancy,
)
from forlob_shared.errors import InvalidInput
from forlob_shared.events.common import AttendanceRules, TimeWindow

NOW = datetime(2026, 5, 20, 8, tzinfo=UTC)
HOURS = tuple(TimeWindow(weekday=d, start=time(7, 30), end=time(14, 30 if d < 4 else 0)) for d in range(5))


def programme(capacity: int = 3, country: str = "DK", default_weeks: int = 13) -> Programme:
    made, _ = define(
        provider_org="rca",
        code="UDV",
        name="Development course",
        kind=ProgrammeKind.DEVELOPMENT_COURSE,
        capacity=capacity,
        intake_weekdays=(0,),
        default_weeks=default_weeks,
        min_weeks=4,
        max_weeks=26,
        opening_hours=HOURS,
        country=country,
        timezone=None,
        rules=AttendanceRules(),
        now=NOW,
    )
    return made


def test_intake_days_skip_public_holidays_per_country() -> None:
    dk, se = programme(), programme(country="SE")
    assert dk.next_intake_day(date(2026, 5, 20)) == date(2026, 6, 1)  # Whit Monday 25 May is Danish
    assert se.next_intake_day(date(2026, 5, 20)) == date(2026, 5, 25)  # but not Swedish
    assert dk.next_intake_day(date(2026, 4, 3)) == date(2026, 4, 13)  # Easter Monday 6 April, both
    assert se.next_intake_day(date(2026, 4, 3)) == date(2026, 4, 13)
    assert dk.next_intake_day(date(2026, 6, 1)) == date(2026, 6, 1)
    assert not dk.is_intake_day(date(2026, 6, 2))


def test_schedules_must_lie_inside_opening_hours() -> None:
    p = programme()
    p.check_within_opening_hours((TimeWindow(weekday=4, start=time(8), end=time(14)),))
    with pytest.raises(InvalidInput, match="Fri 08:00-14:30"):
        p.check_within_opening_hours((TimeWindow(weekday=4, start=time(8), end=time(14, 30)),))
    with pytest.raises(InvalidInput, match="overlap"):
        p.check_within_opening_hours(
            (
                TimeWindow(weekday=0, start=time(8), end=time(11)),
                TimeWindow(weekday=0, start=time(10), end=time(12)),
            )
        )


def test_peak_occupancy_counts_seats_held_at_once() -> None:
    seats = [Seat(date(2026, 6, 1), date(2026, 7, 1)), Seat(date(2026, 7, 1), date(2026, 8, 1))]
    assert peak_occupancy(seats, date(2026, 5, 1), date(2026, 9, 1)) == 1  # one ends as the next begins
    seats.append(Seat(date(2026, 6, 15), date(2026, 7, 15)))
    assert peak_occupancy(seats, date(2026, 5, 1), date(2026, 9, 1)) == 2
    assert peak_occupancy(seats, date(2026, 8, 1), date(2026, 9, 1)) == 0


def test_first_free_intake_looks_ahead_within_the_horizon() -> None:
    p = programme(capacity=1, default_weeks=4)
    taken = [Seat(date(2026, 6, 1), date(2026, 6, 15))]
    assert first_free_intake(p, taken, date(2026, 5, 20), 4, timedelta(weeks=4)) == date(2026, 6, 15)
    assert first_free_intake(p, taken, date(2026, 5, 20), 4, timedelta(days=10)) is None
    assert first_free_intake(programme(capacity=0), [], date(2026, 5, 20), 4, timedelta(weeks=4)) is None


def test_waiting_list_estimate_on_courses_that_end_on_known_dates() -> None:
    """Three seats, held by courses ending 29 June, 13 July (a Monday) and 22 July (a Wednesday).

    The first three in line take those seats on the first intake Monday after each end (13 July
    is itself a Monday); the fourth waits for the first of them to finish its 13 weeks.
    """
    p = programme(capacity=3)
    today = date(2026, 6, 10)
    seats = [
        Seat(date(2026, 3, 30), date(2026, 6, 29)),
        Seat(date(2026, 4, 13), date(2026, 7, 13)),
        Seat(date(2026, 4, 22), date(2026, 7, 22)),
        Seat(date(2026, 1, 5), date(2026, 4, 6)),  # ended before today: frees nothing new
    ]
    starts = estimated_starts(p, seats, [today] * 4, today)
    assert starts == [date(2026, 6, 29), date(2026, 7, 13), date(2026, 7, 27), date(2026, 9, 28)]
    # a later wished start is respected, and does not hold up the seat for the next in line
    later = estimated_starts(p, seats, [date(2026, 8, 10), today], today)
    assert later == [date(2026, 8, 10), date(2026, 7, 13)]
    # a free seat today: the next intake day
    assert estimated_starts(p, seats[:2], [today], today) == [date(2026, 6, 15)]
    # with capacity lowered below the seats held, the surplus must end first
    assert estimated_starts(programme(capacity=1), seats, [today], today) == [date(2026, 7, 27)]
    assert estimated_starts(programme(capacity=0), seats, [today], today) == [None]


def free(p: Programme, seats: list[Seat], today: date, count: int) -> list[tuple[str, int]]:
    return [(i.day.isoformat(), i.free) for i in free_seats_by_intake(p, seats, today, count)]


def test_free_seats_skip_the_holiday_monday_and_count_whole_courses() -> None:
    """Intake on Mondays, courses of 4 weeks; from Wednesday 20 May the Whit Monday (25 May) is skipped."""
    p = programme(capacity=3, default_weeks=4)
    assert free(p, [], date(2026, 5, 20), 3) == [("2026-06-01", 3), ("2026-06-08", 3), ("2026-06-15", 3)]
    # an intake day itself is the first one listed
    assert free_seats_by_intake(p, [], date(2026, 6, 1), 1) == [IntakeSeats(date(2026, 6, 1), 3)]
    assert free_seats_by_intake(p, [], date(2026, 6, 1), 0) == []


def test_a_full_programme_has_no_seats_until_the_courses_end() -> None:
    p = programme(capacity=2, default_weeks=4)
    full = [Seat(date(2026, 6, 1), date(2026, 6, 29)), Seat(date(2026, 6, 1), date(2026, 6, 29))]
    assert free(p, full, date(2026, 5, 20), 6) == [
        ("2026-06-01", 0),
        ("2026-06-08", 0),
        ("2026-06-15", 0),
        ("2026-06-22", 0),
        ("2026-06-29", 2),  # both end on Sunday 28 June
        ("2026-07-06", 2),
    ]


def test_a_seat_freeing_or_taken_mid_way_counts_for_the_whole_course() -> None:
    p = programme(capacity=1, default_weeks=4)
    frees = Seat(date(2026, 5, 4), date(2026, 6, 15))  # held now, free from Monday 15 June
    assert free(p, [frees], date(2026, 5, 20), 3) == [("2026-06-01", 0), ("2026-06-08", 0), ("2026-06-15", 1)]
    taken = Seat(date(2026, 6, 22), date(2026, 7, 20))  # free now, taken from Monday 22 June
    assert free(p, [taken], date(2026, 5, 20), 6) == [
        ("2026-06-01", 0),  # 1-28 June would run into it
        ("2026-06-08", 0),
        ("2026-06-15", 0),
        ("2026-06-22", 0),
        ("2026-06-29", 0),
        ("2026-07-06", 0),
    ]
    assert free(p, [taken], date(2026, 7, 20), 1) == [("2026-07-20", 1)]
    # two seats held one after the other take one seat, not two
    assert [f for _, f in free(programme(capacity=2, default_weeks=4), [frees, taken], date(2026, 5, 20), 4)] == [
        1,
        1,
        1,
        1,
    ]


def test_capacity_lowered_below_the_seats_held_gives_no_seats_not_fewer_than_none() -> None:
    held = [Seat(date(2026, 6, 1), date(2026, 6, 29))] * 3
    assert free(programme(capacity=1, default_weeks=4), held, date(2026, 5, 20), 5)[-2:] == [
        ("2026-06-22", 0),
        ("2026-06-29", 1),
    ]
    assert [f for _, f in free(programme(capacity=1, default_weeks=4), held, date(2026, 5, 20), 4)] == [0] * 4
    assert [f for _, f in free(programme(capacity=0, default_weeks=4), [], date(2026, 5, 20), 2)] == [0, 0]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"min_weeks": 14}, "min_weeks"),
        ({"intake_weekdays": ()}, "intake weekday"),
        ({"country": "NO"}, "country"),
        ({"timezone": "Nowhere/Else"}, "timezone"),
        ({"intake_weekdays": (6,)}, "closed on every intake weekday"),
    ],
)
def test_bad_programmes(change: dict[str, object], words: str) -> None:
    fields: dict[str, object] = {
        "provider_org": "rca",
        "code": "UDV",
        "name": "n",
        "kind": ProgrammeKind.OTHER,
        "capacity": 1,
        "intake_weekdays": (0,),
        "default_weeks": 13,
        "min_weeks": 4,
        "max_weeks": 26,
        "opening_hours": HOURS,
        "country": "DK",
        "timezone": None,
        "rules": AttendanceRules(),
        "now": NOW,
    }
    fields.update(change)
    with pytest.raises(InvalidInput, match=words):
        define(**fields)  # type: ignore[arg-type]

"""ProviderCalendar: public holidays, working days and local wall-clock time across DST changes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from dateutil.easter import easter

from forlob_shared.calendar import CUSTOMARY_CLOSURES, Closure, ProviderCalendar

MONDAY, TUESDAY, WEDNESDAY, FRIDAY, SATURDAY, SUNDAY = 0, 1, 2, 4, 5, 6


@pytest.fixture
def dk() -> ProviderCalendar:
    return ProviderCalendar()


@pytest.fixture
def se() -> ProviderCalendar:
    return ProviderCalendar("SE")


def store_bededag(year: int) -> date:
    """The fourth Friday after Easter Sunday."""
    return easter(year) + timedelta(days=26)


# --- construction -----------------------------------------------------------------------------


def test_defaults_to_denmark_in_copenhagen(dk: ProviderCalendar) -> None:
    assert dk.country == "DK"
    assert dk.timezone == "Europe/Copenhagen"
    assert dk.zone == ZoneInfo("Europe/Copenhagen")
    assert dk.extra_closed_days == frozenset()


def test_sweden_defaults_to_stockholm(se: ProviderCalendar) -> None:
    assert se.timezone == "Europe/Stockholm"
    assert se.zone == ZoneInfo("Europe/Stockholm")


def test_explicit_timezone_is_kept() -> None:
    calendar = ProviderCalendar("DK", timezone="Atlantic/Faroe")
    assert calendar.timezone == "Atlantic/Faroe"
    assert calendar.at(date(2026, 1, 5), time(9, 0)).utcoffset() == timedelta(0)


@pytest.mark.parametrize("country", ["NO", "DE", "dk", "", "DNK"])
def test_unsupported_country_is_refused(country: str) -> None:
    with pytest.raises(ValueError, match="unsupported country") as excinfo:
        ProviderCalendar(country)
    assert "DK" in str(excinfo.value)
    assert "SE" in str(excinfo.value)


def test_unknown_timezone_fails_at_construction() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        ProviderCalendar("DK", timezone="Europe/Atlantis")


def test_calendar_is_frozen(dk: ProviderCalendar) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        dk.country = "SE"  # type: ignore[misc]


# --- Danish holidays --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 4, 2), "Maundy Thursday"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 14), "Ascension Day"),
        (date(2026, 5, 25), "Pentecost Monday"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Second Day of Christmas"),
    ],
)
def test_danish_public_holidays(dk: ProviderCalendar, day: date, name: str) -> None:
    assert dk.holiday_name(day) == name
    assert not dk.is_working_day(day)


def test_ordinary_weekdays_are_working_days(dk: ProviderCalendar) -> None:
    week = [date(2026, 3, 9) + timedelta(days=i) for i in range(5)]  # Monday 9 to Friday 13 March 2026
    assert [d.weekday() for d in week] == [0, 1, 2, 3, 4]
    assert all(dk.is_working_day(d) for d in week)
    assert all(dk.holiday_name(d) is None for d in week)


@pytest.mark.parametrize("day", [date(2026, 3, 7), date(2026, 3, 8), date(2024, 2, 10), date(2024, 2, 11)])
def test_weekends_are_not_working_days(dk: ProviderCalendar, se: ProviderCalendar, day: date) -> None:
    assert day.weekday() in (SATURDAY, SUNDAY)
    assert dk.holiday_name(day) is None  # not a holiday: just a weekend
    assert not dk.is_working_day(day)
    assert not se.is_working_day(day)


def test_store_bededag_was_a_holiday_in_2023(dk: ProviderCalendar) -> None:
    assert store_bededag(2023) == date(2023, 5, 5)
    assert date(2023, 5, 5).weekday() == FRIDAY
    assert dk.holiday_name(date(2023, 5, 5)) is not None
    assert not dk.is_working_day(date(2023, 5, 5))


@pytest.mark.parametrize("year", range(2015, 2024))
def test_store_bededag_is_a_holiday_up_to_2023(dk: ProviderCalendar, year: int) -> None:
    assert not dk.is_working_day(store_bededag(year))


@pytest.mark.parametrize("year", range(2024, 2031))
def test_store_bededag_is_a_working_day_from_2024(dk: ProviderCalendar, year: int) -> None:
    day = store_bededag(year)
    assert day.weekday() == FRIDAY
    assert dk.holiday_name(day) is None
    assert dk.is_working_day(day)


def test_store_bededag_2024_specifically(dk: ProviderCalendar) -> None:
    assert store_bededag(2024) == date(2024, 4, 26)
    assert dk.holiday_name(date(2024, 4, 26)) is None
    assert dk.is_working_day(date(2024, 4, 26))


def test_store_bededag_was_never_a_swedish_holiday(se: ProviderCalendar) -> None:
    assert se.is_working_day(date(2023, 5, 5))


# --- Swedish holidays -------------------------------------------------------------------------


def test_swedish_national_day(se: ProviderCalendar, dk: ProviderCalendar) -> None:
    national_day = date(2025, 6, 6)  # a Friday
    assert national_day.weekday() == FRIDAY
    assert se.holiday_name(national_day) == "National Day"
    assert not se.is_working_day(national_day)
    assert dk.is_working_day(national_day)
    # In 2026 it falls on a Saturday: still named, and not a working day either way.
    assert se.holiday_name(date(2026, 6, 6)) == "National Day"


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 6), "Epiphany"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 1), "May Day"),
        (date(2026, 5, 14), "Ascension Day"),
        (date(2026, 12, 25), "Christmas Day"),
    ],
)
def test_swedish_public_holidays(se: ProviderCalendar, day: date, name: str) -> None:
    assert se.holiday_name(day) == name
    assert not se.is_working_day(day)


def test_holidays_differ_between_countries(dk: ProviderCalendar, se: ProviderCalendar) -> None:
    # Maundy Thursday is Danish only; Epiphany and 1 May are Swedish only.
    assert not dk.is_working_day(date(2026, 4, 2))
    assert se.is_working_day(date(2026, 4, 2))
    assert dk.is_working_day(date(2026, 1, 6))
    assert dk.is_working_day(date(2026, 5, 1))


def test_swedish_midsummer_day_is_a_holiday(se: ProviderCalendar) -> None:
    assert se.holiday_name(date(2026, 6, 20)) == "Midsummer Day"


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 6, 19), id="midsommarafton-2026"),
        pytest.param(date(2025, 6, 20), id="midsommarafton-2025"),
        pytest.param(date(2026, 12, 24), id="julafton-2026"),
        pytest.param(date(2026, 12, 31), id="nyarsafton-2026"),
    ],
)
def test_swedish_de_facto_holidays_are_not_working_days(se: ProviderCalendar, day: date) -> None:
    assert day.weekday() < SATURDAY
    assert not se.is_working_day(day)


# --- extra closed days ------------------------------------------------------------------------


def test_extra_closed_days_are_not_working_days() -> None:
    closed = date(2026, 3, 11)  # an ordinary Wednesday
    calendar = ProviderCalendar("DK", extra_closed_days=frozenset({closed}))
    assert not calendar.is_working_day(closed)
    assert calendar.holiday_name(closed) is None  # closed, but not a public holiday
    assert calendar.is_working_day(closed + timedelta(days=1))
    assert ProviderCalendar("DK").is_working_day(closed)


def test_next_working_day_skips_extra_closed_days() -> None:
    closed = frozenset({date(2026, 3, 9), date(2026, 3, 10)})  # Monday and Tuesday
    calendar = ProviderCalendar("DK", extra_closed_days=closed)
    assert calendar.next_working_day(date(2026, 3, 7)) == date(2026, 3, 11)
    assert calendar.next_working_day(date(2026, 3, 7), frozenset({MONDAY})) == date(2026, 3, 16)


# --- next_working_day -------------------------------------------------------------------------


def test_next_working_day_of_a_working_day_is_itself(dk: ProviderCalendar) -> None:
    assert dk.next_working_day(date(2026, 3, 11)) == date(2026, 3, 11)


def test_next_working_day_skips_the_weekend(dk: ProviderCalendar) -> None:
    assert dk.next_working_day(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday -> Monday
    assert dk.next_working_day(date(2026, 3, 8)) == date(2026, 3, 9)  # Sunday -> Monday


def test_next_working_day_skips_danish_easter(dk: ProviderCalendar, se: ProviderCalendar) -> None:
    # Maundy Thursday, Good Friday, the weekend and Easter Monday: the next Danish working day is Tuesday.
    assert dk.next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    # Maundy Thursday is a working day in Sweden.
    assert se.next_working_day(date(2026, 4, 2)) == date(2026, 4, 2)
    assert se.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)


def test_next_monday_intake_skips_easter_monday(dk: ProviderCalendar) -> None:
    mondays = frozenset({MONDAY})
    assert dk.next_working_day(date(2026, 4, 1), mondays) == date(2026, 4, 13)
    assert dk.next_working_day(date(2026, 4, 6), mondays) == date(2026, 4, 13)
    assert dk.next_working_day(date(2026, 4, 13), mondays) == date(2026, 4, 13)
    assert dk.next_working_day(date(2026, 3, 31), mondays) == date(2026, 4, 13)
    assert dk.next_working_day(date(2026, 3, 28), mondays) == date(2026, 3, 30)


def test_next_working_day_with_several_weekdays(dk: ProviderCalendar) -> None:
    monday_or_wednesday = frozenset({MONDAY, WEDNESDAY})
    assert dk.next_working_day(date(2026, 4, 4), monday_or_wednesday) == date(2026, 4, 8)
    assert dk.next_working_day(date(2026, 3, 10), monday_or_wednesday) == date(2026, 3, 11)


def test_next_working_day_skips_ascension_day(dk: ProviderCalendar) -> None:
    assert dk.next_working_day(date(2026, 5, 14), frozenset({date(2026, 5, 14).weekday()})) == date(2026, 5, 21)
    assert dk.next_working_day(date(2026, 5, 14)) == date(2026, 5, 15)


def test_next_working_day_none_and_all_weekdays_agree(dk: ProviderCalendar) -> None:
    every_weekday = frozenset(range(7))
    start = date(2026, 12, 20)
    for offset in range(20):
        day = start + timedelta(days=offset)
        assert dk.next_working_day(day) == dk.next_working_day(day, every_weekday)


def test_next_working_day_result_is_always_a_working_day(dk: ProviderCalendar) -> None:
    start = date(2026, 1, 1)
    for offset in range(366):
        day = start + timedelta(days=offset)
        result = dk.next_working_day(day)
        assert result >= day
        assert dk.is_working_day(result)
        assert all(not dk.is_working_day(day + timedelta(days=i)) for i in range((result - day).days))


@pytest.mark.parametrize("weekdays", [frozenset({SATURDAY}), frozenset({SUNDAY}), frozenset()])
def test_next_working_day_without_a_possible_day_raises(dk: ProviderCalendar, weekdays: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="no working day"):
        dk.next_working_day(date(2026, 1, 1), weekdays)


# --- local wall-clock time and DST ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "offset_hours", "utc"),
    [
        # Spring forward: Sunday 29 March 2026.
        pytest.param(date(2026, 3, 27), 1, datetime(2026, 3, 27, 6, 30, tzinfo=UTC), id="friday-before-spring"),
        pytest.param(date(2026, 3, 30), 2, datetime(2026, 3, 30, 5, 30, tzinfo=UTC), id="monday-after-spring"),
        # Fall back: Sunday 25 October 2026.
        pytest.param(date(2026, 10, 23), 2, datetime(2026, 10, 23, 5, 30, tzinfo=UTC), id="friday-before-fall"),
        pytest.param(date(2026, 10, 26), 1, datetime(2026, 10, 26, 6, 30, tzinfo=UTC), id="monday-after-fall"),
    ],
)
def test_0730_local_across_dst_changes(dk: ProviderCalendar, day: date, offset_hours: int, utc: datetime) -> None:
    instant = dk.at(day, time(7, 30))
    assert instant.utcoffset() == timedelta(hours=offset_hours)
    assert instant == utc
    assert instant.astimezone(UTC) == utc
    # The wall-clock reading is unchanged.
    assert (instant.date(), instant.time()) == (day, time(7, 30))
    assert dk.local_date(instant) == day


def test_same_wall_clock_time_is_an_hour_apart_in_utc_across_spring_forward(dk: ProviderCalendar) -> None:
    friday = dk.at(date(2026, 3, 27), time(7, 30))
    monday = dk.at(date(2026, 3, 30), time(7, 30))
    # Subtract in UTC: Python subtracts two datetimes sharing a tzinfo by their wall-clock readings.
    assert monday.astimezone(UTC) - friday.astimezone(UTC) == timedelta(days=3, hours=-1)


def test_same_wall_clock_time_is_an_hour_apart_in_utc_across_fall_back(dk: ProviderCalendar) -> None:
    friday = dk.at(date(2026, 10, 23), time(7, 30))
    monday = dk.at(date(2026, 10, 26), time(7, 30))
    assert monday.astimezone(UTC) - friday.astimezone(UTC) == timedelta(days=3, hours=1)


def test_at_returns_an_aware_datetime_in_the_provider_zone(dk: ProviderCalendar) -> None:
    instant = dk.at(date(2026, 6, 1), time(9, 15))
    assert instant.tzinfo is not None
    assert instant.tzinfo == ZoneInfo("Europe/Copenhagen")
    assert instant.utcoffset() == timedelta(hours=2)


def test_non_existent_time_in_spring_gap_moves_forward_by_the_gap(dk: ProviderCalendar) -> None:
    # On 29 March 2026 clocks jump from 02:00 (UTC+1) to 03:00 (UTC+2): 02:30 never happens.
    instant = dk.at(date(2026, 3, 29), time(2, 30))
    assert instant.time() == time(3, 30)
    assert instant.date() == date(2026, 3, 29)
    assert instant.utcoffset() == timedelta(hours=2)
    assert instant.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # It is a real instant: local time round-trips through UTC unchanged.
    assert instant.astimezone(UTC).astimezone(dk.zone) == instant
    assert instant.astimezone(UTC).astimezone(dk.zone).time() == time(3, 30)


def test_times_around_the_spring_gap(dk: ProviderCalendar) -> None:
    day = date(2026, 3, 29)
    before = dk.at(day, time(1, 59))
    gap_start = dk.at(day, time(2, 0))
    after = dk.at(day, time(3, 0))
    assert before.utcoffset() == timedelta(hours=1)
    assert gap_start.time() == time(3, 0)
    assert gap_start.astimezone(UTC) == after.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)


def test_ambiguous_time_at_fall_back_takes_the_first_occurrence(dk: ProviderCalendar) -> None:
    # On 25 October 2026 clocks go back from 03:00 (UTC+2) to 02:00 (UTC+1): 02:30 happens twice.
    instant = dk.at(date(2026, 10, 25), time(2, 30))
    assert instant.time() == time(2, 30)
    assert instant.utcoffset() == timedelta(hours=2)
    assert instant.fold == 0
    # Compare in UTC: under PEP 495 an ambiguous local time never compares equal across zones.
    assert instant.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second_occurrence = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert instant.astimezone(UTC) < second_occurrence
    assert second_occurrence.astimezone(dk.zone).time() == time(2, 30)
    assert second_occurrence.astimezone(dk.zone).utcoffset() == timedelta(hours=1)


def test_sweden_changes_clocks_on_the_same_days(se: ProviderCalendar) -> None:
    assert se.at(date(2026, 3, 27), time(7, 30)).utcoffset() == timedelta(hours=1)
    assert se.at(date(2026, 3, 30), time(7, 30)).utcoffset() == timedelta(hours=2)
    assert se.at(date(2026, 3, 29), time(2, 30)).time() == time(3, 30)


def test_local_date_of_an_instant_near_midnight(dk: ProviderCalendar) -> None:
    # 23:30 UTC on 28 March is 00:30 on 29 March in Copenhagen (still winter time).
    instant = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert instant.date() == date(2026, 3, 28)
    assert dk.local_date(instant) == date(2026, 3, 29)
    # 22:30 UTC on 30 June is 00:30 on 1 July (summer time).
    assert dk.local_date(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert dk.local_date(datetime(2026, 6, 30, 21, 30, tzinfo=UTC)) == date(2026, 6, 30)


def test_local_converts_to_the_provider_zone(dk: ProviderCalendar) -> None:
    instant = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    local = dk.local(instant)
    assert local == instant
    assert local.tzinfo == ZoneInfo("Europe/Copenhagen")
    assert local.hour == 13


def test_at_and_local_round_trip(dk: ProviderCalendar) -> None:
    start = date(2026, 1, 1)
    for offset in range(0, 365, 7):
        day = start + timedelta(days=offset)
        instant = dk.at(day, time(7, 30))
        utc = instant.astimezone(UTC)
        assert dk.local(utc).time() == time(7, 30)
        assert dk.local_date(utc) == day


# --- customary closures ------------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2025, 12, 24), date(2025, 12, 31), date(2026, 12, 24), date(2026, 12, 31)])
def test_danish_providers_are_closed_on_24_and_31_december(dk: ProviderCalendar, day: date) -> None:
    assert day.weekday() < SATURDAY
    assert not dk.is_working_day(day)
    assert dk.holiday_name(day) is None  # closed by custom, not a public holiday
    assert dk.open_parts(day, time(8), time(16)) == []


def test_danish_constitution_day_is_closed_from_noon(dk: ProviderCalendar) -> None:
    day = date(2026, 6, 5)  # a Friday
    assert dk.is_working_day(day)  # the morning is worked
    # A window across noon is cut at noon; one that starts at noon or later is not expected.
    assert dk.open_parts(day, time(10), time(14)) == [(time(10), time(12))]
    assert dk.open_parts(day, time(12), time(14)) == []
    assert dk.open_parts(day, time(13), time(15)) == []
    assert dk.open_parts(day, time(8), time(11)) == [(time(8), time(11))]
    assert dk.open_parts(date(2026, 6, 4), time(10), time(14)) == [(time(10), time(14))]


def test_a_provider_may_open_on_a_customary_closure() -> None:
    open_eve = ProviderCalendar("DK", open_on=frozenset({"christmas_eve", "constitution_day_afternoon"}))
    assert open_eve.is_working_day(date(2026, 12, 24))
    assert not open_eve.is_working_day(date(2026, 12, 31))
    assert open_eve.open_parts(date(2026, 6, 5), time(10), time(14)) == [(time(10), time(14))]


def test_swedish_customary_closures_are_counted_once_and_can_be_opened() -> None:
    se = ProviderCalendar("SE")
    midsummer_eve = date(2026, 6, 19)
    assert [c.reason for c in se.closures_on(midsummer_eve)] == ["midsummer_eve"]
    assert se.holiday_name(midsummer_eve) is None  # not filed as a public holiday as well
    assert not se.is_working_day(midsummer_eve)
    assert se.is_working_day(date(2026, 6, 5))  # Danish Constitution Day means nothing in Sweden
    opened = ProviderCalendar("SE", open_on=frozenset({"midsummer_eve"}))
    assert opened.is_working_day(midsummer_eve)
    assert not opened.is_working_day(date(2026, 12, 24))


def test_customary_codes_are_known_per_country() -> None:
    assert set(CUSTOMARY_CLOSURES["DK"]) == {"christmas_eve", "new_years_eve", "constitution_day_afternoon"}
    assert set(CUSTOMARY_CLOSURES["SE"]) == {"midsummer_eve", "christmas_eve", "new_years_eve"}


# --- declared closures ---------------------------------------------------------------------------


def test_a_declared_closure_closes_its_days() -> None:
    summer = Closure(date(2026, 7, 13), date(2026, 7, 24), reason="summer_closure")
    calendar = ProviderCalendar("DK", closures=(summer,))
    assert not calendar.is_working_day(date(2026, 7, 13))
    assert not calendar.is_working_day(date(2026, 7, 24))
    assert calendar.is_working_day(date(2026, 7, 27))
    assert calendar.next_working_day(date(2026, 7, 13)) == date(2026, 7, 27)


def test_a_part_day_closure_leaves_the_open_parts() -> None:
    staff_morning = Closure(date(2026, 3, 11), date(2026, 3, 11), reason="staff_day", start=time(10), end=time(12))
    calendar = ProviderCalendar("DK", closures=(staff_morning,))
    assert calendar.is_working_day(date(2026, 3, 11))
    assert calendar.open_parts(date(2026, 3, 11), time(8), time(16)) == [(time(8), time(10)), (time(12), time(16))]
    assert calendar.open_parts(date(2026, 3, 11), time(10, 30), time(11, 30)) == []


@pytest.mark.parametrize(
    ("first", "last", "start", "end"),
    [
        (date(2026, 7, 2), date(2026, 7, 1), None, None),
        (date(2026, 7, 1), date(2026, 7, 1), time(12), time(10)),
        (date(2026, 7, 1), date(2026, 7, 1), time(0), None),
    ],
)
def test_a_nonsensical_closure_is_refused(first: date, last: date, start: time | None, end: time | None) -> None:
    with pytest.raises(ValueError):
        Closure(first, last, start=start, end=end)

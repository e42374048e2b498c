"""The clocks: ManualClock for tests, SystemClock for real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from forlob_shared.clock import Clock, ManualClock, SystemClock

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def read(clock: Clock) -> datetime:
    return clock.now()


def test_manual_clock_stands_still() -> None:
    clock = ManualClock(START)
    assert clock.now() == START
    assert clock.now() == START
    assert read(clock) == START


def test_manual_clock_start_is_normalised_to_utc() -> None:
    copenhagen = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    clock = ManualClock(copenhagen)
    assert clock.now() == START
    assert clock.now().tzinfo is UTC
    assert clock.now().utcoffset() == timedelta(0)


def test_manual_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 3, 2, 8, 0))


def test_advance_moves_time_forward_and_returns_the_new_now() -> None:
    clock = ManualClock(START)
    assert clock.advance(timedelta(minutes=90)) == START + timedelta(minutes=90)
    assert clock.now() == START + timedelta(minutes=90)
    clock.advance(timedelta(days=1))
    assert clock.now() == START + timedelta(days=1, minutes=90)
    assert clock.now().tzinfo is UTC


def test_advance_by_zero_is_allowed() -> None:
    clock = ManualClock(START)
    assert clock.advance(timedelta(0)) == START


def test_advance_refuses_to_run_backwards() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == START


def test_set_moves_to_an_instant() -> None:
    clock = ManualClock(START)
    later = START + timedelta(hours=5)
    assert clock.set(later) == later
    assert clock.now() == later


def test_set_to_the_same_instant_is_allowed() -> None:
    clock = ManualClock(START)
    assert clock.set(START) == START


def test_set_normalises_to_utc() -> None:
    clock = ManualClock(START)
    later = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=3)))  # 09:00 UTC
    assert clock.set(later) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_set_refuses_naive_datetimes() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 3, 3, 8, 0))
    assert clock.now() == START


def test_set_refuses_to_run_backwards() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(START - timedelta(microseconds=1))
    assert clock.now() == START


def test_set_refuses_an_earlier_instant_given_in_another_zone() -> None:
    clock = ManualClock(START)  # 08:00 UTC
    # 08:30 local in Copenhagen is 07:30 UTC: earlier, although the wall-clock number is larger.
    with pytest.raises(ValueError, match="backwards"):
        clock.set(datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Europe/Copenhagen")))


def test_system_clock_is_aware_utc_and_current() -> None:
    clock = SystemClock()
    before = datetime.now(UTC)
    now = read(clock)
    after = datetime.now(UTC)
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= after


def test_system_clock_moves() -> None:
    clock = SystemClock()
    first = clock.now()
    assert clock.now() >= first


def test_offset_file_clock_follows_the_file_at_once(tmp_path: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from forlob_testkit.clock import OffsetFileClock, write_clock_offset

    path = str(tmp_path / "offset")
    clock = OffsetFileClock(path)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # no file: no offset
    write_clock_offset(path, timedelta(days=3))
    assert clock.now() - datetime.now(UTC) > timedelta(days=3) - timedelta(seconds=5)
    write_clock_offset(path, timedelta(days=10))  # read on the very next reading
    assert clock.now() - datetime.now(UTC) > timedelta(days=10) - timedelta(seconds=5)


def test_offset_file_clock_says_how_fast_it_is_raced(tmp_path: Any) -> None:
    from forlob_shared.clock import clock_speed
    from forlob_testkit.clock import OffsetFileClock, write_clock_offset

    path = str(tmp_path / "offset")
    clock = OffsetFileClock(path)
    assert clock_speed(clock) == 1.0  # no file: the wall's pace
    write_clock_offset(path, timedelta(hours=1), speed=10)
    assert clock_speed(clock) == 10.0
    assert clock.now() - datetime.now(UTC) > timedelta(hours=1) - timedelta(seconds=5)
    write_clock_offset(path, timedelta(hours=2))  # the race over: with the wall again
    assert clock_speed(clock) == 1.0
    (tmp_path / "offset").write_text("7200")  # an offset alone, as before speeds were written
    assert clock_speed(clock) == 1.0
    assert clock.now() - datetime.now(UTC) > timedelta(hours=2) - timedelta(seconds=5)


def test_the_clock_file_stays_one_number_at_the_walls_pace_and_is_read_either_way(tmp_path: Any) -> None:
    # The demo and a person's `echo 3600 > var/clock-offset` read and write the number alone.
    from forlob_testkit.clock import read_clock_offset, write_clock_offset

    path = tmp_path / "offset"
    assert read_clock_offset(str(path)) == timedelta(0)  # no file
    write_clock_offset(str(path), timedelta(hours=1))
    assert path.read_text() == "3600.0"
    write_clock_offset(str(path), timedelta(hours=2), speed=10)
    assert read_clock_offset(str(path)) == timedelta(hours=2)
    path.write_text("not a number")
    assert read_clock_offset(str(path)) == timedelta(0)

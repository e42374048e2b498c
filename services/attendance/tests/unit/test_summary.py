from __future__ import annotations

from datetime import UTC, date, datetime

from forlob_attendance.domain.registration import minutes_between
from forlob_attendance.domain.summary import SlotFacts, monday_of, summarise_week


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_a_week_of_attendance_lateness_internship_and_absence() -> None:
    slots = [
        SlotFacts("present", at(23, 7), at(23, 13), at(23, 7, 10), at(23, 12, 30)),  # 10 late, 30 early: 320
        SlotFacts("present", at(24, 7), at(24, 13), at(24, 7)),  # no check-out: counted to the agreed end
        SlotFacts("internship", at(25, 7), at(25, 13), reason="internship"),
        SlotFacts("excused", at(26, 7), at(26, 13), reason="illness"),
        SlotFacts("absent", at(27, 7), at(27, 13)),
    ]
    figures = summarise_week(date(2026, 11, 23), slots)
    assert figures.agreed_minutes == 5 * 360
    assert figures.attended_minutes == 320 + 360
    assert figures.internship_minutes == 360
    assert figures.absent_minutes == 5 * 360 - 680 - 360
    assert figures.unexcused_absences == 1
    assert figures.absences_by_reason == {"illness": 1, "internship": 1}


def test_minutes_are_whole_and_never_negative() -> None:
    assert minutes_between(at(23, 8), at(23, 8, 14)) == 14
    assert minutes_between(at(23, 8, 14), at(23, 8)) == 0
    assert monday_of(date(2026, 11, 29)) == date(2026, 11, 23)

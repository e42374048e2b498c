"""The weekly summary: agreed against attended minutes, the basis of "rising weekly hours"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from forlob_attendance.domain.registration import minutes_between


@dataclass(frozen=True)
class SlotFacts:
    state: str
    expected_start: datetime
    expected_end: datetime
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class WeekFigures:
    week_start: date
    agreed_minutes: int
    attended_minutes: int
    internship_minutes: int
    absent_minutes: int
    unexcused_absences: int
    absences_by_reason: dict[str, int] = field(default_factory=dict)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def attended_minutes(slot: SlotFacts) -> int:
    """Check-in to check-out; without a check-out, to the agreed end (never beyond it)."""
    if slot.checked_in_at is None:
        return 0
    end = slot.checked_out_at or max(slot.expected_end, slot.checked_in_at)
    return minutes_between(slot.checked_in_at, end)


def summarise_week(week_start: date, slots: Sequence[SlotFacts]) -> WeekFigures:
    """A meetings course's slots are its planned meetings: one the provider called off
    (``cancelled``) was never agreed; one the participant called off is agreed and excused."""
    slots = [s for s in slots if s.state != "cancelled"]
    agreed = sum(minutes_between(s.expected_start, s.expected_end) for s in slots)
    attended = sum(attended_minutes(s) for s in slots)
    internship = sum(minutes_between(s.expected_start, s.expected_end) for s in slots if s.state == "internship")
    reasons = Counter(s.reason for s in slots if s.state in {"excused", "internship"} and s.reason)
    return WeekFigures(
        week_start=week_start,
        agreed_minutes=agreed,
        attended_minutes=attended,
        internship_minutes=internship,
        absent_minutes=max(0, agreed - attended - internship),
        unexcused_absences=sum(1 for s in slots if s.state == "absent"),
        absences_by_reason=dict(sorted(reasons.items())),
    )

"""The meetings shape: planned meetings as a course's only expected arrivals, and the cadence
reminder. Pure rules: no storage, no clock of their own."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import ProgrammeShape

# A meeting lasts at most a working day: longer is a typing error, not a meeting.
MAX_MEETING = timedelta(hours=12)


class MeetingState(StrEnum):
    """A meeting as staff read it, from its slot's state."""

    PLANNED = "planned"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"


class CancelledBy(StrEnum):
    PARTICIPANT = "participant"
    PROVIDER = "provider"


def meeting_state(slot_state: str) -> MeetingState:
    """``expected`` planned, ``present`` held (also after a detected miss), ``absent`` missed,
    ``excused`` (called off by the participant) and ``cancelled`` (by the provider) cancelled."""
    return {
        "expected": MeetingState.PLANNED,
        "present": MeetingState.HELD,
        "absent": MeetingState.MISSED,
    }.get(slot_state, MeetingState.CANCELLED)


def require_shape(shape: str, wanted: ProgrammeShape, what: str) -> None:
    """A command of another shape is refused, with nothing changed (409 ``wrong-shape``)."""
    if shape != wanted.value:
        raise WrongShape(f"{what} needs a {wanted.value} course; this course is {shape}", shape=shape)


class WrongShape(Conflict):
    code = "wrong-shape"
    title = "The course's shape does not allow this"


def check_meeting_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("give the times with their UTC offset", field="starts_at")
    if ends_at <= starts_at:
        raise InvalidInput("the meeting ends before it starts", field="ends_at")
    if ends_at - starts_at > MAX_MEETING:
        raise InvalidInput("a meeting lasts at most 12 hours", field="ends_at")
    if starts_at < now:
        # A meeting planned in the past would be swept as missed at once: record what happened
        # by planning ahead and marking it held, never by planning backwards.
        raise InvalidInput("the meeting starts in the past", field="starts_at")


def cadence_overdue(
    start_date: date, end_date: date, meeting_days: Iterable[date], max_days_between: int, today: date
) -> date | None:
    """The day by which the next meeting should have taken place, once that day has passed
    without one; else None.

    ``meeting_days``: the days of the course's meetings held, planned or missed (not those called
    off). The last one on or before ``today`` (or the course's start, if none) opens the interval.
    While no meeting follows, every further interval is a new due day (a new reminder). A due day
    after the course's end is no reminder: the course is over by then.
    """
    last = max((d for d in meeting_days if start_date <= d <= today), default=start_date)
    intervals = ((today - last).days - 1) // max_days_between
    if intervals < 1:
        return None
    due_by = last + timedelta(days=intervals * max_days_between)
    return due_by if due_by <= end_date else None

"""What staff read: a day's attendance list and one participant's slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import SlotRow
from forlob_shared.errors import InvalidInput, NotFound

MAX_RANGE_DAYS = 370


@dataclass(frozen=True)
class SlotView:
    slot_id: UUID
    participant_id: UUID
    referral_id: UUID
    day: date
    window_start: time
    window_end: time
    expected_start: datetime
    expected_end: datetime
    state: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes_late: int | None
    minutes_early: int | None
    absence_id: UUID | None
    resolution: str | None
    reason: str | None
    timezone: str | None = None  # the course's zone, in which its local times are shown


def _view(participant_id: UUID, slot: SlotRow, timezone: str | None) -> SlotView:
    return SlotView(
        slot_id=slot.id,
        participant_id=participant_id,
        referral_id=slot.referral_id,
        day=slot.day,
        window_start=slot.window_start,
        window_end=slot.window_end,
        expected_start=slot.expected_start,
        expected_end=slot.expected_end,
        state=slot.state,
        checked_in_at=slot.checked_in_at,
        checked_out_at=slot.checked_out_at,
        minutes_late=slot.minutes_late,
        minutes_early=slot.minutes_early,
        absence_id=slot.absence_id,
        resolution=slot.resolution,
        reason=slot.reason,
        timezone=timezone,
    )


async def day_list(uow: AttendanceUoW, org: str, day: date) -> list[SlotView]:
    """Every expected arrival at ``org`` on ``day``, with the participant's pseudonymous id."""
    async with uow:
        rows = await uow.reads.day_list(org, day)
        return [_view(participant_id, slot, timezone) for participant_id, timezone, slot in rows]


async def participant_slots(
    uow: AttendanceUoW, org: str, participant_id: UUID, first: date, last: date
) -> list[SlotView]:
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"give a range of at most {MAX_RANGE_DAYS} days, first before last", field="to")
    async with uow:
        courses = await uow.courses.rows_of_participant(participant_id, org)
        if not courses:
            raise NotFound(f"no participant {participant_id}")
        slots = await uow.reads.slots_of([c.referral_id for c in courses], first, last)
        zones = {course.referral_id: course.timezone for course in courses}
        return [_view(participant_id, slot, zones.get(slot.referral_id)) for slot in slots]

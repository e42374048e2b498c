"""Absence detection: every expected arrival past its start plus grace, with no check-in and no
reported absence, becomes ``absence.detected.v1`` in the same transaction as the slot's new state.

Several replicas may sweep at once; each missed arrival is detected (and announced) once. How,
in one statement: :mod:`forlob_attendance.db.sweep`.

The detection job runs the sweep at the next due instant and every sweep interval; a slot added
in between that falls due sooner wakes it under :data:`DETECTION`
(:func:`forlob_attendance.application.slots.add_slots`, docs/attendance.md#detection-latency).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from forlob_attendance.application.ports import AttendanceUoW

# The detection job's name, and the key of its wake-ups in the runtime (forlob_shared.wake).
DETECTION = "attendance-detect"


def falls_due(slot: Mapping[str, Any]) -> datetime | None:
    """When the sweep detects this slot (its columns) as missed if nobody comes: its ``due_at``,
    the window's start plus the course's grace (``domain/schedule.py``: ``plan_slots``) or the
    meeting's start plus the grace (``application/meetings.py``: ``_place``), which is what the
    sweep's statement compares with ``now``; never, for a slot not expected (an internship day, a
    day reported in advance or called off)."""
    return slot["due_at"] if slot["state"] == "expected" else None


async def sweep_absences(uow: AttendanceUoW, now: datetime, batch: int = 50_000) -> int:
    """Detect the missed arrivals due by ``now`` (at most ``batch``); returns how many."""
    async with uow:
        detected = await uow.slots.mark_missed(now, batch)
        await uow.commit()
    return detected


async def next_due(uow: AttendanceUoW) -> datetime | None:
    """When the sweep next has work: the earliest due instant of an arrival or meeting still expected."""
    async with uow:
        return await uow.slots.next_due()

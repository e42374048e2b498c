"""Absence detection: every expected arrival past its start plus grace, with no check-in and no
reported absence, becomes ``absence.detected.v1`` in the same transaction as the slot's new state.

Several replicas may sweep at once; each missed arrival is detected (and announced) once. How,
in one statement: :mod:`forlob_attendance.db.sweep`.
"""

from __future__ import annotations

from datetime import datetime

from forlob_attendance.application.ports import AttendanceUoW


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

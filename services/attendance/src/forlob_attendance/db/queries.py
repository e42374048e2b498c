"""The read side: what staff read (a day's list, a participant's slots), with no lock and no write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import CourseRow, SlotRow


class AttendanceQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def day_list(self, org: str, day: date) -> list[tuple[UUID, str, SlotRow]]:
        """(participant, the course's zone, slot) of every expected arrival at ``org`` on ``day``, by
        window then participant."""
        rows = await self.session.execute(
            sa.select(CourseRow.participant_id, CourseRow.timezone, SlotRow)
            .join(CourseRow, CourseRow.referral_id == SlotRow.referral_id)
            .where(CourseRow.provider_org == org, SlotRow.day == day)
            .order_by(SlotRow.window_start, CourseRow.participant_id)
        )
        return [(participant_id, timezone, slot) for participant_id, timezone, slot in rows.all()]

    async def slots_of(self, referral_ids: Sequence[UUID], first: date, last: date) -> list[SlotRow]:
        """The courses' slots on ``first``..``last``, by day then window."""
        slots = await self.session.scalars(
            sa.select(SlotRow)
            .where(SlotRow.referral_id.in_(list(referral_ids)), SlotRow.day >= first, SlotRow.day <= last)
            .order_by(SlotRow.day, SlotRow.window_start)
        )
        return list(slots.all())

    async def meetings_at(
        self, org: str, first: date, last: date, staff_id: str | None = None
    ) -> list[tuple[SlotRow, CourseRow]]:
        """``org``'s meetings on ``first``..``last`` (one staff member's, if given), by start."""
        query = (
            sa.select(SlotRow, CourseRow)
            .join(CourseRow, CourseRow.referral_id == SlotRow.referral_id)
            .where(
                CourseRow.provider_org == org,
                SlotRow.meeting_id.is_not(None),
                SlotRow.day >= first,
                SlotRow.day <= last,
            )
            .order_by(SlotRow.expected_start, SlotRow.id)
        )
        if staff_id is not None:
            query = query.where(SlotRow.staff_id == staff_id)
        return [(slot, course) for slot, course in (await self.session.execute(query)).all()]

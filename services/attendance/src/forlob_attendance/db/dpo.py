"""The data protection officer's reads and the erasure of one participant's attendance records.

Staff ids (who registered a check-in, an absence report or a contact attempt; the contact
person) are the provider's, not the participant's: they are left out of the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_attendance.db.models import (
    AbsenceReportRow,
    Base,
    BreachCheckRow,
    BreachRow,
    ContactAttemptRow,
    CourseRow,
    InternshipRow,
    ScheduleVersionRow,
    SlotRow,
    SmsConsentRow,
    SmsReplyRow,
    SmsRequestRow,
    WeekSummaryRow,
)
from forlob_shared.dpo import record

STAFF = frozenset({"contact_person_id", "reported_by", "recorded_by", "staff_id", "planned_by"})
# Scheduling machinery, not information about the person.
MACHINERY = frozenset(
    {
        "materialised_through",
        "summarised_through",
        "breach_marks",
        "due_at",
        "report_id",
        "cadence_checked_on",
        "published_at",
    }
)


def _values(row: Base) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in sa.inspect(row).mapper.column_attrs}


def _records(rows: Sequence[Base]) -> list[dict[str, Any]]:
    return [record(_values(r), leave_out=STAFF | MACHINERY) for r in rows]


class DpoRecords:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _course_ids(self, provider_org: str, participant_id: UUID) -> list[UUID]:
        rows = await self.session.scalars(
            sa.select(CourseRow.referral_id).where(
                CourseRow.provider_org == provider_org, CourseRow.participant_id == participant_id
            )
        )
        return list(rows)

    def _consents(self, provider_org: str, participant_id: UUID) -> sa.Select[SmsConsentRow]:
        """Kept per course, and possibly before the course started here: by the participant."""
        return sa.select(SmsConsentRow).where(
            SmsConsentRow.provider_org == provider_org, SmsConsentRow.participant_id == participant_id
        )

    async def export(self, provider_org: str, participant_id: UUID) -> dict[str, list[dict[str, Any]]]:
        ids = await self._course_ids(provider_org, participant_id)

        async def of(model: Any, *order: Any) -> list[dict[str, Any]]:
            found = await self.session.scalars(sa.select(model).where(model.referral_id.in_(ids)).order_by(*order))
            return _records(found.all())

        courses = await of(CourseRow, CourseRow.start_date)
        schedules = await of(ScheduleVersionRow, ScheduleVersionRow.effective_from)
        for course in courses:
            course["schedule_versions"] = [s for s in schedules if s["referral_id"] == course["referral_id"]]
        contacts = await self.session.scalars(
            sa.select(ContactAttemptRow)
            .join(SlotRow, SlotRow.id == ContactAttemptRow.absence_id)
            .where(SlotRow.referral_id.in_(ids))
            .order_by(ContactAttemptRow.contacted_at)
        )
        return {
            "courses": courses,
            "slots": await of(SlotRow, SlotRow.expected_start),
            "absences_reported": await of(AbsenceReportRow, AbsenceReportRow.reported_at),
            "internship_days": await of(InternshipRow, InternshipRow.first_day),
            "contact_attempts": _records(contacts.all()),
            "breaches": await of(BreachRow, BreachRow.detected_at),
            "week_summaries": await of(WeekSummaryRow, WeekSummaryRow.week_start),
            "sms_consent": _records(
                (
                    await self.session.scalars(
                        sa.select(SmsConsentRow)
                        .where(
                            SmsConsentRow.provider_org == provider_org, SmsConsentRow.participant_id == participant_id
                        )
                        .order_by(SmsConsentRow.changed_at)
                    )
                ).all()
            ),
            "sms_requested": await of(SmsRequestRow, SmsRequestRow.requested_at),
            "sms_replies": await of(SmsReplyRow, SmsReplyRow.received_at),
        }

    async def erase(self, provider_org: str, participant_id: UUID) -> int:
        """Delete every record of the participant's courses at the provider; returns courses deleted.
        Children first (the foreign keys); a second call finds nothing."""
        consents = self._consents(provider_org, participant_id).with_only_columns(SmsConsentRow.referral_id)
        await self.session.execute(sa.delete(SmsConsentRow).where(SmsConsentRow.referral_id.in_(consents)))
        ids = await self._course_ids(provider_org, participant_id)
        if not ids:
            return 0
        slots = sa.select(SlotRow.id).where(SlotRow.referral_id.in_(ids))
        await self.session.execute(sa.delete(ContactAttemptRow).where(ContactAttemptRow.absence_id.in_(slots)))
        await self.session.execute(sa.delete(SmsRequestRow).where(SmsRequestRow.referral_id.in_(ids)))
        await self.session.execute(sa.delete(SmsReplyRow).where(SmsReplyRow.referral_id.in_(ids)))
        for model in (
            SlotRow,
            AbsenceReportRow,
            InternshipRow,
            BreachRow,
            BreachCheckRow,
            WeekSummaryRow,
            ScheduleVersionRow,
        ):
            await self.session.execute(sa.delete(model).where(model.referral_id.in_(ids)))
        await self.session.execute(sa.delete(CourseRow).where(CourseRow.referral_id.in_(ids)))
        return len(ids)

"""The data protection officer's reads of the read model, and removing a participant's id from it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_reporting.db.models import (
    attendance_day_facts,
    attendance_week_facts,
    breach_facts,
    clarification_facts,
    employer_contact_facts,
    job_spell_facts,
    meeting_facts,
    referral_facts,
    support_phase_facts,
)
from forlob_shared.dpo import record

STAFF = {"contact_person_id": "the provider's staff", "staff_id": "the provider's staff"}
MACHINERY = frozenset(
    {
        "planned_end_guard",
        "contact_guard",
        "summary_guard",
        "in_guard",
        "out_guard",
        "defined_guard",
        "plan_guard",
        "result_guard",
    }
)


def _records(rows: Sequence[sa.Row[Any]]) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        values = dict(row._mapping)
        for name, who in STAFF.items():
            if values.get(name) is not None:
                values[name] = who
        found.append(record(values, leave_out=MACHINERY))
    return found


class DpoFacts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def export(self, provider_org: str, participant_id: UUID) -> dict[str, list[dict[str, Any]]]:
        referrals = (
            await self.session.execute(
                sa.select(referral_facts).where(
                    referral_facts.c.provider_org == provider_org, referral_facts.c.participant_id == participant_id
                )
            )
        ).all()
        ids = [r.referral_id for r in referrals]

        async def of(table: sa.Table, *order: Any) -> list[dict[str, Any]]:
            rows = await self.session.execute(sa.select(table).where(table.c.referral_id.in_(ids)).order_by(*order))
            return _records(rows.all())

        return {
            "referral_facts": _records(referrals),
            "attendance_week_facts": await of(attendance_week_facts, attendance_week_facts.c.week_start),
            "attendance_day_facts": await of(attendance_day_facts, attendance_day_facts.c.day),
            "breach_facts": await of(breach_facts, breach_facts.c.detected_at),
            "meeting_facts": await of(meeting_facts, meeting_facts.c.starts_at, meeting_facts.c.meeting_id),
            "job_spell_facts": await of(job_spell_facts, job_spell_facts.c.start_date, job_spell_facts.c.spell_id),
            "support_phase_facts": await of(support_phase_facts, support_phase_facts.c.changed_at),
            "employer_contact_facts": await of(
                employer_contact_facts, employer_contact_facts.c.day, employer_contact_facts.c.contact_id
            ),
            "clarification_facts": await of(clarification_facts, clarification_facts.c.referral_id),
        }

    async def forget_participant(self, provider_org: str, participant_id: UUID, referral_ids: Sequence[UUID]) -> None:
        """Remove the participant id from the facts; every count and sum stays as it was."""
        for table in (referral_facts, attendance_week_facts):
            await self.session.execute(
                sa.update(table)
                .where(
                    table.c.provider_org == provider_org,
                    sa.or_(table.c.participant_id == participant_id, table.c.referral_id.in_(list(referral_ids))),
                )
                .values(participant_id=None)
            )

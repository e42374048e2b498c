"""The read side's queries: the fact rows a caller's organisation may see, in key order.

Rows come back as plain dictionaries (column → value), as the figures in the domain take them.
In key order, so sums of floats come out the same however the rows were written.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_reporting.db.models import (
    alert_facts,
    attendance_day_facts,
    attendance_week_facts,
    breach_facts,
    clarification_facts,
    employer_contact_facts,
    handover_facts,
    job_spell_facts,
    meeting_facts,
    meeting_reminder_facts,
    next_step_proposal_facts,
    outreach_attempt_facts,
    outreach_case_facts,
    outreach_phase_facts,
    outreach_reminder_facts,
    programme_facts,
    referral_facts,
    support_phase_facts,
    visit_facts,
)
from forlob_reporting.domain.facts import Row
from forlob_reporting.domain.groups import Programme


class SqlFactReads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def referrals(self, org: str, programme: str | None) -> list[Row]:
        """The referrals ``org`` is party to (as provider or as referring organisation)."""
        return await self._party_rows(referral_facts, org, programme)

    async def weeks(self, org: str, programme: str | None) -> list[Row]:
        return await self._party_rows(attendance_week_facts, org, programme)

    async def breaches(self, org: str, programme: str | None) -> list[Row]:
        return await self._party_rows(breach_facts, org, programme)

    async def alerts(self, org: str) -> list[Row]:
        """The alerts raised to ``org``'s own staff."""
        query = sa.select(alert_facts).where(alert_facts.c.org == org).order_by(alert_facts.c.alert_id)
        return await self._all(query)

    async def programmes(self) -> dict[tuple[str, str], Programme]:
        """Every programme defined: (provider, code) → its capacity and zone."""
        query = sa.select(
            programme_facts.c.provider_org,
            programme_facts.c.programme_code,
            programme_facts.c.capacity,
            programme_facts.c.timezone,
            programme_facts.c.shape,
            programme_facts.c.kind,
        )
        found = (await self.session.execute(query)).all()
        return {(p, c): Programme(cap, zone, shape, kind) for p, c, cap, zone, shape, kind in found}

    async def referral(self, referral_id: UUID) -> Row | None:
        query = sa.select(referral_facts).where(referral_facts.c.referral_id == referral_id)
        found = (await self.session.execute(query)).mappings().first()
        return dict(found) if found is not None else None

    async def weeks_of(self, referral_id: UUID) -> list[Row]:
        query = (
            sa.select(attendance_week_facts)
            .where(attendance_week_facts.c.referral_id == referral_id)
            .order_by(attendance_week_facts.c.week_start)
        )
        return await self._all(query)

    async def days_attended(self, referral_id: UUID) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(attendance_day_facts)
            .where(
                attendance_day_facts.c.referral_id == referral_id,
                attendance_day_facts.c.checked_in_at.is_not(None),
            )
        )
        return int((await self.session.execute(query)).scalar_one())

    async def meetings(self, org: str, programme: str | None) -> list[Row]:
        return await self._party_rows(meeting_facts, org, programme)

    async def meeting_reminders(self, org: str, programme: str | None) -> list[Row]:
        return await self._party_rows(meeting_reminder_facts, org, programme)

    async def outreach_cases(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(outreach_case_facts, org, programme)

    async def outreach_attempts(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(outreach_attempt_facts, org, programme)

    async def outreach_phases(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(outreach_phase_facts, org, programme)

    async def outreach_reminders(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(outreach_reminder_facts, org, programme)

    async def visits(self, org: str) -> list[Row]:
        query = sa.select(visit_facts).where(visit_facts.c.provider_org == org).order_by(visit_facts.c.visit_id)
        return await self._all(query)

    async def employer_contacts(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(employer_contact_facts, org, programme)

    async def job_spells(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(job_spell_facts, org, programme)

    async def support_phases(self, org: str, programme: str | None) -> list[Row]:
        return await self._own_rows(support_phase_facts, org, programme)

    async def clarifications(self, org: str, programme: str | None) -> list[Row]:
        return await self._party_rows(clarification_facts, org, programme)

    async def handovers(self, org: str, programme: str | None) -> list[Row]:
        """Referrals on that ``org`` is party to: the jobcentre, either provider."""
        t = handover_facts
        query = (
            sa.select(t)
            .where(sa.or_(t.c.provider_org == org, t.c.referring_org == org, t.c.next_provider_org == org))
            .order_by(t.c.handover_id)
        )
        if programme is not None:
            query = query.where(sa.or_(t.c.programme_code == programme, t.c.next_programme_code == programme))
        return await self._all(query)

    async def proposals(self, org: str, programme: str | None) -> list[Row]:
        """Next steps proposed for courses ``org`` is party to: the proposing provider, the jobcentre."""
        return await self._party_rows(next_step_proposal_facts, org, programme)

    async def _own_rows(self, table: sa.Table, org: str, programme: str | None) -> list[Row]:
        query = sa.select(table).where(table.c.provider_org == org).order_by(*table.primary_key.columns)
        if programme is not None:
            query = query.where(table.c.programme_code == programme)
        return await self._all(query)

    async def _party_rows(self, table: sa.Table, org: str, programme: str | None) -> list[Row]:
        query = (
            sa.select(table)
            .where(sa.or_(table.c.provider_org == org, table.c.referring_org == org))
            .order_by(*table.primary_key.columns)
        )
        if programme is not None:
            query = query.where(table.c.programme_code == programme)
        return await self._all(query)

    async def _all(self, query: sa.Select[Any]) -> list[Row]:
        return [dict(r) for r in (await self.session.execute(query)).mappings().all()]

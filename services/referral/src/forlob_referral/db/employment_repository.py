"""Employers, employer contacts, spells and clarification results: rows in, domain objects out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.models import ClarificationRow, EmployerContactRow, EmployerRow, SpellRow
from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.employment import Employer, EmployerContact, EmployerContactPerson, Spell
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    WorkAbilityArea,
)


def _employer(row: EmployerRow) -> Employer:
    return Employer(
        id=row.id,
        provider_org=row.provider_org,
        country=row.country,
        number=row.number,
        name=row.name,
        sector=EmployerSector(row.sector),
        industry_code=row.industry_code,
        contact=EmployerContactPerson(row.contact_name, row.contact_email, row.contact_phone),
        registered_by=row.registered_by,
        registered_at=row.registered_at,
    )


def _contact(row: EmployerContactRow) -> EmployerContact:
    return EmployerContact(
        id=row.id,
        provider_org=row.provider_org,
        employer_id=row.employer_id,
        staff_id=row.staff_id,
        day=row.day,
        kind=EmployerContactKind(row.kind),
        referral_id=row.referral_id,
        participant_id=row.participant_id,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        with_consent=row.with_consent,
    )


def _spell_values(spell: Spell) -> dict[str, Any]:
    return {
        "id": spell.id,
        "referral_id": spell.referral_id,
        "participant_id": spell.participant_id,
        "provider_org": spell.provider_org,
        "employer_id": spell.employer_id,
        "kind": spell.kind.value,
        "start_date": spell.start_date,
        "weekly_hours": spell.weekly_hours,
        "disclosure": spell.disclosure.value if spell.disclosure else None,
        "recorded_by": spell.recorded_by,
        "recorded_at": spell.recorded_at,
        "end_date": spell.end_date,
        "end_reason": spell.end_reason.value if spell.end_reason else None,
        "ended_at": spell.ended_at,
    }


def _spell(row: SpellRow) -> Spell:
    return Spell(
        id=row.id,
        referral_id=row.referral_id,
        participant_id=row.participant_id,
        provider_org=row.provider_org,
        employer_id=row.employer_id,
        kind=SpellKind(row.kind),
        start_date=row.start_date,
        weekly_hours=row.weekly_hours,
        disclosure=Disclosure(row.disclosure) if row.disclosure else None,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        end_date=row.end_date,
        end_reason=SpellEndReason(row.end_reason) if row.end_reason else None,
        ended_at=row.ended_at,
    )


def _clarification(row: ClarificationRow) -> Clarification:
    return Clarification(
        referral_id=row.referral_id,
        recommendation=Recommendation(row.recommendation),
        resources=tuple(WorkAbilityArea(a) for a in row.resources),
        challenges=tuple(WorkAbilityArea(a) for a in row.challenges),
        meetings_held=row.meetings_held,
        work_trials=row.work_trials,
        specialist_assessments=row.specialist_assessments,
        day=row.day,
        given_by=row.given_by,
        recorded_at=row.recorded_at,
    )


class EmploymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_employer(self, employer: Employer) -> bool:
        contact = employer.contact
        # ON CONFLICT: two requests registering one number at once, the second waits for the
        # first to commit and is then told (a 409), instead of failing on the unique constraint.
        added = await self.session.scalar(
            pg_insert(EmployerRow)
            .values(
                id=employer.id,
                provider_org=employer.provider_org,
                country=employer.country,
                number=employer.number,
                name=employer.name,
                sector=employer.sector.value,
                industry_code=employer.industry_code,
                contact_name=contact.name,
                contact_email=contact.email,
                contact_phone=contact.phone,
                registered_by=employer.registered_by,
                registered_at=employer.registered_at,
            )
            .on_conflict_do_nothing(constraint="employers_number")
            .returning(EmployerRow.id)
        )
        return added is not None

    async def employer(self, employer_id: UUID, org: str) -> Employer | None:
        row = await self.session.scalar(
            sa.select(EmployerRow).where(EmployerRow.id == employer_id, EmployerRow.provider_org == org)
        )
        return _employer(row) if row else None

    async def employer_by_number(self, org: str, country: str, number: str) -> Employer | None:
        row = await self.session.scalar(
            sa.select(EmployerRow).where(
                EmployerRow.provider_org == org, EmployerRow.country == country, EmployerRow.number == number
            )
        )
        return _employer(row) if row else None

    async def employers(self, org: str) -> list[Employer]:
        rows = await self.session.scalars(
            sa.select(EmployerRow).where(EmployerRow.provider_org == org).order_by(EmployerRow.name, EmployerRow.id)
        )
        return [_employer(r) for r in rows]

    async def add_contact(self, contact: EmployerContact) -> None:
        self.session.add(
            EmployerContactRow(
                id=contact.id,
                provider_org=contact.provider_org,
                employer_id=contact.employer_id,
                staff_id=contact.staff_id,
                day=contact.day,
                kind=contact.kind.value,
                referral_id=contact.referral_id,
                participant_id=contact.participant_id,
                with_consent=contact.with_consent,
                recorded_by=contact.recorded_by,
                recorded_at=contact.recorded_at,
            )
        )
        await self.session.flush()

    async def contacts(
        self, org: str, *, referral_id: UUID | None = None, employer_id: UUID | None = None
    ) -> list[EmployerContact]:
        query = sa.select(EmployerContactRow).where(EmployerContactRow.provider_org == org)
        if referral_id is not None:
            query = query.where(EmployerContactRow.referral_id == referral_id)
        if employer_id is not None:
            query = query.where(EmployerContactRow.employer_id == employer_id)
        order = (EmployerContactRow.day, EmployerContactRow.recorded_at, EmployerContactRow.id)
        return [_contact(r) for r in await self.session.scalars(query.order_by(*order))]

    async def add_spell(self, spell: Spell) -> None:
        self.session.add(SpellRow(**_spell_values(spell)))
        await self.session.flush()

    async def save_spell(self, spell: Spell) -> None:
        await self.session.execute(sa.update(SpellRow).where(SpellRow.id == spell.id).values(**_spell_values(spell)))

    async def spells(self, referral_id: UUID) -> list[Spell]:
        rows = await self.session.scalars(
            sa.select(SpellRow)
            .where(SpellRow.referral_id == referral_id)
            .order_by(SpellRow.start_date, SpellRow.recorded_at, SpellRow.id)
            .execution_options(populate_existing=True)
        )
        return [_spell(r) for r in rows]

    async def add_clarification(self, result: Clarification) -> None:
        self.session.add(
            ClarificationRow(
                referral_id=result.referral_id,
                recommendation=result.recommendation.value,
                resources=[a.value for a in result.resources],
                challenges=[a.value for a in result.challenges],
                meetings_held=result.meetings_held,
                work_trials=result.work_trials,
                specialist_assessments=result.specialist_assessments,
                day=result.day,
                given_by=result.given_by,
                recorded_at=result.recorded_at,
            )
        )
        await self.session.flush()

    async def clarification(self, referral_id: UUID) -> Clarification | None:
        row = await self.session.scalar(
            sa.select(ClarificationRow)
            .where(ClarificationRow.referral_id == referral_id)
            .execution_options(populate_existing=True)
        )
        return _clarification(row) if row else None

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        ids = list(referral_ids)
        await self.session.execute(sa.update(SpellRow).where(SpellRow.referral_id.in_(ids)).values(disclosure=None))
        await self.session.execute(
            sa.update(ClarificationRow).where(ClarificationRow.referral_id.in_(ids)).values(resources=[], challenges=[])
        )

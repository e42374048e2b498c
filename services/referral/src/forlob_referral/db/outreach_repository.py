"""Outreach cases and their contact attempts: rows in, domain objects out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.models import ContactAttemptRow, OutreachCaseRow
from forlob_referral.domain.outreach import Consent, ContactAttempt, OutreachCase, Phase, PhaseChange
from forlob_referral.domain.participant import IdentityScheme, Participant
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
)


def _values(case: OutreachCase) -> dict[str, Any]:
    consent, participant = case.consent, case.participant
    return {
        "id": case.id,
        "provider_org": case.provider_org,
        "programme_code": case.programme_code,
        "timezone": case.timezone,
        "country": case.country,
        "staff_id": case.staff_id,
        "opened_by": case.opened_by,
        "opened_at": case.opened_at,
        "working_name": case.working_name,
        "description": case.description,
        "phase": case.phase.value,
        "next_attempt_by": case.next_attempt_by,
        "overdue_reported_for": case.overdue_reported_for,
        "attempts": case.attempts,
        "last_attempt_at": case.last_attempt_at,
        "first_contact_at": case.first_contact_at,
        "phases": [p.as_json() for p in case.phases],
        "consent_method": consent.method.value if consent else None,
        "consent_given_at": consent.given_at if consent else None,
        "consent_recorded_by": consent.recorded_by if consent else None,
        "consent_recorded_at": consent.recorded_at if consent else None,
        "participant_id": case.participant_id,
        "participant_name": participant.name if participant else None,
        "identity_scheme": participant.scheme.value if participant else None,
        "identity_number": participant.identity_number if participant else None,
        "identified_at": case.identified_at,
        "close_reason": case.close_reason.value if case.close_reason else None,
        "helped_on_to": case.helped_on_to,
        "closed_at": case.closed_at,
        "handover_referral_ids": [str(i) for i in case.handover_referral_ids],
        "personal_data_erased_at": case.personal_data_erased_at,
    }


def _case(row: OutreachCaseRow) -> OutreachCase:
    consent = None
    if row.consent_method and row.consent_given_at and row.consent_recorded_by and row.consent_recorded_at:
        consent = Consent(
            ConsentMethod(row.consent_method), row.consent_given_at, row.consent_recorded_by, row.consent_recorded_at
        )
    participant = None
    if row.participant_name and row.identity_number and row.identity_scheme:
        participant = Participant(row.participant_name, row.identity_number, IdentityScheme(row.identity_scheme))
    return OutreachCase(
        id=row.id,
        provider_org=row.provider_org,
        programme_code=row.programme_code,
        timezone=row.timezone,
        country=row.country,
        staff_id=row.staff_id,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        working_name=row.working_name,
        description=row.description,
        phase=Phase(row.phase),
        next_attempt_by=row.next_attempt_by,
        overdue_reported_for=row.overdue_reported_for,
        attempts=row.attempts,
        last_attempt_at=row.last_attempt_at,
        first_contact_at=row.first_contact_at,
        phases=tuple(PhaseChange.from_json(p) for p in row.phases),
        consent=consent,
        participant_id=row.participant_id,
        participant=participant,
        identified_at=row.identified_at,
        close_reason=OutreachCloseReason(row.close_reason) if row.close_reason else None,
        helped_on_to=row.helped_on_to,
        closed_at=row.closed_at,
        handover_referral_ids=tuple(UUID(i) for i in row.handover_referral_ids),
        personal_data_erased_at=row.personal_data_erased_at,
    )


def _attempt(row: ContactAttemptRow) -> ContactAttempt:
    return ContactAttempt(
        id=row.id,
        case_id=row.case_id,
        place=ContactPlace(row.place),
        channel=ContactChannel(row.channel),
        outcome=ContactOutcome(row.outcome),
        staff_id=row.staff_id,
        attempted_at=row.attempted_at,
        next_attempt_by=row.next_attempt_by,
        note=row.note,
        recorded_at=row.recorded_at,
    )


class OutreachRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, case: OutreachCase) -> None:
        self.session.add(OutreachCaseRow(**_values(case)))
        await self.session.flush()  # attempts refer to the case's row

    async def save(self, *cases: OutreachCase) -> None:
        for case in cases:
            values = _values(case)
            await self.session.execute(sa.update(OutreachCaseRow).where(OutreachCaseRow.id == case.id).values(**values))

    async def get(self, case_id: UUID, org: str, *, lock: bool = False) -> OutreachCase | None:
        query = sa.select(OutreachCaseRow).where(OutreachCaseRow.id == case_id, OutreachCaseRow.provider_org == org)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _case(row) if row else None

    async def of_org(self, org: str, *, include_closed: bool) -> list[OutreachCase]:
        query = sa.select(OutreachCaseRow).where(OutreachCaseRow.provider_org == org)
        if not include_closed:
            query = query.where(OutreachCaseRow.phase != Phase.CLOSED.value)
        rows = await self.session.scalars(query.order_by(OutreachCaseRow.opened_at, OutreachCaseRow.id))
        return [_case(r) for r in rows]

    async def add_attempt(self, attempt: ContactAttempt) -> None:
        self.session.add(
            ContactAttemptRow(
                id=attempt.id,
                case_id=attempt.case_id,
                place=attempt.place.value,
                channel=attempt.channel.value,
                outcome=attempt.outcome.value,
                staff_id=attempt.staff_id,
                attempted_at=attempt.attempted_at,
                next_attempt_by=attempt.next_attempt_by,
                note=attempt.note,
                recorded_at=attempt.recorded_at,
            )
        )
        await self.session.flush()

    async def attempts_of(self, case_id: UUID) -> list[ContactAttempt]:
        rows = await self.session.scalars(
            sa.select(ContactAttemptRow)
            .where(ContactAttemptRow.case_id == case_id)
            .order_by(ContactAttemptRow.attempted_at, ContactAttemptRow.id)
        )
        return [_attempt(r) for r in rows]

    async def overdue_candidates(self, before: date, limit: int) -> list[OutreachCase]:
        """Open cases whose next attempt was due before ``before`` and not yet reported for that day.
        Rows another replica is reporting are skipped, not waited for."""
        rows = await self.session.scalars(
            sa.select(OutreachCaseRow)
            .where(
                OutreachCaseRow.phase != Phase.CLOSED.value,
                OutreachCaseRow.next_attempt_by < before,
                sa.or_(
                    OutreachCaseRow.overdue_reported_for.is_(None),
                    OutreachCaseRow.overdue_reported_for != OutreachCaseRow.next_attempt_by,
                ),
            )
            .order_by(OutreachCaseRow.next_attempt_by, OutreachCaseRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return [_case(r) for r in rows]

    async def pseudonym_at(self, provider_org: str, participant: Participant) -> UUID | None:
        found: UUID | None = await self.session.scalar(
            sa.select(OutreachCaseRow.participant_id)
            .where(
                OutreachCaseRow.provider_org == provider_org,
                OutreachCaseRow.identity_scheme == participant.scheme.value,
                OutreachCaseRow.identity_number == participant.identity_number,
            )
            .order_by(OutreachCaseRow.identified_at)
            .limit(1)
        )
        return found

    async def of_participant(self, provider_org: str, participant_id: UUID) -> list[OutreachCase]:
        rows = await self.session.scalars(
            sa.select(OutreachCaseRow)
            .where(OutreachCaseRow.provider_org == provider_org, OutreachCaseRow.participant_id == participant_id)
            .order_by(OutreachCaseRow.opened_at, OutreachCaseRow.id)
        )
        return [_case(r) for r in rows]

    async def with_identity_number(self, provider_org: str, identity_number: str) -> list[tuple[UUID, UUID]]:
        rows = await self.session.execute(
            sa.select(OutreachCaseRow.id, OutreachCaseRow.participant_id)
            .where(OutreachCaseRow.provider_org == provider_org, OutreachCaseRow.identity_number == identity_number)
            .order_by(OutreachCaseRow.identified_at, OutreachCaseRow.id)
        )
        return [(case_id, participant_id) for case_id, participant_id in rows.all() if participant_id is not None]

    async def due_for_erasure(self, closed_before: datetime, limit: int) -> list[OutreachCase]:
        rows = await self.session.scalars(
            sa.select(OutreachCaseRow)
            .where(
                OutreachCaseRow.phase == Phase.CLOSED.value,
                OutreachCaseRow.closed_at < closed_before,
                OutreachCaseRow.personal_data_erased_at.is_(None),
            )
            .order_by(OutreachCaseRow.closed_at, OutreachCaseRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_case(r) for r in rows]

    async def erase_notes(self, case_ids: Sequence[UUID]) -> None:
        if case_ids:
            await self.session.execute(
                sa.update(ContactAttemptRow).where(ContactAttemptRow.case_id.in_(list(case_ids))).values(note=None)
            )

"""Handovers (referring on from a running course): rows in, domain objects out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.models import HandoverRow
from forlob_referral.domain.handover import (
    AttainmentCounts,
    Handover,
    HandoverFacts,
    HandoverMeeting,
    HandoverState,
    MeetingParty,
)
from forlob_shared.events.employment import Recommendation, WorkAbilityArea
from forlob_shared.events.handover import DeclineReason, HandoverRelation


def _counts(value: dict[str, int] | None) -> AttainmentCounts | None:
    return AttainmentCounts(**value) if value is not None else None


def _counts_json(value: AttainmentCounts | None) -> dict[str, int] | None:
    if value is None:
        return None
    return {"achieved": value.achieved, "partly_achieved": value.partly_achieved, "not_achieved": value.not_achieved}


def facts_json(facts: HandoverFacts) -> dict[str, Any]:
    return {
        "programme_code": facts.programme_code,
        "provider_org": facts.provider_org,
        "start_date": facts.start_date.isoformat() if facts.start_date else None,
        "planned_end_date": facts.planned_end_date.isoformat(),
        "goals": _counts_json(facts.goals),
        "sub_goals": _counts_json(facts.sub_goals),
        "recommendation": facts.recommendation.value if facts.recommendation else None,
        "resources": [a.value for a in facts.resources],
        "challenges": [a.value for a in facts.challenges],
    }


def _facts(value: dict[str, Any]) -> HandoverFacts:
    return HandoverFacts(
        programme_code=value["programme_code"],
        provider_org=value["provider_org"],
        start_date=date.fromisoformat(value["start_date"]) if value["start_date"] else None,
        planned_end_date=date.fromisoformat(value["planned_end_date"]),
        goals=_counts(value["goals"]),
        sub_goals=_counts(value["sub_goals"]),
        recommendation=Recommendation(value["recommendation"]) if value["recommendation"] else None,
        resources=tuple(WorkAbilityArea(a) for a in value["resources"]),
        challenges=tuple(WorkAbilityArea(a) for a in value["challenges"]),
    )


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _meeting_json(meeting: HandoverMeeting | None) -> dict[str, Any] | None:
    if meeting is None:
        return None
    return {
        "starts_at": meeting.starts_at.isoformat(),
        "timezone": meeting.timezone,
        "parties": [{"org": p.org, "staff_id": p.staff_id} for p in meeting.parties],
        "planned_by": meeting.planned_by,
        "planned_at": meeting.planned_at.isoformat(),
        "held_at": meeting.held_at.isoformat() if meeting.held_at else None,
        "held_by": meeting.held_by,
    }


def _meeting(value: dict[str, Any] | None) -> HandoverMeeting | None:
    if value is None:
        return None
    return HandoverMeeting(
        starts_at=datetime.fromisoformat(value["starts_at"]),
        timezone=value["timezone"],
        parties=tuple(MeetingParty(p["org"], p["staff_id"]) for p in value["parties"]),
        planned_by=value["planned_by"],
        planned_at=datetime.fromisoformat(value["planned_at"]),
        held_at=_instant(value["held_at"]),
        held_by=value["held_by"],
    )


def _values(h: Handover) -> dict[str, Any]:
    return {
        "id": h.id,
        "referral_id": h.referral_id,
        "participant_id": h.participant_id,
        "programme_code": h.programme_code,
        "referring_org": h.referring_org,
        "provider_org": h.provider_org,
        "next_programme_code": h.next_programme_code,
        "next_provider_org": h.next_provider_org,
        "relation": h.relation.value,
        "planned_start": h.planned_start,
        "facts": facts_json(h.facts),
        "state": h.state.value,
        "proposed_by_provider": h.proposed_by_provider,
        "created_by": h.created_by,
        "created_at": h.created_at,
        "next_referral_id": h.next_referral_id,
        "referred_by": h.referred_by,
        "referred_at": h.referred_at,
        "meeting": _meeting_json(h.meeting),
        "decided_by": h.decided_by,
        "decided_at": h.decided_at,
        "decline_reason": h.decline_reason.value if h.decline_reason else None,
    }


def _handover(row: HandoverRow) -> Handover:
    return Handover(
        id=row.id,
        referral_id=row.referral_id,
        participant_id=row.participant_id,
        programme_code=row.programme_code,
        referring_org=row.referring_org,
        provider_org=row.provider_org,
        next_programme_code=row.next_programme_code,
        next_provider_org=row.next_provider_org,
        relation=HandoverRelation(row.relation),
        planned_start=row.planned_start,
        facts=_facts(row.facts),
        state=HandoverState(row.state),
        proposed_by_provider=row.proposed_by_provider,
        created_by=row.created_by,
        created_at=row.created_at,
        next_referral_id=row.next_referral_id,
        referred_by=row.referred_by,
        referred_at=row.referred_at,
        meeting=_meeting(row.meeting),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decline_reason=DeclineReason(row.decline_reason) if row.decline_reason else None,
    )


def _visible_to(org: str) -> sa.ColumnElement[bool]:
    # The next provider is a party once the next referral exists, not while it is only proposed.
    return sa.or_(
        HandoverRow.referring_org == org,
        HandoverRow.provider_org == org,
        sa.and_(HandoverRow.next_provider_org == org, HandoverRow.next_referral_id.is_not(None)),
    )


class HandoverRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, handover: Handover) -> None:
        self.session.add(HandoverRow(**_values(handover)))
        await self.session.flush()

    async def save(self, handover: Handover) -> None:
        values = _values(handover)
        del values["id"]
        await self.session.execute(sa.update(HandoverRow).where(HandoverRow.id == handover.id).values(**values))

    async def get(self, handover_id: UUID, org: str, *, lock: bool = False) -> Handover | None:
        query = sa.select(HandoverRow).where(HandoverRow.id == handover_id, _visible_to(org))
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).scalar_one_or_none()
        return _handover(row) if row is not None else None

    async def of_course(self, referral_id: UUID, *, lock: bool = False) -> list[Handover]:
        query = (
            sa.select(HandoverRow)
            .where(HandoverRow.referral_id == referral_id)
            .order_by(HandoverRow.created_at, HandoverRow.id)
        )
        if lock:
            query = query.with_for_update()
        return [_handover(r) for r in (await self.session.execute(query)).scalars()]

    async def into(self, next_referral_id: UUID) -> Handover | None:
        query = sa.select(HandoverRow).where(HandoverRow.next_referral_id == next_referral_id)
        row = (await self.session.execute(query)).scalar_one_or_none()
        return _handover(row) if row is not None else None

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        """Empty the resource-profile areas of the handovers from or into these referrals."""
        ids = list(referral_ids)
        rows = (
            await self.session.execute(
                sa.select(HandoverRow).where(
                    sa.or_(HandoverRow.referral_id.in_(ids), HandoverRow.next_referral_id.in_(ids))
                )
            )
        ).scalars()
        for row in rows:
            row.facts = {**row.facts, "resources": [], "challenges": []}
        await self.session.flush()

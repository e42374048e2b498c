"""The audit trail's repositories (identity reads, waiting-list moves) and the Idempotency-Keys.

Each satisfies its Protocol in ``forlob_referral.application.ports``, like those of
:mod:`forlob_referral.db.repository`, and passes the same contract tests as its in-memory twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.models import IdentityReadRow, ReferralRow, WaitlistMoveRow
from forlob_referral.domain.personal import IdentityRead, WaitlistMove
from forlob_referral.domain.referral import Referral
from forlob_shared.http.idempotency import forget_keys_before


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def identity_read(self, referral_id: UUID, org: str, staff_id: str, purpose: str, at: datetime) -> None:
        self.session.add(
            IdentityReadRow(referral_id=referral_id, org=org, staff_id=staff_id, purpose=purpose, read_at=at)
        )

    async def identity_reads(self, org: str, referral_id: UUID | None, limit: int) -> list[IdentityRead]:
        """The newest reads first."""
        query = sa.select(IdentityReadRow).where(IdentityReadRow.org == org)
        if referral_id is not None:
            query = query.where(IdentityReadRow.referral_id == referral_id)
        rows = await self.session.scalars(query.order_by(IdentityReadRow.id.desc()).limit(limit))
        return [IdentityRead(r.referral_id, r.org, r.staff_id, r.purpose, r.read_at) for r in rows]

    async def waitlist_move(
        self, referral: Referral, staff_id: str, moved: tuple[int, int], reason: str, at: datetime
    ) -> None:
        self.session.add(
            WaitlistMoveRow(
                referral_id=referral.id,
                provider_org=referral.provider_org,
                programme_code=referral.programme_code,
                staff_id=staff_id,
                from_position=moved[0],
                to_position=moved[1],
                reason=reason,
                moved_at=at,
            )
        )

    async def waitlist_moves(self, provider_org: str, code: str) -> list[WaitlistMove]:
        """A programme's waiting-list moves, oldest first."""
        rows = await self.session.scalars(
            sa.select(WaitlistMoveRow)
            .where(WaitlistMoveRow.provider_org == provider_org, WaitlistMoveRow.programme_code == code)
            .order_by(WaitlistMoveRow.id)
        )
        return [_move(r) for r in rows]

    async def trail(
        self, provider_org: str, referral_ids: Sequence[UUID] | None, since: datetime | None, limit: int
    ) -> tuple[list[IdentityRead], list[WaitlistMove]]:
        provided = sa.select(ReferralRow.id).where(ReferralRow.provider_org == provider_org)
        if referral_ids is not None:
            provided = provided.where(ReferralRow.id.in_(list(referral_ids)))
        reads_query = sa.select(IdentityReadRow).where(IdentityReadRow.referral_id.in_(provided))
        moves_query = sa.select(WaitlistMoveRow).where(WaitlistMoveRow.referral_id.in_(provided))
        if since is not None:
            reads_query = reads_query.where(IdentityReadRow.read_at >= since)
            moves_query = moves_query.where(WaitlistMoveRow.moved_at >= since)
        reads = await self.session.scalars(reads_query.order_by(IdentityReadRow.id).limit(limit))
        moves = await self.session.scalars(moves_query.order_by(WaitlistMoveRow.id).limit(limit))
        return (
            [IdentityRead(r.referral_id, r.org, r.staff_id, r.purpose, r.read_at) for r in reads],
            [_move(r) for r in moves],
        )


def _move(r: WaitlistMoveRow) -> WaitlistMove:
    return WaitlistMove(
        r.referral_id,
        r.provider_org,
        r.programme_code,
        r.staff_id,
        r.from_position,
        r.to_position,
        r.reason,
        r.moved_at,
    )


class IdempotencyKeyRepository:
    """The Idempotency-Keys the HTTP use cases claimed (``forlob_shared.http.idempotency``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def forget_before(self, before: datetime) -> int:
        return await forget_keys_before(self.session, before)

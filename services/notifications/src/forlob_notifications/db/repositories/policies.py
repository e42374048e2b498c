"""Each organisation's own notification policies (the defaults live in the domain)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import PolicyRow
from forlob_notifications.domain.policy import NoticeRecipient, NotificationPolicy


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def own(self, org: str) -> dict[str, NotificationPolicy]:
        rows = await self.session.scalars(sa.select(PolicyRow).where(PolicyRow.org == org))
        return {
            row.legal_basis: NotificationPolicy(
                legal_basis=row.legal_basis,
                notify_within_working_minutes=row.notify_within_working_minutes,
                recipients=frozenset(NoticeRecipient(r) for r in row.recipients),
                notice_text=row.notice_text,
                is_default=False,
            )
            for row in rows
        }

    async def put(self, org: str, policy: NotificationPolicy, by: str, now: datetime) -> None:
        values = {
            "org": org,
            "legal_basis": policy.legal_basis,
            "notify_within_working_minutes": policy.notify_within_working_minutes,
            "recipients": sorted(r.value for r in policy.recipients),
            "notice_text": policy.notice_text,
            "updated_at": now,
            "updated_by": by,
        }
        stmt = pg_insert(PolicyRow).values(**values)
        update = {k: stmt.excluded[k] for k in values if k not in ("org", "legal_basis")}
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["org", "legal_basis"], set_=update))

    async def delete(self, org: str, legal_basis: str) -> bool:
        result = await self.session.execute(
            sa.delete(PolicyRow).where(PolicyRow.org == org, PolicyRow.legal_basis == legal_basis)
        )
        return bool(getattr(result, "rowcount", 0))

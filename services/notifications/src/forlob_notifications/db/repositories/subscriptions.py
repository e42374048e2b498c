"""Webhook subscriptions of the organisations."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import SubscriptionRow
from forlob_notifications.db.repositories.rows import columns_of
from forlob_notifications.domain.webhooks import Subscription


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Within one transaction (a consumer's batch: dozens of events of one organisation) the
        # answer does not change but by this repository's own writes, which clear it. Kept per
        # organisation, every type at once: a course's milestones are of several types.
        self._enabled: dict[str, list[Subscription]] = {}

    async def add(self, subscription: Subscription) -> None:
        self._enabled.clear()
        await self.session.execute(sa.insert(SubscriptionRow).values(**columns_of(subscription)))

    async def get(self, subscription_id: UUID, org: str | None = None) -> Subscription | None:
        query = sa.select(SubscriptionRow).where(SubscriptionRow.id == subscription_id)
        if org is not None:
            query = query.where(SubscriptionRow.org == org)
        row = await self.session.scalar(query)
        return _subscription(row) if row else None

    async def many(self, ids: list[UUID]) -> dict[UUID, Subscription]:
        if not ids:
            return {}
        rows = await self.session.scalars(sa.select(SubscriptionRow).where(SubscriptionRow.id.in_(ids)))
        return {row.id: _subscription(row) for row in rows}

    async def of_org(self, org: str) -> list[Subscription]:
        rows = await self.session.scalars(
            sa.select(SubscriptionRow).where(SubscriptionRow.org == org).order_by(SubscriptionRow.created_at)
        )
        return [_subscription(row) for row in rows]

    async def wanting(self, org: str, event_type: str) -> list[Subscription]:
        enabled = self._enabled.get(org)
        if enabled is None:
            rows = await self.session.scalars(
                sa.select(SubscriptionRow).where(SubscriptionRow.org == org, SubscriptionRow.enabled.is_(True))
            )
            enabled = self._enabled[org] = [_subscription(row) for row in rows]
        return [subscription for subscription in enabled if event_type in subscription.event_types]

    async def save(self, subscription: Subscription) -> None:
        self._enabled.clear()
        values = columns_of(subscription)
        values.pop("id")
        await self.session.execute(
            sa.update(SubscriptionRow).where(SubscriptionRow.id == subscription.id).values(**values)
        )

    async def delete(self, subscription_id: UUID) -> None:
        self._enabled.clear()
        await self.session.execute(sa.delete(SubscriptionRow).where(SubscriptionRow.id == subscription_id))

    async def drop_expired_secrets(self, now: datetime) -> int:
        self._enabled.clear()
        result = await self.session.execute(
            sa.update(SubscriptionRow)
            .where(SubscriptionRow.previous_secret_expires_at <= now)
            .values(previous_secret=None, previous_secret_expires_at=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _subscription(row: SubscriptionRow) -> Subscription:
    values = {f.name: getattr(row, f.name) for f in fields(Subscription)}
    values["event_types"] = list(row.event_types)
    return Subscription(**values)

"""Deliveries and their attempts: the dispatcher's claim (a lease) and the history people read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.application.ports import Claimed
from forlob_notifications.db.models import AttemptRow, DeliveryRow
from forlob_notifications.db.repositories.rows import columns_of
from forlob_notifications.domain.deliveries import Attempt, AttemptOutcome, Channel, Delivery, DeliveryState
from forlob_shared.logging import current_traceparent

# The claim, built once: the dispatcher runs it at every wake (each new delivery, and a second
# loop that finds nothing), and building the statement per call cost more CPU than running it.
# Core on the table, not the ORM entity: the rows go straight into Delivery (``_delivery``).
_DELIVERIES = cast(sa.Table, DeliveryRow.__table__)
_DATABASE_NOW = sa.func.clock_timestamp()
_DUE = (
    sa.select(_DELIVERIES.c.id)
    .where(
        _DELIVERIES.c.state == DeliveryState.PENDING.value,
        _DELIVERIES.c.next_attempt_at <= sa.bindparam("now"),
        sa.or_(_DELIVERIES.c.claimed_until.is_(None), _DELIVERIES.c.claimed_until < _DATABASE_NOW),
    )
    .order_by(_DELIVERIES.c.next_attempt_at)
    .limit(sa.bindparam("limit", type_=sa.Integer))
    .with_for_update(skip_locked=True)
    .scalar_subquery()
)
_CLAIM = (
    sa.update(_DELIVERIES)
    .where(_DELIVERIES.c.id.in_(_DUE))
    .values(claimed_until=_DATABASE_NOW + sa.bindparam("lease", type_=sa.Interval))
    .returning(*_DELIVERIES.c)
)


# A round's outcomes in one statement: each column an attempt changes (``record_attempt``) goes in
# as one array, so the text, and the statement prepared on each connection, is the same whatever
# the round's size. Each delivery is saved only while it is still held under the claim the round
# took (its ``claimed_until``, to the microsecond): one whose lease ran out and was claimed by
# another round is that round's to save, one recorded by another round meanwhile is no longer
# pending, and one re-sent by hand was saved (``save`` ends the claim). Any of them is left as it is.
_SAVE_CLAIMED = sa.text(
    f"""
    UPDATE deliveries AS d
    SET state = r.state, attempts = r.attempts, next_attempt_at = r.next_attempt_at,
        delivered_at = r.delivered_at, last_error = r.last_error, claimed_until = NULL
    FROM unnest(
        CAST(:ids AS uuid[]), CAST(:claimed_untils AS timestamptz[]), CAST(:states AS text[]),
        CAST(:attempts AS integer[]), CAST(:next_attempt_ats AS timestamptz[]),
        CAST(:delivered_ats AS timestamptz[]), CAST(:last_errors AS text[])
    ) AS r(id, claimed_until, state, attempts, next_attempt_at, delivered_at, last_error)
    WHERE d.id = r.id AND d.state = '{DeliveryState.PENDING.value}' AND d.claimed_until = r.claimed_until
    RETURNING d.id
    """
)


# A round's attempts in one statement too (an executemany is a statement per row at the server).
_RECORD_ATTEMPTS = sa.text(
    """
    INSERT INTO delivery_attempts
        (delivery_id, number, attempted_at, ok, error_code, detail, status_code, duration_ms)
    SELECT a.delivery_id, a.number, :attempted_at, a.ok, a.error_code, a.detail, a.status_code, a.duration_ms
    FROM unnest(
        CAST(:delivery_ids AS uuid[]), CAST(:numbers AS integer[]), CAST(:oks AS boolean[]),
        CAST(:error_codes AS text[]), CAST(:details AS text[]), CAST(:status_codes AS integer[]),
        CAST(:durations AS integer[])
    ) AS a(delivery_id, number, ok, error_code, detail, status_code, duration_ms)
    """
).bindparams(sa.bindparam("attempted_at", type_=sa.DateTime(timezone=True)))


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *deliveries: Delivery) -> None:
        """Queue ``deliveries``, each under the trace context current now (the event's consumer
        span, the request's) unless it names its own."""
        if deliveries:
            current = current_traceparent()
            rows = [columns_of(d) | {"traceparent": d.traceparent or current} for d in deliveries]
            await self.session.execute(sa.insert(DeliveryRow), rows)

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
        """Take up to ``limit`` due deliveries for sending; a crashed sender's claim runs out.
        Each comes with the end of its lease, which the round's save must present.

        Due-ness is business time (``now``, the service's clock); the lease is the database's own
        time, because it guards a technical step (a send in progress): a clock that is moved on
        (in tests, or by an operator) must not hand a delivery being sent to a second sender.
        """
        rows = (await self.session.execute(_CLAIM, {"now": now, "lease": lease, "limit": limit})).all()
        claims = (Claimed(_delivery(row), row.claimed_until) for row in rows)
        return sorted(claims, key=lambda c: c.delivery.next_attempt_at)

    async def get(self, delivery_id: UUID, org: str | None = None, *, for_update: bool = False) -> Delivery | None:
        query = sa.select(DeliveryRow).where(DeliveryRow.id == delivery_id)
        if org is not None:
            query = query.where(DeliveryRow.org == org)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _delivery(row) if row else None

    async def save_claimed_many(self, claims: Sequence[Claimed]) -> set[UUID]:
        """Save a round's outcomes, each delivery under the claim this sender holds, in one
        statement; those changed meanwhile (claimed by another round once the lease ran out,
        re-sent by hand, recorded by another round) are left as they are. Only the columns an
        attempt changes are written. The ids saved."""
        if not claims:
            return set()
        # In id order: two rounds saving the same deliveries (one whose lease ran out, the one
        # that took over) then lock their rows in the same order and cannot deadlock. The plan
        # walks the array (a nested loop on the primary key) once the table holds more than a
        # handful of rows; a smaller one is hashed and scanned in the same order for both.
        claims = sorted(claims, key=lambda c: c.delivery.id)
        deliveries = [c.delivery for c in claims]
        ids = [d.id for d in deliveries]
        if len(set(ids)) != len(ids):
            # One UPDATE ... FROM writes a row once, with either of its values: refuse instead.
            raise ValueError("a round saves each delivery once")
        rows = await self.session.execute(
            _SAVE_CLAIMED,
            {
                "ids": ids,
                "claimed_untils": [c.until for c in claims],
                "states": [d.state.value for d in deliveries],
                "attempts": [d.attempts for d in deliveries],
                "next_attempt_ats": [d.next_attempt_at for d in deliveries],
                "delivered_ats": [d.delivered_at for d in deliveries],
                "last_errors": [d.last_error for d in deliveries],
            },
        )
        return set(rows.scalars())

    async def save(self, delivery: Delivery) -> None:
        values = columns_of(delivery)
        values.pop("id")
        values["claimed_until"] = None
        await self.session.execute(sa.update(DeliveryRow).where(DeliveryRow.id == delivery.id).values(**values))

    async def record_attempts(self, attempts: list[tuple[UUID, int, AttemptOutcome]], attempted_at: datetime) -> None:
        if not attempts:
            return
        outcomes = [outcome for _, _, outcome in attempts]
        await self.session.execute(
            _RECORD_ATTEMPTS,
            {
                "delivery_ids": [delivery_id for delivery_id, _, _ in attempts],
                "numbers": [number for _, number, _ in attempts],
                "attempted_at": attempted_at,
                "oks": [o.ok for o in outcomes],
                "error_codes": [o.error_code or None for o in outcomes],
                "details": [o.detail[:1000] or None for o in outcomes],
                "status_codes": [o.status_code for o in outcomes],
                "durations": [o.duration_ms for o in outcomes],
            },
        )

    async def attempts(self, delivery_ids: list[UUID]) -> dict[UUID, list[Attempt]]:
        found: dict[UUID, list[Attempt]] = {i: [] for i in delivery_ids}
        if delivery_ids:
            rows = await self.session.scalars(
                sa.select(AttemptRow)
                .where(AttemptRow.delivery_id.in_(delivery_ids))
                .order_by(AttemptRow.delivery_id, AttemptRow.number)
            )
            for row in rows:
                found[row.delivery_id].append(
                    Attempt(row.number, row.attempted_at, row.ok, row.error_code, row.status_code, row.duration_ms)
                )
        return found

    async def for_alert(self, alert_id: UUID) -> list[Delivery]:
        rows = await self.session.scalars(
            sa.select(DeliveryRow).where(DeliveryRow.alert_id == alert_id).order_by(DeliveryRow.created_at)
        )
        return [_delivery(row) for row in rows]

    async def search(
        self, org: str, *, channel: str | None, recipient: str | None, state: str | None, limit: int
    ) -> list[Delivery]:
        query = sa.select(DeliveryRow).where(DeliveryRow.org == org)
        if channel:
            query = query.where(DeliveryRow.channel == channel)
        if recipient:
            query = query.where(DeliveryRow.recipient == recipient)
        if state:
            query = query.where(DeliveryRow.state == state)
        rows = await self.session.scalars(query.order_by(DeliveryRow.created_at.desc()).limit(limit))
        return [_delivery(row) for row in rows]

    async def pending_for(self, channel: Channel, recipient: str) -> list[Delivery]:
        rows = await self.session.scalars(
            sa.select(DeliveryRow)
            .where(
                DeliveryRow.channel == channel.value,
                DeliveryRow.recipient == recipient,
                DeliveryRow.state == DeliveryState.PENDING.value,
            )
            .with_for_update()
        )
        return [_delivery(row) for row in rows]


def _delivery(row: DeliveryRow | sa.Row[Any]) -> Delivery:
    values = {f.name: getattr(row, f.name) for f in fields(Delivery)}
    values["channel"] = Channel(row.channel)
    values["state"] = DeliveryState(row.state)
    values["content"] = dict(row.content)
    return Delivery(**values)

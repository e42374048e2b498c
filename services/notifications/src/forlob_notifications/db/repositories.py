"""Repositories: domain objects in, domain objects out; every query scoped as the caller needs."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import fields
from datetime import datetime, time, timedelta
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import (
    AlertRow,
    AssignmentRow,
    AttemptRow,
    DeliveryRow,
    PolicyRow,
    StaffRow,
    SubscriptionRow,
)
from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, AlertState
from forlob_notifications.domain.deliveries import Attempt, AttemptOutcome, Channel, Delivery, DeliveryState
from forlob_notifications.domain.directory import Assignment, StaffMember
from forlob_notifications.domain.policy import NoticeRecipient, NotificationPolicy
from forlob_notifications.domain.webhooks import Subscription
from forlob_shared.working_time import Window


def _columns(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


# -- directory ---------------------------------------------------------------------------------


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, member: StaffMember, now: datetime) -> None:
        values = _columns(member)
        values["working_hours"] = [
            {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()} for w in member.working_hours
        ]
        values["updated_at"] = now
        stmt = pg_insert(StaffRow).values(**values)
        update = {k: stmt.excluded[k] for k in values if k not in ("org", "staff_id")}
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["org", "staff_id"], set_=update))

    async def get(self, org: str, staff_id: str) -> StaffMember | None:
        row = await self.session.get(StaffRow, (org, staff_id))
        return _staff(row) if row else None

    async def addresses(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """E-mail addresses of active staff, by (org, staff id), in one query."""
        if not keys:
            return {}
        rows = await self.session.execute(
            sa.select(StaffRow.org, StaffRow.staff_id, StaffRow.email).where(
                sa.tuple_(StaffRow.org, StaffRow.staff_id).in_(keys), StaffRow.active.is_(True)
            )
        )
        return {(org, staff_id): email for org, staff_id, email in rows.all() if email}

    async def of_org(self, org: str, role: str | None = None) -> list[StaffMember]:
        query = sa.select(StaffRow).where(StaffRow.org == org).order_by(StaffRow.staff_id)
        if role:
            query = query.where(StaffRow.role == role)
        return [_staff(row) for row in await self.session.scalars(query)]


def _staff(row: StaffRow) -> StaffMember:
    return StaffMember(
        org=row.org,
        staff_id=row.staff_id,
        role=row.role,
        email=row.email,
        team_leader_id=row.team_leader_id,
        working_hours=[
            Window(int(w["weekday"]), time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
            for w in row.working_hours
        ],
        channels=list(row.channels),
        country=row.country,
        timezone=row.timezone,
        active=row.active,
    )


# The two-key advisory locks are a key space apart from the one-key lock the outbox relay holds.
ASSIGNMENT_LOCK_CLASS = 0x464C4F42  # "FLOB"
# Statements every course start runs, built once (building one cost as much as running it).
# One row per key, in the array's order: the locks are taken in that order.
_ASSIGNMENT_LOCKS = sa.text(
    "SELECT pg_advisory_xact_lock(:lock_class, hashtext(k)) FROM unnest(CAST(:keys AS text[])) AS k"
).bindparams(lock_class=ASSIGNMENT_LOCK_CLASS)


_ASSIGNMENT_FIELDS = tuple(f.name for f in fields(Assignment))


@functools.cache
def _assignment_upsert(only: tuple[str, ...] | None, keep_legal_basis: bool) -> sa.Insert:
    """Built once per shape and reused with new parameters: building an upsert (its ``excluded``
    columns, its cache key) cost more than a whole delivery's other work."""
    table = cast(sa.Table, AssignmentRow.__table__)  # Core: the ORM's bulk-insert path costs more than the row
    stmt = pg_insert(table)
    columns = only if only is not None else _ASSIGNMENT_FIELDS
    update: dict[str, Any] = {k: stmt.excluded[k] for k in columns if k != "referral_id"}
    if keep_legal_basis and "legal_basis" in update:
        update["legal_basis"] = sa.func.coalesce(sa.func.nullif(stmt.excluded.legal_basis, ""), table.c.legal_basis)
    return stmt.on_conflict_do_update(index_elements=["referral_id"], set_=update)


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, referral_id: UUID, *, for_update: bool = False, fresh: bool = False) -> Assignment | None:
        """``fresh``: read again what this session has read before (after waiting for a lock)."""
        query = sa.select(AssignmentRow).where(AssignmentRow.referral_id == referral_id)
        if for_update:
            query = query.with_for_update()
        if fresh:
            query = query.execution_options(populate_existing=True)
        row = await self.session.scalar(query)
        if row is None:
            return None
        return Assignment(**{f.name: getattr(row, f.name) for f in fields(Assignment)})

    async def lock(self, referral_id: UUID) -> None:
        """Hold the course's directory entry until the transaction ends, whether it exists or not.

        Raising an alert reads the assignment; a course's start writes it and then looks for the
        alerts raised without one. Handled side by side, each would miss the other's uncommitted
        work (an alert left unassigned for good); taken under this lock, one comes after the other.
        """
        await self.lock_many([referral_id])

    async def lock_many(self, referral_ids: Collection[UUID]) -> None:
        """:meth:`lock` for many courses in one statement, in a fixed order (no deadlock between
        two transactions taking overlapping sets)."""
        keys = sorted({str(r) for r in referral_ids})
        if keys:
            await self.session.execute(_ASSIGNMENT_LOCKS, {"keys": keys})

    async def save(
        self, assignment: Assignment, *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None:
        """Insert or overwrite in one statement. ``only``: the columns an existing row takes
        (default all); ``keep_legal_basis``: an existing row keeps its legal basis unless this one
        names one."""
        await self.save_many([assignment], only=only, keep_legal_basis=keep_legal_basis)

    async def save_many(
        self, assignments: Sequence[Assignment], *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None:
        """:meth:`save` for many courses in one statement (each course once)."""
        if not assignments:
            return
        statement = _assignment_upsert(tuple(only) if only is not None else None, keep_legal_basis)
        # Shallow: asdict() deep-copies every value, which cost more than the statement.
        params = [{name: getattr(a, name) for name in _ASSIGNMENT_FIELDS} for a in assignments]
        await self.session.execute(statement, params)

    async def visible_to(self, org: str, staff_id: str | None, limit: int) -> list[Assignment]:
        query = sa.select(AssignmentRow).where(
            sa.or_(AssignmentRow.provider_org == org, AssignmentRow.referring_org == org)
        )
        if staff_id:
            query = query.where(
                sa.or_(
                    AssignmentRow.contact_person_id == staff_id,
                    AssignmentRow.team_leader_id == staff_id,
                    AssignmentRow.caseworker_id == staff_id,
                )
            )
        rows = await self.session.scalars(query.order_by(AssignmentRow.referral_id).limit(limit))
        return [Assignment(**{f.name: getattr(row, f.name) for f in fields(Assignment)}) for row in rows]


# -- alerts --------------------------------------------------------------------------------------


# Run on every course start, built once.
_UNASSIGNED = (
    sa.select(AlertRow)
    .where(
        # An array, not an expanding IN: one statement text for any number of courses.
        AlertRow.referral_id == sa.any_(sa.bindparam("referral_ids", type_=ARRAY(PG_UUID(as_uuid=True)))),
        AlertRow.recipient_staff_id == UNASSIGNED,
        AlertRow.state == AlertState.OPEN.value,
    )
    .order_by(AlertRow.raised_at)
    .with_for_update()
)


class AlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, alert: Alert) -> bool:
        """Insert; False if an alert for the same cause exists (one cause, one alert)."""
        stmt = (
            pg_insert(AlertRow)
            .values(**_columns(alert))
            .on_conflict_do_nothing(index_elements=["cause_key"])
            .returning(AlertRow.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def get(self, alert_id: UUID, org: str, *, for_update: bool = False) -> Alert | None:
        query = sa.select(AlertRow).where(AlertRow.id == alert_id, AlertRow.org == org)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _alert(row) if row else None

    async def by_cause(self, cause_key: str, *, for_update: bool = False) -> Alert | None:
        query = sa.select(AlertRow).where(AlertRow.cause_key == cause_key)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _alert(row) if row else None

    async def unresolved_absences(self, referral_id: UUID, *, occurred_from: datetime) -> list[Alert]:
        """A course's absence alerts not closed, for arrivals expected from ``occurred_from`` on."""
        rows = await self.session.scalars(
            sa.select(AlertRow)
            .where(
                AlertRow.referral_id == referral_id,
                AlertRow.kind == AlertKind.ABSENCE.value,
                AlertRow.state != AlertState.CLOSED.value,
                AlertRow.occurred_at >= occurred_from,
            )
            .order_by(AlertRow.occurred_at)
            .with_for_update()
        )
        return [_alert(row) for row in rows]

    async def unassigned(self, referral_id: UUID) -> list[Alert]:
        """Open alerts of a course raised before anyone was known to receive them."""
        return await self.unassigned_of([referral_id])

    async def unassigned_of(self, referral_ids: Collection[UUID]) -> list[Alert]:
        """:meth:`unassigned` for many courses in one statement."""
        if not referral_ids:
            return []
        rows = (await self.session.scalars(_UNASSIGNED, {"referral_ids": list(referral_ids)})).all()
        return [_alert(row) for row in rows]

    async def inbox(
        self,
        org: str,
        staff_id: str | None,
        *,
        states: list[str] | None,
        kinds: list[str] | None,
        since: datetime | None,
        limit: int,
    ) -> list[Alert]:
        query = sa.select(AlertRow).where(AlertRow.org == org)
        if staff_id is not None:
            query = query.where(sa.or_(AlertRow.recipient_staff_id == staff_id, AlertRow.escalated_to == staff_id))
        if states:
            query = query.where(AlertRow.state.in_(states))
        if kinds:
            query = query.where(AlertRow.kind.in_(kinds))
        if since is not None:
            query = query.where(AlertRow.raised_at >= since)
        rows = await self.session.scalars(query.order_by(AlertRow.raised_at.desc(), AlertRow.id).limit(limit))
        return [_alert(row) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[Alert]:
        """Open alerts past their escalation time, locked; other replicas skip them."""
        query = (
            sa.select(AlertRow)
            .where(AlertRow.due_at <= now, AlertRow.state == AlertState.OPEN.value)
            .order_by(AlertRow.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_alert(row) for row in await self.session.scalars(query)]

    async def notice_due(self, now: datetime, limit: int) -> list[Alert]:
        query = (
            sa.select(AlertRow)
            .where(
                AlertRow.notice_due_at <= now,
                AlertRow.notice_sent_at.is_(None),
                AlertRow.state != AlertState.CLOSED.value,
            )
            .order_by(AlertRow.notice_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_alert(row) for row in await self.session.scalars(query)]

    async def save(self, alert: Alert) -> None:
        values = _columns(alert)
        values.pop("id")
        await self.session.execute(sa.update(AlertRow).where(AlertRow.id == alert.id).values(**values))


def _alert(row: AlertRow) -> Alert:
    values = {f.name: getattr(row, f.name) for f in fields(Alert)}
    values["kind"] = AlertKind(row.kind)
    values["state"] = AlertState(row.state)
    values["facts"] = dict(row.facts)
    return Alert(**values)


# -- deliveries ----------------------------------------------------------------------------------


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *deliveries: Delivery) -> None:
        if deliveries:
            await self.session.execute(sa.insert(DeliveryRow), [_columns(d) for d in deliveries])

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        """Take up to ``limit`` due deliveries for sending; a crashed sender's claim runs out.

        Due-ness is business time (``now``, the service's clock); the lease is the database's own
        time, because it guards a technical step (a send in progress): a clock that is moved on
        (in tests, or by an operator) must not hand a delivery being sent to a second sender.
        """
        database_now = sa.func.clock_timestamp()
        due = (
            sa.select(DeliveryRow.id)
            .where(
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at <= now,
                sa.or_(DeliveryRow.claimed_until.is_(None), DeliveryRow.claimed_until < database_now),
            )
            .order_by(DeliveryRow.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        stmt = (
            sa.update(DeliveryRow)
            .where(DeliveryRow.id.in_(due))
            .values(claimed_until=database_now + lease)
            .returning(DeliveryRow)
        )
        rows = (await self.session.execute(stmt)).scalars().all()
        return sorted((_delivery(row) for row in rows), key=lambda d: d.next_attempt_at)

    async def get(self, delivery_id: UUID, org: str | None = None, *, for_update: bool = False) -> Delivery | None:
        query = sa.select(DeliveryRow).where(DeliveryRow.id == delivery_id)
        if org is not None:
            query = query.where(DeliveryRow.org == org)
        if for_update:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _delivery(row) if row else None

    async def save_claimed(self, delivery: Delivery) -> bool:
        """Save a delivery this sender claimed, unless someone changed it meanwhile (a re-send)."""
        values = _columns(delivery)
        values.pop("id")
        values["claimed_until"] = None
        result = await self.session.execute(
            sa.update(DeliveryRow)
            .where(DeliveryRow.id == delivery.id, DeliveryRow.state == DeliveryState.PENDING.value)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    async def save(self, delivery: Delivery) -> None:
        values = _columns(delivery)
        values.pop("id")
        values["claimed_until"] = None
        await self.session.execute(sa.update(DeliveryRow).where(DeliveryRow.id == delivery.id).values(**values))

    async def record_attempts(self, attempts: list[tuple[UUID, int, AttemptOutcome]], attempted_at: datetime) -> None:
        if not attempts:
            return
        await self.session.execute(
            sa.insert(AttemptRow),
            [
                {
                    "delivery_id": delivery_id,
                    "number": number,
                    "attempted_at": attempted_at,
                    "ok": outcome.ok,
                    "error_code": outcome.error_code or None,
                    "detail": outcome.detail[:1000] or None,
                    "status_code": outcome.status_code,
                    "duration_ms": outcome.duration_ms,
                }
                for delivery_id, number, outcome in attempts
            ],
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


def _delivery(row: DeliveryRow) -> Delivery:
    values = {f.name: getattr(row, f.name) for f in fields(Delivery)}
    values["channel"] = Channel(row.channel)
    values["state"] = DeliveryState(row.state)
    values["content"] = dict(row.content)
    return Delivery(**values)


# -- webhook subscriptions -----------------------------------------------------------------------


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Within one transaction (a consumer's batch: dozens of events of one organisation) the
        # answer does not change but by this repository's own writes, which clear it.
        self._wanting: dict[tuple[str, str], list[Subscription]] = {}

    async def add(self, subscription: Subscription) -> None:
        self._wanting.clear()
        await self.session.execute(sa.insert(SubscriptionRow).values(**_columns(subscription)))

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
        known = self._wanting.get((org, event_type))
        if known is not None:
            return list(known)
        rows = await self.session.scalars(
            sa.select(SubscriptionRow).where(
                SubscriptionRow.org == org,
                SubscriptionRow.enabled.is_(True),
                SubscriptionRow.event_types.contains([event_type]),
            )
        )
        found = self._wanting[(org, event_type)] = [_subscription(row) for row in rows]
        return list(found)

    async def save(self, subscription: Subscription) -> None:
        self._wanting.clear()
        values = _columns(subscription)
        values.pop("id")
        await self.session.execute(
            sa.update(SubscriptionRow).where(SubscriptionRow.id == subscription.id).values(**values)
        )

    async def delete(self, subscription_id: UUID) -> None:
        self._wanting.clear()
        await self.session.execute(sa.delete(SubscriptionRow).where(SubscriptionRow.id == subscription_id))

    async def drop_expired_secrets(self, now: datetime) -> int:
        self._wanting.clear()
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


# -- notification policies -----------------------------------------------------------------------


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

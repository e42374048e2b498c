"""The notifications service's storage in memory: its unit of work and repositories.

Each twin keeps the contract of its SQL repository (``forlob_notifications.db.repositories``):
the same filters, orders and limits, one alert per cause, the dispatcher's lease. Objects go in
and come out as copies, as rows would: changing an alert read from a repository changes nothing
until it is saved. The contract tests (services/notifications/tests/unit/test_*_contract.py) run
the same bodies against both. Locks are no-ops: one test, one task.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from forlob_notifications.db.repositories.calendars import declared
from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, AlertState
from forlob_notifications.domain.directory import Assignment, StaffMember
from forlob_notifications.domain.partner_feed import is_kept
from forlob_notifications.domain.policy import NotificationPolicy
from forlob_notifications.domain.visits import Visit
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.clock import Clock
from forlob_shared.events import ProviderCalendarChanged
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.erasure import InMemoryErasureRegister
from forlob_testkit.in_memory.idempotency import FakeIdempotentUnitOfWork
from forlob_testkit.in_memory.notifications_outbound import (
    InMemoryDeliveries,
    InMemoryPartnerFeed,
    InMemorySubscriptions,
)

if TYPE_CHECKING:
    from forlob_notifications.application.ports import NotificationsUnit

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


class InMemoryStaff:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[tuple[str, str], StaffMember] = store.table("notifications.staff")

    async def upsert(self, member: StaffMember, now: datetime) -> None:
        self._rows[(member.org, member.staff_id)] = _copy(member)

    async def get(self, org: str, staff_id: str) -> StaffMember | None:
        found = self._rows.get((org, staff_id))
        return _copy(found) if found else None

    async def addresses(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for key in keys:
            member = self._rows.get(key)
            if member is not None and member.active and member.email:
                found[key] = member.email
        return found

    async def of_org(self, org: str, role: str | None = None) -> list[StaffMember]:
        return [_copy(m) for (o, _), m in sorted(self._rows.items()) if o == org and (not role or m.role == role)]


_ASSIGNMENT_FIELDS = tuple(f.name for f in fields(Assignment))


class InMemoryAssignments:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, Assignment] = store.table("notifications.assignments")

    async def get(self, referral_id: UUID, *, for_update: bool = False, fresh: bool = False) -> Assignment | None:
        found = self._rows.get(referral_id)
        return _copy(found) if found else None

    async def lock(self, referral_id: UUID) -> None:
        await self.lock_many([referral_id])

    async def lock_many(self, referral_ids: Collection[UUID]) -> None:
        """Nothing to wait for: one test runs one task at a time."""

    async def save(
        self, assignment: Assignment, *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None:
        await self.save_many([assignment], only=only, keep_legal_basis=keep_legal_basis)

    async def save_many(
        self, assignments: Sequence[Assignment], *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None:
        columns = tuple(only) if only is not None else _ASSIGNMENT_FIELDS
        for assignment in assignments:
            existing = self._rows.get(assignment.referral_id)
            if existing is None:
                self._rows[assignment.referral_id] = _copy(assignment)
                continue
            update: dict[str, Any] = {k: getattr(assignment, k) for k in columns if k != "referral_id"}
            if keep_legal_basis and "legal_basis" in update:
                update["legal_basis"] = assignment.legal_basis or existing.legal_basis
            self._rows[assignment.referral_id] = replace(existing, **_copy(update))

    async def visible_to(self, org: str, staff_id: str | None, limit: int) -> list[Assignment]:
        found = [
            a
            for _, a in sorted(self._rows.items())
            if org in (a.provider_org, a.referring_org)
            and (not staff_id or staff_id in (a.contact_person_id, a.team_leader_id, a.caseworker_id))
        ]
        return [_copy(a) for a in found[:limit]]


class InMemoryAlerts:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, Alert] = store.table("notifications.alerts")

    def _all(self) -> list[Alert]:
        return list(self._rows.values())

    async def add(self, alert: Alert) -> bool:
        if any(a.cause_key == alert.cause_key for a in self._all()):
            return False
        self._rows[alert.id] = _copy(alert)
        return True

    async def get(self, alert_id: UUID, org: str, *, for_update: bool = False) -> Alert | None:
        found = self._rows.get(alert_id)
        return _copy(found) if found is not None and found.org == org else None

    async def by_cause(self, cause_key: str, *, for_update: bool = False) -> Alert | None:
        return next((_copy(a) for a in self._all() if a.cause_key == cause_key), None)

    async def unresolved_absences(self, referral_id: UUID, *, occurred_from: datetime) -> list[Alert]:
        found = [
            a
            for a in self._all()
            if a.referral_id == referral_id
            and a.kind is AlertKind.ABSENCE
            and a.state is not AlertState.CLOSED
            and a.occurred_at is not None
            and a.occurred_at >= occurred_from
        ]
        return [_copy(a) for a in sorted(found, key=lambda a: a.occurred_at or occurred_from)]

    async def open_by_cause_prefix(self, prefix: str) -> list[Alert]:
        found = [a for a in self._all() if a.cause_key.startswith(prefix) and a.state is not AlertState.CLOSED]
        found.sort(key=lambda a: a.id)
        found.sort(key=lambda a: a.raised_at)
        return [_copy(a) for a in found]

    async def unassigned(self, referral_id: UUID) -> list[Alert]:
        return await self.unassigned_of([referral_id])

    async def unassigned_of(self, referral_ids: Collection[UUID]) -> list[Alert]:
        wanted = set(referral_ids)
        found = [
            a
            for a in self._all()
            if a.referral_id in wanted and a.recipient_staff_id == UNASSIGNED and a.state is AlertState.OPEN
        ]
        return [_copy(a) for a in sorted(found, key=lambda a: a.raised_at)]

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
        found = [
            a
            for a in self._all()
            if a.org == org
            and (staff_id is None or staff_id in (a.recipient_staff_id, a.escalated_to))
            and (not states or a.state.value in states)
            and (not kinds or a.kind.value in kinds)
            and (since is None or a.raised_at >= since)
        ]
        # Newest first; among alerts raised at once, by id (as PostgreSQL orders uuids).
        found.sort(key=lambda a: a.id)
        found.sort(key=lambda a: a.raised_at, reverse=True)
        return [_copy(a) for a in found[:limit]]

    async def due(self, now: datetime, limit: int) -> list[Alert]:
        found = [a for a in self._all() if a.state is AlertState.OPEN and a.due_at is not None and a.due_at <= now]
        return [_copy(a) for a in sorted(found, key=lambda a: a.due_at or now)[:limit]]

    async def notice_due(self, now: datetime, limit: int) -> list[Alert]:
        found = [
            a
            for a in self._all()
            if a.notice_due_at is not None
            and a.notice_due_at <= now
            and a.notice_sent_at is None
            and a.state is not AlertState.CLOSED
        ]
        return [_copy(a) for a in sorted(found, key=lambda a: a.notice_due_at or now)[:limit]]

    async def save(self, alert: Alert) -> None:
        if alert.id in self._rows:  # an UPDATE: an alert never stored stays unstored
            self._rows[alert.id] = _copy(alert)


class InMemoryPolicies:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[tuple[str, str], NotificationPolicy] = store.table("notifications.policies")

    async def own(self, org: str) -> dict[str, NotificationPolicy]:
        return {basis: replace(p, is_default=False) for (o, basis), p in self._rows.items() if o == org}

    async def put(self, org: str, policy: NotificationPolicy, by: str, now: datetime) -> None:
        self._rows[(org, policy.legal_basis)] = policy

    async def delete(self, org: str, legal_basis: str) -> bool:
        return self._rows.pop((org, legal_basis), None) is not None


class InMemoryCalendars:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[str, ProviderCalendarChanged] = store.table("notifications.provider_calendars")

    async def record(self, event: ProviderCalendarChanged) -> None:
        known = self._rows.get(event.provider_org)
        if known is None or known.changed_at <= event.changed_at:
            self._rows[event.provider_org] = event

    async def with_closures(self, org: str, calendar: ProviderCalendar) -> ProviderCalendar:
        known = self._rows.get(org)
        if known is None:
            return calendar
        closures = [c.model_dump(mode="json") for c in known.closures]
        return declared(calendar, closures, list(known.customary_worked))


class InMemoryVisits:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, Visit] = store.table("notifications.visits")

    async def add(self, visit: Visit) -> None:
        if visit.id in self._rows:
            raise ValueError(f"visit {visit.id} exists")  # as the primary key would refuse it
        self._rows[visit.id] = _copy(visit)

    async def get(self, visit_id: UUID, org: str, *, for_update: bool = False) -> Visit | None:
        found = self._rows.get(visit_id)
        return _copy(found) if found is not None and found.org == org else None

    async def open_of(self, org: str, limit: int) -> list[Visit]:
        found = [v for v in self._rows.values() if v.org == org and v.ended_at is None]
        found.sort(key=lambda v: v.id)
        found.sort(key=lambda v: v.planned_end)
        return [_copy(v) for v in found[:limit]]

    async def overdue(self, now: datetime, limit: int) -> list[Visit]:
        found = [
            v for v in self._rows.values() if v.overdue_from <= now and v.ended_at is None and v.overdue_at is None
        ]
        found.sort(key=lambda v: v.overdue_from)
        return [_copy(v) for v in found[:limit]]

    async def save(self, visit: Visit) -> None:
        if visit.id in self._rows:
            self._rows[visit.id] = _copy(visit)


class FakeNotificationsUnitOfWork(FakeIdempotentUnitOfWork):
    """``NotificationsUnit`` in memory; what it would NOTIFY on commit is kept in
    :attr:`inbox_notices` and :attr:`dispatcher_woken` (the store's, so they outlive it)."""

    staff: InMemoryStaff
    assignments: InMemoryAssignments
    alerts: InMemoryAlerts
    deliveries: InMemoryDeliveries
    subscriptions: InMemorySubscriptions
    policies: InMemoryPolicies
    calendars: InMemoryCalendars
    partner_feed: InMemoryPartnerFeed
    visits: InMemoryVisits
    erasures: InMemoryErasureRegister

    def __init__(self, store: FakeStore, clock: Clock) -> None:
        super().__init__(store, clock)
        self._inbox_changes: list[dict[str, str]] = []
        self._wake = False

    async def _on_enter(self) -> None:
        self.staff = InMemoryStaff(self.store)
        self.assignments = InMemoryAssignments(self.store)
        self.alerts = InMemoryAlerts(self.store)
        self.deliveries = InMemoryDeliveries(self.store, self.clock)
        self.subscriptions = InMemorySubscriptions(self.store)
        self.policies = InMemoryPolicies(self.store)
        self.calendars = InMemoryCalendars(self.store)
        self.partner_feed = InMemoryPartnerFeed(self.store, self.clock)
        self.visits = InMemoryVisits(self.store)
        self.erasures = InMemoryErasureRegister(self.store)
        self._inbox_changes, self._wake = [], False

    @property
    def inbox_notices(self) -> list[dict[str, str]]:
        """Every inbox change told on commit, oldest first: ``{org, staff_id, alert_id, change}``."""
        notices: list[dict[str, str]] = self.store.table("notifications.inbox_notices", list)
        return notices

    @property
    def dispatcher_woken(self) -> int:
        """How many commits woke the dispatcher."""
        return len(self.store.table("notifications.dispatcher_wakes", list))

    def inbox_changed(self, org: str, staff_ids: list[str | None], alert_id: UUID, change: str) -> None:
        for staff_id in dict.fromkeys(s for s in staff_ids if s):
            self._inbox_changes.append({"org": org, "staff_id": staff_id, "alert_id": str(alert_id), "change": change})

    def wake_dispatcher(self) -> None:
        self._wake = True

    async def commit(self, result: Any = None) -> None:
        self._refuse_commit_if_owned()
        self.partner_feed.keep([e for e in (*self._staged, *self._pending) if is_kept(e)])
        changes, wake = self._inbox_changes, self._wake
        self._inbox_changes, self._wake = [], False
        self.inbox_notices.extend(changes)
        if wake:
            self.store.table("notifications.dispatcher_wakes", list).append(True)
        await super().commit(result)

    async def rollback(self) -> None:
        self._inbox_changes, self._wake = [], False
        await super().rollback()


if TYPE_CHECKING:

    def _stands_in_for_the_real_one(uow: FakeNotificationsUnitOfWork) -> NotificationsUnit:
        return uow  # mypy checks the twin against the Protocol the use cases are typed with

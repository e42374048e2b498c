"""What the use cases need of storage, as Protocols.

The SQL repositories (``db/repositories``) and the in-memory twins of the fast test tier
(``forlob_testkit.in_memory.notifications``) both satisfy them; mypy checks both. The contract
tests (``tests/unit/test_*_contract.py``) hold them to the same behaviour."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from forlob_notifications.domain.alerts import Alert
from forlob_notifications.domain.deliveries import Attempt, AttemptOutcome, Channel, Delivery
from forlob_notifications.domain.directory import Assignment, StaffMember
from forlob_notifications.domain.partner_feed import FeedEntry, FeedPage, Pruned
from forlob_notifications.domain.policy import NotificationPolicy
from forlob_notifications.domain.visits import Visit
from forlob_notifications.domain.webhooks import Subscription
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.clock import Clock
from forlob_shared.events import PendingEvent, ProviderCalendarChanged


class StaffStore(Protocol):
    async def upsert(self, member: StaffMember, now: datetime) -> None: ...

    async def get(self, org: str, staff_id: str) -> StaffMember | None: ...

    async def addresses(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]: ...

    async def of_org(self, org: str, role: str | None = None) -> list[StaffMember]: ...


class AssignmentStore(Protocol):
    async def get(self, referral_id: UUID, *, for_update: bool = False, fresh: bool = False) -> Assignment | None: ...

    async def lock(self, referral_id: UUID) -> None: ...

    async def lock_many(self, referral_ids: Collection[UUID]) -> None: ...

    async def save(
        self, assignment: Assignment, *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None: ...

    async def save_many(
        self, assignments: Sequence[Assignment], *, only: Collection[str] | None = None, keep_legal_basis: bool = False
    ) -> None: ...

    async def visible_to(self, org: str, staff_id: str | None, limit: int) -> list[Assignment]: ...


class AlertStore(Protocol):
    async def add(self, alert: Alert) -> bool: ...

    async def get(self, alert_id: UUID, org: str, *, for_update: bool = False) -> Alert | None: ...

    async def by_cause(self, cause_key: str, *, for_update: bool = False) -> Alert | None: ...

    async def unresolved_absences(self, referral_id: UUID, *, occurred_from: datetime) -> list[Alert]: ...

    async def open_by_cause_prefix(self, prefix: str) -> list[Alert]: ...

    async def unassigned(self, referral_id: UUID) -> list[Alert]: ...

    async def unassigned_of(self, referral_ids: Collection[UUID]) -> list[Alert]: ...

    async def inbox(
        self,
        org: str,
        staff_id: str | None,
        *,
        states: list[str] | None,
        kinds: list[str] | None,
        since: datetime | None,
        limit: int,
    ) -> list[Alert]: ...

    async def due(self, now: datetime, limit: int) -> list[Alert]: ...

    async def notice_due(self, now: datetime, limit: int) -> list[Alert]: ...

    async def save(self, alert: Alert) -> None: ...


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for sending and the end of its lease (database time), which names the
    claim: a round's save is accepted only while the delivery is still held under it, so a round
    whose lease ran out and was taken over by another cannot overwrite that round's outcome."""

    delivery: Delivery
    until: datetime


class DeliveryStore(Protocol):
    async def add(self, *deliveries: Delivery) -> None: ...

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[Claimed]: ...

    async def get(self, delivery_id: UUID, org: str | None = None, *, for_update: bool = False) -> Delivery | None: ...

    async def save_claimed_many(self, claims: Sequence[Claimed]) -> set[UUID]: ...

    async def save(self, delivery: Delivery) -> None: ...

    async def record_attempts(
        self, attempts: list[tuple[UUID, int, AttemptOutcome]], attempted_at: datetime
    ) -> None: ...

    async def attempts(self, delivery_ids: list[UUID]) -> dict[UUID, list[Attempt]]: ...

    async def for_alert(self, alert_id: UUID) -> list[Delivery]: ...

    async def search(
        self, org: str, *, channel: str | None, recipient: str | None, state: str | None, limit: int
    ) -> list[Delivery]: ...

    async def pending_for(self, channel: Channel, recipient: str) -> list[Delivery]: ...


class SubscriptionStore(Protocol):
    async def add(self, subscription: Subscription) -> None: ...

    async def get(self, subscription_id: UUID, org: str | None = None) -> Subscription | None: ...

    async def many(self, ids: list[UUID]) -> dict[UUID, Subscription]: ...

    async def of_org(self, org: str) -> list[Subscription]: ...

    async def wanting(self, org: str, event_type: str) -> list[Subscription]: ...

    async def save(self, subscription: Subscription) -> None: ...

    async def delete(self, subscription_id: UUID) -> None: ...

    async def drop_expired_secrets(self, now: datetime) -> int: ...


class PolicyStore(Protocol):
    async def own(self, org: str) -> dict[str, NotificationPolicy]: ...

    async def put(self, org: str, policy: NotificationPolicy, by: str, now: datetime) -> None: ...

    async def delete(self, org: str, legal_basis: str) -> bool: ...


class CalendarStore(Protocol):
    async def record(self, event: ProviderCalendarChanged) -> None: ...

    async def with_closures(self, org: str, calendar: ProviderCalendar) -> ProviderCalendar: ...


class PartnerFeedStore(Protocol):
    """The partner events kept for catch-up; the unit of work writes them when it commits."""

    async def after(self, org: str, cursor: int, limit: int) -> FeedPage: ...

    async def cursor_before(self, org: str, since: datetime) -> int: ...

    async def of_referral(self, org: str, referral_id: UUID) -> list[FeedEntry]: ...

    async def prune(self, older_than: datetime, limit: int) -> int: ...

    async def pruned(self, org: str) -> Pruned | None: ...


class VisitStore(Protocol):
    async def add(self, visit: Visit) -> None: ...

    async def get(self, visit_id: UUID, org: str, *, for_update: bool = False) -> Visit | None: ...

    async def open_of(self, org: str, limit: int) -> list[Visit]: ...

    async def overdue(self, now: datetime, limit: int) -> list[Visit]: ...

    async def save(self, visit: Visit) -> None: ...


class NotificationsUnit(Protocol):
    """The unit of work as the use cases see it: ``async with uow: ...; await uow.commit()``."""

    @property
    def staff(self) -> StaffStore: ...

    @property
    def assignments(self) -> AssignmentStore: ...

    @property
    def alerts(self) -> AlertStore: ...

    @property
    def deliveries(self) -> DeliveryStore: ...

    @property
    def subscriptions(self) -> SubscriptionStore: ...

    @property
    def policies(self) -> PolicyStore: ...

    @property
    def calendars(self) -> CalendarStore: ...

    @property
    def partner_feed(self) -> PartnerFeedStore: ...

    @property
    def visits(self) -> VisitStore: ...

    @property
    def clock(self) -> Clock: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def emit(self, *events: PendingEvent) -> None: ...

    def inbox_changed(self, org: str, staff_ids: list[str | None], alert_id: UUID, change: str) -> None:
        """Tell open inbox streams of these people, once the transaction commits."""

    def wake_dispatcher(self) -> None: ...

    async def commit(self, result: Any = None) -> None:
        """Keep the change; ``result`` is the use case's answer, stored with an Idempotency-Key."""

    async def rollback(self) -> None: ...

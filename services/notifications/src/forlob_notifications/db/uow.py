"""The notifications unit of work: its repositories, and the NOTIFYs that go out on commit."""

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from forlob_notifications.db.repositories import (
    AlertRepository,
    AssignmentRepository,
    CalendarRepository,
    DeliveryRepository,
    PartnerFeedRepository,
    PolicyRepository,
    StaffRepository,
    SubscriptionRepository,
    VisitRepository,
)
from forlob_notifications.db.repositories.partner_feed import Kept
from forlob_notifications.domain.partner_feed import is_kept
from forlob_shared.erasure import SqlErasureRegister
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.http.idempotency import IdempotentUnitOfWork
from forlob_shared.messaging.outbox import Written

# PostgreSQL delivers a NOTIFY only when its transaction commits, so a listener never hears of
# an alert or a delivery that was rolled back; every replica hears it.
INBOX_CHANNEL = "forlob_notifications_inbox"
DELIVERIES_CHANNEL = "forlob_notifications_deliveries"


class NotificationsUnitOfWork(IdempotentUnitOfWork):
    staff: StaffRepository
    assignments: AssignmentRepository
    alerts: AlertRepository
    deliveries: DeliveryRepository
    subscriptions: SubscriptionRepository
    policies: PolicyRepository
    calendars: CalendarRepository
    partner_feed: PartnerFeedRepository
    visits: VisitRepository
    erasures: SqlErasureRegister

    async def _on_enter(self) -> None:
        await super()._on_enter()  # claims the request's Idempotency-Key, if it has one
        self.staff = StaffRepository(self.session)
        self.assignments = AssignmentRepository(self.session)
        self.alerts = AlertRepository(self.session)
        self.deliveries = DeliveryRepository(self.session)
        self.subscriptions = SubscriptionRepository(self.session)
        self.policies = PolicyRepository(self.session)
        self.calendars = CalendarRepository(self.session)
        self.partner_feed = PartnerFeedRepository(self.session)
        self.visits = VisitRepository(self.session)
        self.erasures = SqlErasureRegister(self.session)
        self._feed: list[Kept] = []
        self._inbox_changes: list[str] = []
        self._wake_dispatcher = False

    def inbox_changed(self, org: str, staff_ids: list[str | None], alert_id: UUID, change: str) -> None:
        """Tell open inbox streams of these people, once the transaction commits."""
        for staff_id in dict.fromkeys(s for s in staff_ids if s):
            payload = {"org": org, "staff_id": staff_id, "alert_id": str(alert_id), "change": change}
            self._inbox_changes.append(json.dumps(payload, separators=(",", ":")))

    def wake_dispatcher(self) -> None:
        self._wake_dispatcher = True

    async def _write_events(self, events: Sequence[PendingEvent]) -> Written:
        """The outbox rows, and a note of each partner event among them as the feed keeps it
        (its sequence and time are what its CloudEvent carries)."""
        written = await super()._write_events(events)
        for event, sequence in zip(events, written.sequences, strict=True):
            if is_kept(event):
                self._feed.append(Kept(event, sequence, written.time))
        return written

    async def commit(self, result: Any = None) -> None:
        self._refuse_commit_if_owned()
        # The partner events are kept from the outbox rows this transaction wrote (the exact
        # CloudEvents the feed will carry), so the outbox is written here, ahead of the base
        # class's commit, which then finds nothing left to write.
        events, self._pending = self._pending, []
        await self._write_events(events)
        notifies = [sa.func.pg_notify(INBOX_CHANNEL, payload) for payload in self._inbox_changes]
        if self._wake_dispatcher:
            notifies.append(sa.func.pg_notify(DELIVERIES_CHANNEL, ""))
        if notifies:  # one round trip for all of them
            await self.session.execute(sa.select(*notifies))
        self._inbox_changes, self._wake_dispatcher = [], False
        # Last before the commit: keeping takes the organisations' counter locks, which every
        # other writer of those organisations waits on until this transaction commits.
        feed, self._feed = self._feed, []
        await self.partner_feed.keep(feed)
        await super().commit(result)

    async def rollback(self) -> None:
        self._inbox_changes, self._wake_dispatcher, self._feed = [], False, []
        await super().rollback()

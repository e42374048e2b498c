"""The notifications service's outbound storage in memory: deliveries (with the dispatcher's
lease), webhook subscriptions and the kept partner feed. Part of the notifications fake
(``forlob_testkit.in_memory.notifications``), under the same contract as the SQL repositories.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

from forlob_notifications.application.ports import Claimed
from forlob_notifications.domain.deliveries import Attempt, AttemptOutcome, Channel, Delivery, DeliveryState
from forlob_notifications.domain.partner_feed import FeedEntry, FeedPage, Pruned, entry_of
from forlob_notifications.domain.webhooks import Subscription
from forlob_shared.clock import Clock
from forlob_shared.events.envelope import PendingEvent, encode
from forlob_shared.logging import current_traceparent
from forlob_testkit.fakes import FakeStore


class InMemoryDeliveries:
    """``claim`` leases by the store's database clock (``FakeStore.database_now``), which follows
    the unit of work's clock but never reads the same instant twice, as PostgreSQL's does not: the
    save tells two rounds' claims of one delivery apart by the end of their leases."""

    def __init__(self, store: FakeStore, clock: Clock) -> None:
        self._store = store
        self._rows: dict[UUID, Delivery] = store.table("notifications.deliveries")
        self._claimed_until: dict[UUID, datetime] = store.table("notifications.delivery_claims")
        self._attempts: dict[UUID, list[Attempt]] = store.table("notifications.attempts")
        self._clock = clock

    async def add(self, *deliveries: Delivery) -> None:
        current = current_traceparent()  # as the real one: queued under the current trace context
        for delivery in deliveries:
            self._rows[delivery.id] = replace(deepcopy(delivery), traceparent=delivery.traceparent or current)

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
        lease_now = self._store.database_now(self._clock)
        due = [
            d
            for d in self._rows.values()
            if d.state is DeliveryState.PENDING
            and d.next_attempt_at <= now
            and (d.id not in self._claimed_until or self._claimed_until[d.id] < lease_now)
        ]
        taken = sorted(due, key=lambda d: d.next_attempt_at)[:limit]
        for delivery in taken:
            self._claimed_until[delivery.id] = lease_now + lease
        return [Claimed(deepcopy(d), lease_now + lease) for d in taken]

    async def get(self, delivery_id: UUID, org: str | None = None, *, for_update: bool = False) -> Delivery | None:
        found = self._rows.get(delivery_id)
        if found is None or (org is not None and found.org != org):
            return None
        return deepcopy(found)

    async def save_claimed_many(self, claims: Sequence[Claimed]) -> set[UUID]:
        """As the real one: only what an attempt changes is written, and only while pending and
        still held under the claim given (a re-send by hand is a ``save``, which ends the claim;
        another round's claim, once the lease ran out, ends at another instant)."""
        ids = [c.delivery.id for c in claims]
        if len(set(ids)) != len(ids):
            raise ValueError("a round saves each delivery once")
        saved: set[UUID] = set()
        for claim in sorted(claims, key=lambda c: c.delivery.id):
            delivery = claim.delivery
            current = self._rows.get(delivery.id)
            if (
                current is None
                or current.state is not DeliveryState.PENDING
                or self._claimed_until.get(delivery.id) != claim.until
            ):
                continue
            self._rows[delivery.id] = replace(
                current,
                state=delivery.state,
                attempts=delivery.attempts,
                next_attempt_at=delivery.next_attempt_at,
                delivered_at=delivery.delivered_at,
                last_error=delivery.last_error,
            )
            self._claimed_until.pop(delivery.id, None)
            saved.add(delivery.id)
        return saved

    async def save(self, delivery: Delivery) -> None:
        if delivery.id in self._rows:
            self._rows[delivery.id] = deepcopy(delivery)
            self._claimed_until.pop(delivery.id, None)

    async def record_attempts(self, attempts: list[tuple[UUID, int, AttemptOutcome]], attempted_at: datetime) -> None:
        for delivery_id, number, outcome in attempts:
            self._attempts.setdefault(delivery_id, []).append(
                Attempt(
                    number,
                    attempted_at,
                    outcome.ok,
                    outcome.error_code or None,
                    outcome.status_code,
                    outcome.duration_ms,
                )
            )

    async def attempts(self, delivery_ids: list[UUID]) -> dict[UUID, list[Attempt]]:
        return {i: sorted(self._attempts.get(i, []), key=lambda a: a.number) for i in delivery_ids}

    async def for_alert(self, alert_id: UUID) -> list[Delivery]:
        found = [d for d in self._rows.values() if d.alert_id == alert_id]
        return [deepcopy(d) for d in sorted(found, key=lambda d: d.created_at)]

    async def search(
        self, org: str, *, channel: str | None, recipient: str | None, state: str | None, limit: int
    ) -> list[Delivery]:
        found = [
            d
            for d in self._rows.values()
            if d.org == org
            and (not channel or d.channel.value == channel)
            and (not recipient or d.recipient == recipient)
            and (not state or d.state.value == state)
        ]
        return [deepcopy(d) for d in sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]]

    async def pending_for(self, channel: Channel, recipient: str) -> list[Delivery]:
        return [
            deepcopy(d)
            for d in self._rows.values()
            if d.channel is channel and d.recipient == recipient and d.state is DeliveryState.PENDING
        ]


class InMemorySubscriptions:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, Subscription] = store.table("notifications.subscriptions")

    async def add(self, subscription: Subscription) -> None:
        self._rows[subscription.id] = deepcopy(subscription)

    async def get(self, subscription_id: UUID, org: str | None = None) -> Subscription | None:
        found = self._rows.get(subscription_id)
        if found is None or (org is not None and found.org != org):
            return None
        return deepcopy(found)

    async def many(self, ids: list[UUID]) -> dict[UUID, Subscription]:
        return {i: deepcopy(self._rows[i]) for i in ids if i in self._rows}

    async def of_org(self, org: str) -> list[Subscription]:
        found = [s for s in self._rows.values() if s.org == org]
        return [deepcopy(s) for s in sorted(found, key=lambda s: s.created_at)]

    async def wanting(self, org: str, event_type: str) -> list[Subscription]:
        return [deepcopy(s) for s in self._rows.values() if s.org == org and s.enabled and event_type in s.event_types]

    async def save(self, subscription: Subscription) -> None:
        if subscription.id in self._rows:
            self._rows[subscription.id] = deepcopy(subscription)

    async def delete(self, subscription_id: UUID) -> None:
        self._rows.pop(subscription_id, None)

    async def drop_expired_secrets(self, now: datetime) -> int:
        dropped = 0
        for subscription in self._rows.values():
            expires = subscription.previous_secret_expires_at
            if expires is not None and expires <= now:
                subscription.previous_secret = None
                subscription.previous_secret_expires_at = None
                dropped += 1
        return dropped


class InMemoryPartnerFeed:
    """The kept partner feed. The fake has no outbox, so :meth:`keep` does what the outbox and
    the SQL repository do together: it numbers each event in its referral's series (the
    ``sequence``), stamps it with the clock, encodes the CloudEvent as the outbox does, and
    numbers it in its organisation's series (the cursor)."""

    SOURCE = "forlob/notifications"

    def __init__(self, store: FakeStore, clock: Clock) -> None:
        self._rows: list[FeedEntry] = store.table("notifications.partner_feed", list)
        self._sequences: dict[tuple[str, str], int] = store.table("notifications.partner_sequences")
        self._cursors: dict[str, int] = store.table("notifications.partner_feed_cursors")
        self._pruned: dict[str, Pruned] = store.table("notifications.partner_feed_pruned")
        self._clock = clock

    def keep(self, events: Sequence[PendingEvent]) -> None:
        now = self._clock.now()
        for event in events:
            key = (event.aggregate_type, event.subject)
            self._sequences[key] = self._sequences.get(key, 0) + 1
            org = event.referring_org or ""
            self._cursors[org] = self._cursors.get(org, 0) + 1
            body = encode(event, source=self.SOURCE, sequence=self._sequences[key], time=now)
            self._rows.append(entry_of(org, self._cursors[org], body))

    async def after(self, org: str, cursor: int, limit: int) -> FeedPage:
        found = [e for e in self._rows if e.org == org and e.cursor > cursor]
        found.sort(key=lambda e: e.cursor)
        page = found[:limit]
        return FeedPage(events=page, next=page[-1].cursor if page else cursor, has_more=len(found) > limit)

    async def cursor_before(self, org: str, since: datetime) -> int:
        own = [e for e in self._rows if e.org == org]
        later = [e.cursor for e in own if e.time >= since]
        if later:
            return min(later) - 1
        return max((e.cursor for e in own), default=0)

    async def of_referral(self, org: str, referral_id: UUID) -> list[FeedEntry]:
        return sorted((e for e in self._rows if e.org == org and e.subject == str(referral_id)), key=lambda e: e.cursor)

    async def prune(self, older_than: datetime, limit: int) -> int:
        newest: dict[tuple[str, str], datetime] = {}
        for entry in self._rows:
            key = (entry.org, entry.subject)
            newest[key] = max(newest.get(key, entry.time), entry.time)
        stale = {key for key, time in sorted(newest.items()) if time < older_than}
        stale = set(sorted(stale)[:limit])
        gone = [e for e in self._rows if (e.org, e.subject) in stale]
        self._rows[:] = [e for e in self._rows if (e.org, e.subject) not in stale]
        for entry in gone:
            told = self._pruned.get(entry.org) or Pruned(entry.cursor, entry.time)
            self._pruned[entry.org] = told.widened(entry.cursor, entry.time)
        return len(gone)

    async def pruned(self, org: str) -> Pruned | None:
        return self._pruned.get(org)

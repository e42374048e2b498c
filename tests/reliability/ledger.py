"""The reliability ledger: after a fault has healed and the load has settled, what was lost,
duplicated, unexpected and recovered, as RabbitMQ's Jepsen tests count a quorum queue's messages.

Read straight from the services' databases and from the outside world's stand-ins:

- **events**: every row of each service's outbox (and outbox archive) is a published event; each
  consuming purpose (``<service>.<purpose>``, the inbox key) must have processed, in its inbox,
  every published event whose routing key it subscribes to. ``lost`` = published but never
  processed; ``duplicated`` = processed twice by one consumer (the inbox key forbids it, so this
  counts what would slip past it); ``unexpected`` = processed but never published (nor of a type
  the consumer takes); ``recovered`` = published before the fault healed and processed after it
  began, i.e. carried across the fault. ``back after`` is the longest any consumer took, from the
  heal, to process its next event.
- **effects**: alert rows, one per (kind, recipient, participant, day); e-mails at the SMTP sink,
  one per e-mail delivery, and one e-mail delivery per (alert, recipient); webhook calls, one per
  (event type, referral or participant), however often the same ``webhook-id`` was re-sent; the
  sweep's ``absence.detected`` events, one per (participant, day); and the load driver's
  expectations (every missed arrival alerted, every unexplained one escalated, every breach told,
  every course ended).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from forlob_attendance.application.summaries import last_complete_sunday
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.courses import CASEWORKER, CONTACT_PERSON, TEAM_LEADER, Expected
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.processes import SERVICES, System

LOCAL = ZoneInfo("Europe/Copenhagen")
# What the jobcentre's webhook subscription takes in every reliability test.
WEBHOOK_TYPES = ["referral.accepted", "programme.started", "attendance.agreement_breached", "programme.ended"]


def consumer_queues() -> dict[str, set[str]]:
    """Consumer queue (without prefix: ``<service>.<purpose>``) → the routing keys bound to it.
    The inbox keys consumers by the same name."""
    return _subscriptions()


def _subscriptions() -> dict[str, set[str]]:
    """Consumer (inbox key) → the routing keys it takes, from the services' own specs."""
    found = {}
    for service in SERVICES:
        for subscription in (spec := import_module(f"forlob_{service}.main").spec()).subscriptions_for(
            spec.settings_cls()
        ):
            found[f"{service}.{subscription.purpose}"] = set(subscription.routing_keys)
    return found


@dataclass
class FaultWindow:
    """When the fault began and when it was healed (wall clock: the database stamps rows so)."""

    name: str
    began: datetime | None = None
    healed: datetime | None = None

    def begin(self) -> None:
        self.began = self.began or datetime.now(UTC)

    def heal(self) -> None:
        self.healed = datetime.now(UTC)


@dataclass
class Count:
    total: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    resent: int = 0  # the same e-mail (Message-ID) or webhook call (webhook-id) received again
    examples: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.lost == self.duplicated == self.unexpected == 0

    def note(self, kind: str, items: Iterable[Any]) -> int:
        items = list(items)
        self.examples += [f"{kind}: {item}" for item in items[:3]]
        return len(items)


@dataclass
class Report:
    name: str
    events: int
    deliveries: int
    processed: int
    recovered: int
    back_after: float | None
    published_after_heal: int
    event_count: Count
    effects: dict[str, Count]

    @property
    def clean(self) -> bool:
        return self.event_count.clean and all(c.clean for c in self.effects.values())

    def line(self) -> str:
        c = self.event_count
        effects = " | ".join(
            f"{name} {e.total:,} lost {e.lost} dup {e.duplicated} unexpected {e.unexpected}"
            + (f" resent {e.resent}" if name in ("e-mails", "webhooks") else "")
            for name, e in self.effects.items()
        )
        back = f"{self.back_after:.1f} s" if self.back_after is not None else "-"
        return (
            f"{self.name}: events {self.events:,} deliveries {self.deliveries:,} processed {self.processed:,} "
            f"lost {c.lost} duplicated {c.duplicated} unexpected {c.unexpected} recovered {self.recovered:,} "
            f"(consumers back after {back}) | {effects}"
        )

    def problems(self) -> list[str]:
        return [f"events {e}" for e in self.event_count.examples] + [
            f"{name} {e}" for name, c in self.effects.items() for e in c.examples
        ]


async def _fetch(url: str, query: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_postgres_url(url))
    try:
        return list(await conn.fetch(query))
    finally:
        await conn.close()


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL).date() if moment else None


class Ledger:
    def __init__(
        self,
        system: System,
        window: FaultWindow,
        *,
        expected: Expected,
        smtp: SmtpSink,
        webhooks: WebhookReceiver,
        today: Callable[[], date | None] = lambda: None,
    ) -> None:
        self.system = system
        self.today = today
        self.window = window
        self.expected = expected
        self.smtp = smtp
        self.webhooks = webhooks
        self.subscriptions = _subscriptions()

    # -- reading ----------------------------------------------------------------------------------

    async def _outbox(self) -> list[asyncpg.Record]:
        rows = []
        for service, url in self.system.databases.items():
            rows += await _fetch(
                url,
                f"SELECT '{service}' AS service, event_id::text AS event_id, routing_key, created_at, sent_at, body "
                "FROM outbox UNION ALL "
                f"SELECT '{service}', event_id::text, routing_key, created_at, NULL, body FROM outbox_archive",
            )
        return rows

    async def _inbox(self) -> list[asyncpg.Record]:
        rows = []
        for url in self.system.databases.values():
            rows += await _fetch(url, "SELECT consumer, event_id::text AS event_id, processed_at FROM inbox")
        return rows

    async def settled(self) -> bool:
        """Every event published and processed by every consumer that takes it, and every
        e-mail and webhook delivery made: the load has settled."""
        outbox, inbox = await self._outbox(), await self._inbox()
        if any(r["sent_at"] is None for r in outbox):
            return False
        done = {(r["consumer"], r["event_id"]) for r in inbox}
        for consumer, keys in self.subscriptions.items():
            if any(r["routing_key"] in keys and (consumer, r["event_id"]) not in done for r in outbox):
                return False
        pending = await _fetch(
            self.system.databases["notifications"], "SELECT count(*) AS n FROM deliveries WHERE state = 'pending'"
        )
        return bool(pending[0]["n"] == 0) and await self._weeks_summarised()

    async def _weeks_summarised(self) -> bool:
        """Attendance's periodic work has summarised every course week the clock has ended. The
        load moves the clock to the next working day last; the week summaries that move makes due
        come at the job's next tick, after every other event may have been processed: without
        this the count could be read between the summaries' writing and their processing."""
        today = self.today()
        if today is None:
            return True
        # as the job's query (due_for_summary): a week ended by the bound, or the course's end
        due = await _fetch(
            self.system.databases["attendance"],
            "SELECT count(*) AS n FROM courses WHERE coalesce(summarised_through, start_date - 1)"
            f" < least(end_date, DATE '{last_complete_sunday(today).isoformat()}')",
        )
        return bool(due[0]["n"] == 0)

    # -- counting ---------------------------------------------------------------------------------

    async def report(self) -> Report:
        outbox, inbox = await self._outbox(), await self._inbox()
        published: dict[str, asyncpg.Record] = {r["event_id"]: r for r in outbox}
        counted = Count()
        deliveries = processed = recovered = 0
        back_after: float | None = None
        seen = Counter((r["consumer"], r["event_id"]) for r in inbox)
        counted.duplicated = counted.note("processed twice", [k for k, n in seen.items() if n > 1])
        for consumer, keys in self.subscriptions.items():
            wanted = {e for e, r in published.items() if r["routing_key"] in keys}
            mine = {r["event_id"]: r["processed_at"] for r in inbox if r["consumer"] == consumer}
            deliveries += len(wanted)
            processed += len(wanted & mine.keys())
            counted.lost += counted.note(
                f"{consumer} never processed", [f"{published[e]['routing_key']} {e}" for e in wanted - mine.keys()]
            )
            counted.unexpected += counted.note(
                f"{consumer} processed unpublished",
                # an event published under a key the consumer does not take names that key
                [f"{published[e]['routing_key']} {e}" if e in published else e for e in mine.keys() - wanted],
            )
            if self.window.began is not None:
                healed = self.window.healed or datetime.now(UTC)
                recovered += sum(
                    1
                    for e in wanted & mine.keys()
                    if published[e]["created_at"] <= healed and mine[e] >= self.window.began
                )
                after = [at for at in mine.values() if at >= healed]
                if after:
                    back = (min(after) - healed).total_seconds()
                    back_after = max(back_after or 0.0, back)
        counted.total = processed
        healed_at = self.window.healed or datetime.now(UTC)
        # Only events some consumer takes: partner events (partner.*) go to partners' queues alone.
        consumed = set().union(*self.subscriptions.values())
        after_heal = sum(1 for r in outbox if r["created_at"] > healed_at and r["routing_key"] in consumed)
        effects = {
            "alerts": await self._alerts(),
            "sweep": self._sweep(outbox),
            "e-mails": await self._emails(),
            "webhooks": await self._webhooks(),
            "courses": await self._courses(),
        }
        return Report(
            self.window.name, len(published), deliveries, processed, recovered, back_after, after_heal, counted, effects
        )

    async def _alerts(self) -> Count:
        """Alert rows against the driver: one absence alert per missed arrival (late or absent),
        escalated iff nobody came, one breach per participant who never came; and no two alerts
        of a kind for one recipient, participant and day."""
        rows = await _fetch(
            self.system.databases["notifications"],
            "SELECT kind, recipient_staff_id, participant_id::text AS participant, occurred_at, escalated_to, "
            "facts->>'rule' AS rule FROM alerts",
        )
        count = Count(total=len(rows))
        # A breach is told once per rule it broke (three days absent break two: in a row, and in the window).
        keys = Counter(
            (r["kind"], r["recipient_staff_id"], r["participant"], _local_day(r["occurred_at"]), r["rule"])
            for r in rows
        )
        count.duplicated = count.note("alert twice", [k for k, n in keys.items() if n > 1])
        absences = {
            (r["participant"], _local_day(r["occurred_at"]))
            for r in rows
            if r["kind"] == "absence" and r["recipient_staff_id"] == CONTACT_PERSON
        }
        escalated = {
            (r["participant"], _local_day(r["occurred_at"]))
            for r in rows
            if r["kind"] == "absence" and r["escalated_to"] == TEAM_LEADER
        }
        breaches = {r["participant"] for r in rows if r["kind"] == "breach" and r["recipient_staff_id"] == CASEWORKER}
        for what, actual, wanted in (
            ("absence alert", absences, self.expected.detected),
            ("escalation", escalated, self.expected.escalated),
            ("breach", breaches, self.expected.breached),
        ):
            count.lost += count.note(f"no {what}", wanted - actual)
            count.unexpected += count.note(f"{what} not expected", actual - wanted)
        return count

    def _sweep(self, outbox: list[asyncpg.Record]) -> Count:
        """The sweep's ``absence.detected`` events: one per missed arrival, however many replicas swept."""
        detected: Counter[tuple[str, date]] = Counter()
        for row in outbox:
            if row["routing_key"] == "absence.detected.v1":
                data = json.loads(row["body"])["data"]
                detected[(data["participant_id"], date.fromisoformat(data["day"]))] += 1
        count = Count(total=sum(detected.values()))
        count.duplicated = count.note("detected twice", [k for k, n in detected.items() if n > 1])
        count.lost = count.note("never detected", self.expected.detected - detected.keys())
        count.unexpected = count.note("detected, not missed", detected.keys() - self.expected.detected)
        return count

    async def _emails(self) -> Count:
        """E-mails at the SMTP sink against the e-mail deliveries: one mail per delivery (its
        Message-ID), one delivery per (alert, recipient), and one to each alert's recipient and
        each escalation's team leader. The same Message-ID received again is a re-send (SMTP
        cannot be exactly-once across a crash between sending and recording), counted apart:
        ``resent``, as the webhook calls re-sent with one ``webhook-id`` are."""
        rows = await _fetch(
            self.system.databases["notifications"],
            "SELECT id::text AS id, recipient, alert_id::text AS alert_id FROM deliveries WHERE channel = 'email'",
        )
        alerts = await _fetch(
            self.system.databases["notifications"],
            "SELECT id::text AS id, recipient_staff_id, escalated_to FROM alerts",
        )
        mails = Counter(str(m.message["Message-ID"]).strip("<>").partition("@")[0] for m in self.smtp.messages)
        count = Count(total=len(mails))
        per_alert = Counter((r["alert_id"], r["recipient"]) for r in rows)
        count.duplicated = count.note(
            "two deliveries for one alert and recipient", [k for k, n in per_alert.items() if n > 1]
        )
        count.resent = sum(n - 1 for n in mails.values())
        count.note("mail sent again", [k for k, n in mails.items() if n > 1])
        ids = {r["id"] for r in rows}
        wanted = {(a["id"], a["recipient_staff_id"]) for a in alerts} | {
            (a["id"], a["escalated_to"]) for a in alerts if a["escalated_to"]
        }
        count.lost = count.note("delivery never mailed", ids - mails.keys()) + count.note(
            "alert recipient never e-mailed", wanted - per_alert.keys()
        )
        count.unexpected = count.note("mail of no delivery", mails.keys() - ids)
        return count

    async def _webhooks(self) -> Count:
        """The jobcentre's webhook calls: each (type, referral or participant) once, whatever
        the re-sends of one ``webhook-id``; and every webhook delivery row called."""
        rows = await _fetch(
            self.system.databases["notifications"],
            "SELECT id::text AS id FROM deliveries WHERE channel = 'webhook'",
        )
        courses = set(self.expected.courses)
        wanted = (
            {("referral.accepted", r) for r in courses}
            | {("programme.started", r) for r in courses}
            | {("programme.ended", r) for r in self.expected.ended}
            | {("attendance.agreement_breached", p) for p in self.expected.breached}
        )
        keys: Counter[tuple[str, str]] = Counter()
        rules: Counter[tuple[str, str]] = Counter()
        for payload in self.webhooks.accepted.values():
            data = payload["data"]
            if payload["type"] == "attendance.agreement_breached":  # one per rule broken (partner contract)
                keys[(payload["type"], str(data["participant_id"]))] += 0
                rules[(str(data["participant_id"]), str(data["rule"]))] += 1
            else:
                keys[(payload["type"], str(data.get("referral_id")))] += 1
        count = Count(total=len(self.webhooks.accepted))
        count.resent = sum(1 for r in self.webhooks.requests if r["verified"]) - len(self.webhooks.accepted)
        count.duplicated = count.note("called twice", [k for k, n in (keys + rules).items() if n > 1])
        count.lost = count.note("never called", wanted - keys.keys()) + count.note(
            "delivery never called", {r["id"] for r in rows} - self.webhooks.accepted.keys()
        )
        count.unexpected = count.note("not expected", keys.keys() - wanted) + self.webhooks.refused
        return count

    async def _courses(self) -> Count:
        """The referral service's courses against the driver: every one started, the ended ended."""
        rows = await _fetch(self.system.databases["referral"], "SELECT id::text AS id, state FROM referrals")
        states = {r["id"]: r["state"] for r in rows}
        count = Count(total=len(rows))
        ended = {rid for rid, state in states.items() if state == "ended"}
        count.lost = count.note("course not ended", self.expected.ended - ended)
        count.unexpected = count.note("course not driven", states.keys() - self.expected.courses.keys())
        return count

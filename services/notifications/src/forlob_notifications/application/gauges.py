"""What operators watch: open and overdue alerts, and deliveries still waiting.

/metrics answers anyone who can reach the port, without a token, so the gauges name no
organisation: they are totals, plus how many organisations have an overdue alert (one
organisation's unread inbox, or everyone's escalation stuck?). Which ones is a query on the
database (docs/operations.md#alerts-overdue). The per-organisation counts stay in
:class:`AlertCounts` for the code that needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Gauge

from forlob_notifications.db.gauges import open_alerts_by_org, pending_deliveries_by_channel
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.runtime import NotificationsRuntime

ALERTS_OPEN = Gauge("forlob_alerts_open", "Alerts nobody has acknowledged or closed yet (all organisations)")
ALERTS_OVERDUE = Gauge(
    "forlob_alerts_overdue", "Open alerts past the time they should have escalated (all organisations)"
)
ORGS_OVERDUE = Gauge("forlob_alerts_overdue_organisations", "Organisations with at least one overdue alert")
DELIVERIES_PENDING = Gauge("forlob_deliveries_pending", "E-mails and webhook calls waiting to be sent", ["channel"])


@dataclass(frozen=True)
class AlertCounts:
    open: dict[str, int]
    overdue: dict[str, int]
    pending: dict[str, int]


async def count_alerts(uow: NotificationsUnitOfWork, now: datetime) -> AlertCounts:
    async with uow:
        open_rows = await open_alerts_by_org(uow.session, now)
        pending = await pending_deliveries_by_channel(uow.session)
    return AlertCounts(
        open={org: n for org, n, _ in open_rows},
        overdue={org: late for org, _, late in open_rows},
        pending=pending,
    )


async def update_gauges(runtime: NotificationsRuntime, now: datetime) -> AlertCounts:
    """The periodic job: count, then set the gauges."""
    counts = await count_alerts(runtime.uow(), now)
    ALERTS_OPEN.set(sum(counts.open.values()))
    ALERTS_OVERDUE.set(sum(counts.overdue.values()))
    ORGS_OVERDUE.set(sum(1 for n in counts.overdue.values() if n))
    for channel, value in counts.pending.items():
        DELIVERIES_PENDING.labels(channel).set(value)
    return counts

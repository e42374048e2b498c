"""What operators watch: open and overdue alerts, and deliveries still waiting, per organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from prometheus_client import Gauge

from forlob_notifications.db.models import AlertRow, DeliveryRow
from forlob_notifications.db.uow import NotificationsUnitOfWork

ALERTS_OPEN = Gauge("forlob_alerts_open", "Alerts nobody has acknowledged or closed yet", ["org"])
ALERTS_OVERDUE = Gauge("forlob_alerts_overdue", "Open alerts past the time they should have escalated", ["org"])
DELIVERIES_PENDING = Gauge("forlob_deliveries_pending", "E-mails and webhook calls waiting to be sent", ["channel"])


@dataclass(frozen=True)
class AlertCounts:
    open: dict[str, int]
    overdue: dict[str, int]
    pending: dict[str, int]


async def count_alerts(uow: NotificationsUnitOfWork, now: datetime) -> AlertCounts:
    a, d = AlertRow, DeliveryRow
    async with uow:
        open_rows = (
            await uow.session.execute(
                sa.select(a.org, sa.func.count(), sa.func.count().filter(a.due_at < now))
                .where(a.state == "open")
                .group_by(a.org)
            )
        ).all()
        pending_rows = (
            await uow.session.execute(
                sa.select(d.channel, sa.func.count()).where(d.state == "pending").group_by(d.channel)
            )
        ).all()
    return AlertCounts(
        open={org: int(n) for org, n, _ in open_rows},
        overdue={org: int(late) for org, _, late in open_rows},
        pending={channel: int(n) for channel, n in pending_rows},
    )


async def update_gauges(runtime: Any, now: datetime) -> AlertCounts:
    """The periodic job: count, then set the gauges (an organisation with none goes to 0)."""
    counts = await count_alerts(runtime.uow(), now)
    for gauge, values in ((ALERTS_OPEN, counts.open), (ALERTS_OVERDUE, counts.overdue)):
        for labels in list(gauge._metrics):  # organisations seen before and now at zero
            if labels[0] not in values:
                gauge.labels(*labels).set(0)
        for org, value in values.items():
            gauge.labels(org).set(value)
    for channel, value in counts.pending.items():
        DELIVERIES_PENDING.labels(channel).set(value)
    return counts

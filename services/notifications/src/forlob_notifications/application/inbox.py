"""What people do with their alerts: read the inbox, open one, acknowledge it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.alerts import Alert, AlertKind, AlertState
from forlob_notifications.domain.deliveries import Delivery
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.http.auth import Principal


async def acknowledge(uow: NotificationsUnit, person: Principal, alert_id: UUID, note: str | None = None) -> Alert:
    async with uow:
        alert = await uow.alerts.get(alert_id, person.org, for_update=True)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        event = alert.acknowledge(person.staff_id, uow.clock.now(), note)
        if event is not None:
            await uow.alerts.save(alert)
            uow.emit(event)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "acknowledged")
            await uow.commit(alert)
    return alert


@dataclass(frozen=True)
class InboxQuery:
    states: list[str] | None = None
    kinds: list[str] | None = None
    since: datetime | None = None
    everyone: bool = False  # the whole organisation's alerts (team leaders and coordinators)
    limit: int = 100

    def __post_init__(self) -> None:
        bad_states = set(self.states or []) - {s.value for s in AlertState}
        bad_kinds = set(self.kinds or []) - {k.value for k in AlertKind}
        if bad_states or bad_kinds:
            raise InvalidInput(
                f"unknown filter value(s): {', '.join(sorted(bad_states | bad_kinds))}",
                states=[s.value for s in AlertState],
                kinds=[k.value for k in AlertKind],
            )


async def inbox(uow: NotificationsUnit, person: Principal, query: InboxQuery) -> list[Alert]:
    if query.everyone:
        person.require("team_leader", "coordinator", "admin")
    async with uow:
        return await uow.alerts.inbox(
            person.org,
            None if query.everyone else person.staff_id,
            states=query.states,
            kinds=query.kinds,
            since=query.since,
            limit=query.limit,
        )


async def get_alert_only(uow: NotificationsUnit, person: Principal, alert_id: UUID) -> Alert:
    async with uow:
        alert = await uow.alerts.get(alert_id, person.org)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


@dataclass(frozen=True)
class ShownAlert:
    alert: Alert
    deliveries: list[Delivery]
    timezone: str | None  # the course's zone, its local times shown in it; None: not known here


async def show_alert(uow: NotificationsUnit, person: Principal, alert_id: UUID) -> ShownAlert:
    async with uow:
        alert = await uow.alerts.get(alert_id, person.org)
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        deliveries = await uow.deliveries.for_alert(alert.id)
        course = await uow.assignments.get(alert.referral_id) if alert.referral_id else None
        return ShownAlert(alert, deliveries, (course.timezone or None) if course else None)


async def get_alert(uow: NotificationsUnit, person: Principal, alert_id: UUID) -> tuple[Alert, list[Delivery]]:
    shown = await show_alert(uow, person, alert_id)
    return shown.alert, shown.deliveries

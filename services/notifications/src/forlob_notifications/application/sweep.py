"""The rules that run on time (the sweep): visits not ended in time, escalation to the team
leader, and the notice to the referring organisation of absences still unexplained at the
policy's deadline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from forlob_notifications.application.notices import send_notice
from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import email_to
from forlob_notifications.application.visits import raise_overdue_visits
from forlob_notifications.domain.alerts import Alert, AlertKind


@dataclass(frozen=True)
class SweepResult:
    escalated: int = 0
    unescalatable: int = 0
    notices: int = 0
    visits_overdue: int = 0


async def escalate_due(uow: NotificationsUnit, options: Options, now: datetime) -> SweepResult:
    """Escalate every open alert past its due time to the team leader (one batch, one transaction)."""
    escalated = unescalatable = 0
    async with uow:
        for alert in await uow.alerts.due(now, options.batch_size):
            leader = await _team_leader(uow, alert)
            if leader is None:
                alert.give_up_escalation()  # stays open in the inbox; nobody above to tell
                unescalatable += 1
            else:
                uow.emit(alert.escalate(leader, now))
                deliveries = await email_to(uow, options, alert, leader, now, escalated=True)
                await uow.deliveries.add(*deliveries)
                if deliveries:
                    uow.wake_dispatcher()
                uow.inbox_changed(alert.org, [alert.recipient_staff_id, leader], alert.id, "escalated")
                escalated += 1
            await uow.alerts.save(alert)
        await uow.commit()
    return SweepResult(escalated=escalated, unescalatable=unescalatable)


async def _team_leader(uow: NotificationsUnit, alert: Alert) -> str | None:
    if alert.referral_id is not None:
        assignment = await uow.assignments.get(alert.referral_id)
        if assignment is not None and assignment.team_leader_id:
            return assignment.team_leader_id
    member = await uow.staff.get(alert.org, alert.recipient_staff_id)
    leader = member.team_leader_id if member else None
    if alert.kind is AlertKind.VISIT_OVERDUE and leader in (None, alert.recipient_staff_id):
        return await _someone_above(uow, alert)
    return leader


async def _someone_above(uow: NotificationsUnit, alert: Alert) -> str | None:
    """A visit's alert nobody acknowledged, for a team leader without a leader of their own (or
    nobody at all): another team leader, else a coordinator, of the organisation. A person out
    on a visit is not left with an alert that stops looking for someone."""
    visitor = alert.facts.get("visit_staff_id")
    for role in ("team_leader", "coordinator"):
        for member in await uow.staff.of_org(alert.org, role):
            if member.active and member.staff_id not in (alert.recipient_staff_id, visitor):
                return member.staff_id
    return None


async def send_due_notices(uow: NotificationsUnit, options: Options, now: datetime) -> SweepResult:
    """Absences still unexplained at the policy's deadline → told to the referring organisation."""
    notices = 0
    async with uow:
        for absence in await uow.alerts.notice_due(now, options.batch_size):
            await send_notice(uow, options, absence, now)
            await uow.alerts.save(absence)
            notices += 1
        await uow.commit()
    return SweepResult(notices=notices)


async def run_due_rules(uow_factory: Callable[[], NotificationsUnit], options: Options, now: datetime) -> SweepResult:
    """One sweep of the time-driven rules; the periodic task calls it, and so do tests."""
    visits = await raise_overdue_visits(uow_factory(), options, now)
    escalations = await escalate_due(uow_factory(), options, now)
    notices = await send_due_notices(uow_factory(), options, now)
    return SweepResult(escalations.escalated, escalations.unescalatable, notices.notices, visits)

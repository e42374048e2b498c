"""Safety on visits: starting and ending one, the open ones, and the sweep that finds a visit not
ended in time and alerts the team leader and the colleague along.

An overdue visit's alerts are ordinary alerts: one per recipient (the cause is unique, so a
second sweep or another replica raises none), in the inbox and by e-mail, escalating when nobody
acknowledges (``sweep.escalate_due``). Nobody to alert (no team leader linked, none in the org,
no colleague): the alert is raised unassigned and shows in the organisation's inbox, and its
escalation looks for a coordinator; it never vanishes. Ending the visit closes them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import raise_alert
from forlob_notifications.domain.alerts import UNASSIGNED, VISIT_ENDED, Alert, AlertKind, new_alert_id
from forlob_notifications.domain.visits import Visit, start_visit, visit_alert_cause, visit_alert_prefix
from forlob_shared.errors import Forbidden, NotFound
from forlob_shared.events.visits import VisitKind
from forlob_shared.http.auth import Principal
from forlob_shared.logging import get_logger

log = get_logger("forlob.notifications.visits")

# Who sets out on visits (the people who meet citizens), and who oversees everyone's.
VISITOR_ROLES = ("contact_person", "workshop_lead", "specialist", "caseworker", "team_leader", "coordinator")
OVERSEER_ROLES = frozenset({"team_leader", "coordinator", "admin"})


@dataclass(frozen=True)
class VisitPlan:
    kind: VisitKind
    planned_end: datetime
    colleague_id: str | None = None


async def start(uow: NotificationsUnit, options: Options, person: Principal, plan: VisitPlan) -> Visit:
    async with uow:
        visit = start_visit(
            org=person.org,
            staff_id=person.staff_id,
            kind=plan.kind,
            planned_end=plan.planned_end,
            colleague_id=plan.colleague_id,
            now=uow.clock.now(),
            grace=options.visit_grace,
        )
        await uow.visits.add(visit)
        uow.emit(visit.started())
        await uow.commit(visit)
    return visit


def _may_touch(person: Principal, visit: Visit) -> bool:
    return person.staff_id in (visit.staff_id, visit.colleague_id) or bool(person.roles & OVERSEER_ROLES)


async def end(uow: NotificationsUnit, person: Principal, visit_id: UUID) -> Visit:
    """End a visit (the visitor, the colleague along or a team leader); ending it again changes
    nothing and answers the same. Its overdue alerts close."""
    async with uow:
        visit = await uow.visits.get(visit_id, person.org, for_update=True)
        if visit is None:
            raise NotFound(f"no visit {visit_id}")
        if not _may_touch(person, visit):
            raise Forbidden("only the visitor, the colleague along or a team leader ends a visit")
        now = uow.clock.now()
        ended = visit.end(person.staff_id, now)
        if ended is None:
            return visit
        await uow.visits.save(visit)
        uow.emit(ended)
        await close_visit_alerts(uow, visit, now)
        await uow.commit(visit)
    return visit


async def close_visit_alerts(uow: NotificationsUnit, visit: Visit, now: datetime) -> int:
    closed = 0
    for alert in await uow.alerts.open_by_cause_prefix(visit_alert_prefix(visit.id)):
        closing = alert.close(VISIT_ENDED, now)
        if closing is not None:
            await uow.alerts.save(alert)
            uow.emit(closing)
            uow.inbox_changed(alert.org, [alert.recipient_staff_id, alert.escalated_to], alert.id, "closed")
            closed += 1
    return closed


async def get(uow: NotificationsUnit, person: Principal, visit_id: UUID) -> Visit:
    async with uow:
        visit = await uow.visits.get(visit_id, person.org)
        if visit is None or not (_may_touch(person, visit) or visit.staff_id in await _team_of(uow, person)):
            raise NotFound(f"no visit {visit_id}")
    return visit


async def open_visits(uow: NotificationsUnit, person: Principal, limit: int = 200) -> list[Visit]:
    """The organisation's open visits the person looks out for: all of them for a team leader or
    coordinator; else their own, those they are along on, and their team's (the same team leader)."""
    async with uow:
        visits = await uow.visits.open_of(person.org, limit)
        if person.roles & OVERSEER_ROLES:
            return visits
        team = await _team_of(uow, person)
    return [v for v in visits if person.staff_id in (v.staff_id, v.colleague_id) or v.staff_id in team]


async def _team_of(uow: NotificationsUnit, person: Principal) -> set[str]:
    me = await uow.staff.get(person.org, person.staff_id)
    if me is None or not me.team_leader_id:
        return set()
    return {m.staff_id for m in await uow.staff.of_org(person.org) if m.team_leader_id == me.team_leader_id}


# -- the sweep ---------------------------------------------------------------------------------


async def team_leaders_for(uow: NotificationsUnit, org: str, staff_id: str) -> list[str]:
    """Who leads the visitor: their own team leader in the directory; without one, the
    organisation's active team leaders (never the visitor)."""
    member = await uow.staff.get(org, staff_id)
    if member is not None and member.team_leader_id:
        return [member.team_leader_id]
    leaders = await uow.staff.of_org(org, "team_leader")
    return [m.staff_id for m in leaders if m.active and m.staff_id != staff_id]


def _overdue_alert(visit: Visit, recipient: str, cause: UUID, now: datetime, options: Options) -> Alert:
    return Alert(
        id=new_alert_id(),
        org=visit.org,
        kind=AlertKind.VISIT_OVERDUE,
        cause_key=visit_alert_cause(visit.id, recipient),
        cause_event_id=cause,
        recipient_staff_id=recipient,
        provider_org=visit.org,
        occurred_at=visit.planned_end,
        raised_at=now,
        # Safety does not keep office hours: wall-clock minutes, not working minutes.
        due_at=now + options.visit_escalation,
        facts={
            "visit_id": str(visit.id),
            "visit_staff_id": visit.staff_id,
            "visit_kind": visit.kind.value,
            "planned_end": visit.planned_end.isoformat(),
        },
    )


async def raise_overdue_visits(uow: NotificationsUnit, options: Options, now: datetime) -> int:
    """Every visit past its planned end plus grace → ``visit.overdue.v1`` and the alerts (one batch,
    one transaction; another replica skips the visits locked here, and finds them marked)."""
    found = 0
    async with uow:
        for visit in await uow.visits.overdue(now, options.batch_size):
            overdue = visit.mark_overdue(now)
            uow.emit(overdue)
            recipients = await team_leaders_for(uow, visit.org, visit.staff_id)
            if visit.colleague_id and visit.colleague_id not in recipients:
                recipients.append(visit.colleague_id)
            recipients = [r for r in recipients if r != visit.staff_id] or [UNASSIGNED]
            for recipient in recipients:
                member = await uow.staff.get(visit.org, recipient) if recipient != UNASSIGNED else None
                alert = _overdue_alert(visit, recipient, overdue.id, now, options)
                await raise_alert(uow, options, alert, recipient=member)
            visit.alerted = recipients
            await uow.visits.save(visit)
            found += 1
        await uow.commit()
    if found:
        log.info("visits.overdue", visits=found)
    return found


async def sweep_overdue_visits(uow_factory: Callable[[], NotificationsUnit], options: Options, now: datetime) -> int:
    return await raise_overdue_visits(uow_factory(), options, now)

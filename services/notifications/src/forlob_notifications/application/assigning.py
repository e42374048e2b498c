"""Alerts that overtook their course's start: who receives them once the start is known.

A course's start and its first absence are different aggregates in one queue, handled side by
side, so after a backlog the absence can be handled first and find no contact person. The course's
lock (``uow.assignments.lock``) puts the two one after the other."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.application.raising import email_to
from forlob_notifications.domain.alerts import AlertKind
from forlob_notifications.domain.directory import Assignment
from forlob_shared.events import ProgrammeStarted
from forlob_shared.logging import get_logger

log = get_logger("forlob.notifications.alerts")


async def assignment_for(uow: NotificationsUnit, referral_id: UUID, recipient: str) -> Assignment | None:
    """The course's assignment, for an alert to the person in its ``recipient`` field.

    Without that person the alert would be raised unassigned, and the course's start may be
    handled at this very moment in another lane: it writes the assignment, then looks for
    unassigned alerts, and neither transaction would see the other's work. Under the course's
    lock (also taken by ``assign_waiting_alerts``) one comes after the other, so the alert either
    finds the person or is found by the start. Only then: the usual case takes no lock, which
    matters when a consumer applies many deliveries in one transaction.
    """
    assignment = await uow.assignments.get(referral_id)
    if assignment is not None and getattr(assignment, recipient):
        return assignment
    await uow.assignments.lock(referral_id)
    return await uow.assignments.get(referral_id, fresh=True)


async def assign_waiting_alerts(uow: NotificationsUnit, options: Options, started: ProgrammeStarted) -> int:
    """:func:`assign_waiting_alerts_of` one course: the rule is written once, for many."""
    return await assign_waiting_alerts_of(uow, options, [started])


async def assign_waiting_alerts_of(uow: NotificationsUnit, options: Options, starts: Sequence[ProgrammeStarted]) -> int:
    """Give courses' unassigned alerts to the people their starts name (the caller has just
    written them to the directory).

    A course's start and its first absence are different aggregates in one queue, handled side
    by side, so after a backlog the absence can be handled first and find no contact person.
    When the assignment arrives, such alerts go to the contact person (absences) or the
    referring caseworker (the rest), with the e-mail they would have had. The caller commits.
    """
    by_course = {start.referral_id: start for start in starts}
    await uow.assignments.lock_many(by_course)  # an alert being raised unassigned commits before we look
    now, assigned = uow.clock.now(), 0
    for alert in await uow.alerts.unassigned_of(by_course):
        started = by_course.get(alert.referral_id) if alert.referral_id else None
        if started is None:  # not one of these courses' (the query asked for them alone)
            continue
        staff_id = started.contact_person_id if alert.kind is AlertKind.ABSENCE else started.caseworker_id
        if not staff_id:
            continue
        alert.recipient_staff_id = staff_id
        await uow.alerts.save(alert)
        deliveries = await email_to(uow, options, alert, staff_id, now)
        await uow.deliveries.add(*deliveries)
        uow.inbox_changed(alert.org, [staff_id], alert.id, "raised")
        if deliveries:
            uow.wake_dispatcher()
        assigned += 1
    if assigned:
        log.info("alerts.assigned_late", courses=len(by_course), alerts=assigned)
    return assigned

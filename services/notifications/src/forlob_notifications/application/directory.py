"""The staff directory (kept through the API) and who is whose contact person (kept from events)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.directory import Assignment, StaffMember
from forlob_shared.errors import NotFound
from forlob_shared.events import (
    AgreementChanged,
    PendingEvent,
    ProgrammeStarted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
    StaffChanged,
)
from forlob_shared.http.auth import Principal

DIRECTORY_ROLES = ("admin", "coordinator", "team_leader")


async def put_staff(uow: NotificationsUnit, editor: Principal, member: StaffMember) -> StaffMember:
    editor.require(*DIRECTORY_ROLES)
    member.org = editor.org  # nobody keeps another organisation's directory
    async with uow:
        now = uow.clock.now()
        await uow.staff.upsert(member, now)
        # Who works here, for the services that check a staff id (a follow-up talk's participants).
        change = StaffChanged(
            org=member.org, staff_id=member.staff_id, role=member.role, active=member.active, changed_at=now
        )
        uow.emit(PendingEvent(data=change, subject=f"{member.org}/{member.staff_id}", provider_org=member.org))
        await uow.commit()
    return member


async def get_staff(uow: NotificationsUnit, viewer: Principal, staff_id: str) -> StaffMember:
    async with uow:
        member = await uow.staff.get(viewer.org, staff_id)
    if member is None:
        raise NotFound(f"no staff member {staff_id}")
    return member


async def list_staff(uow: NotificationsUnit, viewer: Principal, role: str | None) -> list[StaffMember]:
    async with uow:
        return await uow.staff.of_org(viewer.org, role)


async def list_colleagues(uow: NotificationsUnit, viewer: Principal) -> list[StaffMember]:
    """The organisation's active staff, for choosing who took part in something (a follow-up
    talk): ids and roles are what the caller is shown, never addresses or working hours."""
    async with uow:
        return [m for m in await uow.staff.of_org(viewer.org, None) if m.active]


async def list_assignments(
    uow: NotificationsUnit, viewer: Principal, staff_id: str | None, limit: int
) -> list[Assignment]:
    async with uow:
        return await uow.assignments.visible_to(viewer.org, staff_id, limit)


async def get_assignment(uow: NotificationsUnit, viewer: Principal, referral_id: UUID) -> Assignment:
    async with uow:
        found = await uow.assignments.get(referral_id)
    if found is None or viewer.org not in (found.provider_org, found.referring_org):
        raise NotFound(f"no course for referral {referral_id}")
    return found


# -- from events: in the consumer's unit of work, which holds the inbox row and commits it --


def _course_fields(event: ReferralReceived | ProgrammeStarted) -> dict[str, Any]:
    """What every event about a course says of it, as the directory keeps it."""
    return {
        "referral_id": event.referral_id,
        "provider_org": event.provider_org,
        "referring_org": event.referring_org,
        "programme_code": event.programme_code,
        "participant_id": event.participant_id,
    }


async def record_referral_received(uow: NotificationsUnit, event: ReferralReceived) -> None:
    """:func:`record_referrals_received` of one: the rule is written once, for many."""
    await record_referrals_received(uow, [event])


async def record_referrals_received(uow: NotificationsUnit, events: Sequence[ReferralReceived]) -> None:
    """One statement for all (each course once): a row the course's start already made keeps all
    but the participant (and its legal basis, unless the referral names one). The caller commits."""
    await uow.assignments.save_many(
        [Assignment(**_course_fields(event), legal_basis=event.legal_basis or None) for event in events],
        only=("participant_id", "legal_basis"),
        keep_legal_basis=True,
    )


async def record_referral_closed(uow: NotificationsUnit, event: ReferralRejected | ReferralWithdrawn) -> None:
    assignment = await uow.assignments.get(event.referral_id, for_update=True)
    if assignment is not None:
        assignment.state = "closed"
        await uow.assignments.save(assignment)


async def record_programme_started(uow: NotificationsUnit, event: ProgrammeStarted) -> None:
    """:func:`record_programmes_started` of one: the rule is written once, for many."""
    await record_programmes_started(uow, [event])


async def record_programmes_started(uow: NotificationsUnit, events: Sequence[ProgrammeStarted]) -> None:
    """Who looks after the courses (each once), in one statement; the caller commits, with what
    else the starts bring."""
    await uow.assignments.save_many(
        [
            Assignment(
                **_course_fields(event),
                contact_person_id=event.contact_person_id,
                team_leader_id=event.team_leader_id,
                caseworker_id=event.caseworker_id,
                legal_basis=event.legal_basis or None,
                escalation_minutes=event.rules.escalation_minutes,
                country=event.country,
                timezone=event.timezone,
                state="started",
            )
            for event in events
        ],
        keep_legal_basis=True,
    )


async def record_agreement_changed(uow: NotificationsUnit, event: AgreementChanged) -> None:
    assignment = await uow.assignments.get(event.referral_id, for_update=True)
    if assignment is None:
        return  # the course's start has not reached us yet; programme.started will carry the same
    assignment.contact_person_id = event.contact_person_id
    assignment.team_leader_id = event.team_leader_id or assignment.team_leader_id
    await uow.assignments.save(assignment)

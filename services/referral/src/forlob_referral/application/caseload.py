"""The IPS consultant's caseload in one read (docs/referral.md#the-caseload): the provider's running
courses of meetings-shaped programmes, each with the participant's name, the course's work (phase,
spells, result) and the latest employer contact, so a page draws a caseload of any size with one call
instead of three per participant.

Tenancy: only the caller's organisation's courses. A contact person reads their own caseload; a
coordinator or team leader reads every consultant's, or one consultant's."""

from __future__ import annotations

from dataclasses import dataclass

from forlob_referral.application.employment import EmploymentView, employment_view
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.employment import EmployerContact
from forlob_referral.domain.personal import PersonalData
from forlob_referral.domain.referral import State
from forlob_shared.errors import Forbidden
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.http.auth import Principal

# The roles that read every consultant's caseload; anyone else with access reads their own.
EVERYONE = frozenset({"coordinator", "team_leader"})
# The most courses one read answers: IPS keeps a caseload at 20 per consultant, so this is a team of ten.
MAX_CASELOAD = 200


@dataclass(frozen=True)
class CaseloadRow:
    work: EmploymentView
    personal: PersonalData | None  # None once erased
    latest_contact: EmployerContact | None


async def read_caseload(
    uow: ReferralUoW, staff: Principal, consultant: str | None, limit: int = MAX_CASELOAD
) -> list[CaseloadRow]:
    """The running courses (oldest start first, at most ``limit``) of ``consultant``, by default the
    caller's own unless they read everyone's; another consultant's caseload is 403 for a contact person."""
    everyone = bool(staff.roles & EVERYONE)
    if not everyone:
        if consultant not in (None, staff.staff_id):
            raise Forbidden("a contact person reads their own caseload")
        consultant = staff.staff_id
    async with uow:
        programmes = [p for p in await uow.programmes.list(staff.org) if p.shape is ProgrammeShape.MEETINGS]
        courses = [
            r
            for p in programmes
            for r in await uow.referrals.in_programme(staff.org, p.code, [State.STARTED])
            if consultant is None or r.contact_person_id == consultant
        ]
        courses.sort(key=lambda r: (r.start_date is None, r.start_date, str(r.id)))
        rows = []
        for referral in courses[:limit]:
            contacts = await uow.employment.contacts(staff.org, referral_id=referral.id, employer_id=None)
            latest = max(contacts, key=lambda c: (c.day, c.recorded_at), default=None)
            rows.append(CaseloadRow(await employment_view(uow, referral), await uow.personal.get(referral.id), latest))
        return rows

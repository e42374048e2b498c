"""Use cases of work and the way into it: the employer register, job development, spells of work or
education with the support phase they move, and a clarification course's result.

Tenancy first: another organisation's employer or referral answers 404 before anything else.
The employer register is the provider's: a referring caseworker reads a course's spells, phase
and result (the employer by id only), never the register.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from forlob_referral.application.common import own_programme, provided, visible
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain import employment as rules
from forlob_referral.domain.clarification import Clarification, give_clarification_result
from forlob_referral.domain.employment import Employer, EmployerContact, EmployerContactPerson, Spell
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.referral import Referral
from forlob_shared.calendar import DEFAULT_TIMEZONE
from forlob_shared.errors import Conflict, NotFound
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    SupportPhase,
    WorkAbilityArea,
)
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class RegisterEmployer:
    country: str
    number: str | None  # None: registered without one (e.g. a Swedish sole trader)
    name: str
    sector: EmployerSector
    industry_code: str | None = None
    contact: EmployerContactPerson = field(default_factory=EmployerContactPerson)


@dataclass(frozen=True)
class RecordContact:
    employer_id: UUID
    day: date
    kind: EmployerContactKind
    referral_id: UUID | None = None
    staff_id: str | None = None  # the consultant who made it; by default the one recording it
    participant_consented: bool | None = None  # needed with the employer the participant works for


@dataclass(frozen=True)
class StartSpell:
    employer_id: UUID | None
    kind: SpellKind
    start_date: date
    weekly_hours: float
    disclosure: Disclosure


@dataclass(frozen=True)
class GiveResult:
    recommendation: Recommendation
    resources: tuple[WorkAbilityArea, ...]
    challenges: tuple[WorkAbilityArea, ...]
    meetings_held: int
    work_trials: int
    specialist_assessments: int
    day: date


@dataclass(frozen=True)
class EmploymentView:
    """A course's work: its phase (meetings courses), spells and clarification result."""

    referral: Referral
    phase: SupportPhase | None
    phase_since: date | None
    spells: list[Spell]
    result: Clarification | None


async def _employer(uow: ReferralUoW, staff: Principal, employer_id: UUID) -> Employer:
    employer = await uow.employment.employer(employer_id, staff.org)
    if employer is None:
        raise NotFound(f"no employer {employer_id}", field="employer_id")
    return employer


async def register_employer(uow: ReferralUoW, staff: Principal, command: RegisterEmployer) -> Employer:
    async with uow:
        employer, event = rules.register_employer(
            provider_org=staff.org,
            country=command.country,
            number=command.number,
            name=command.name,
            sector=command.sector,
            industry_code=command.industry_code,
            contact=command.contact,
            staff_id=staff.staff_id,
            now=uow.clock.now(),
        )
        if not await uow.employment.add_employer(employer):
            assert employer.number is not None  # one without a number never conflicts
            existing = await uow.employment.employer_by_number(staff.org, employer.country, employer.number)
            raise Conflict(
                f"the employer {employer.number} is registered already",
                reason="employer-registered",
                employer_id=str(existing.id) if existing is not None else None,
            )
        uow.emit(event)
        await uow.commit(employer)
    return employer


async def list_employers(uow: ReferralUoW, staff: Principal) -> list[Employer]:
    async with uow:
        return await uow.employment.employers(staff.org)


async def get_employer(uow: ReferralUoW, staff: Principal, employer_id: UUID) -> tuple[Employer, list[EmployerContact]]:
    async with uow:
        employer = await _employer(uow, staff, employer_id)
        return employer, await uow.employment.contacts(staff.org, employer_id=employer.id)


async def record_contact(uow: ReferralUoW, staff: Principal, command: RecordContact) -> EmployerContact:
    async with uow:
        employer = await _employer(uow, staff, command.employer_id)
        referral = None if command.referral_id is None else await provided(uow, staff, command.referral_id)
        programme = await own_programme(uow, staff.org, referral.programme_code) if referral else None
        contact, event = rules.contact_employer(
            employer=employer,
            referral=referral,
            staff_id=command.staff_id or staff.staff_id,
            day=command.day,
            kind=command.kind,
            recorded_by=staff.staff_id,
            today=_today(uow, programme, employer.country),
            now=uow.clock.now(),
            spells=await uow.employment.spells(referral.id) if referral else (),
            participant_consented=command.participant_consented,
        )
        await uow.employment.add_contact(contact)
        uow.emit(event)
        await uow.commit(contact)
    return contact


async def list_contacts(
    uow: ReferralUoW, staff: Principal, referral_id: UUID | None, employer_id: UUID | None
) -> list[EmployerContact]:
    async with uow:
        if referral_id is not None:
            await provided(uow, staff, referral_id)
        if employer_id is not None:
            await _employer(uow, staff, employer_id)
        return await uow.employment.contacts(staff.org, referral_id=referral_id, employer_id=employer_id)


async def start_spell(uow: ReferralUoW, staff: Principal, referral_id: UUID, command: StartSpell) -> EmploymentView:
    async with uow:
        referral = await provided(uow, staff, referral_id)
        programme = await own_programme(uow, referral.provider_org, referral.programme_code)
        employer = None if command.employer_id is None else await _employer(uow, staff, command.employer_id)
        spell, events = rules.start_spell(
            referral=referral,
            programme=programme,
            employer=employer,
            kind=command.kind,
            start_date=command.start_date,
            weekly_hours=command.weekly_hours,
            disclosure=command.disclosure,
            staff_id=staff.staff_id,
            today=_today(uow, programme),
            now=uow.clock.now(),
        )
        await uow.employment.add_spell(spell)
        await uow.referrals.save(referral)
        uow.emit(*events)
        view = await employment_view(uow, referral)
        await uow.commit(view)
    return view


async def end_spell(
    uow: ReferralUoW, staff: Principal, referral_id: UUID, spell_id: UUID, end_date: date, reason: SpellEndReason
) -> EmploymentView:
    async with uow:
        referral = await provided(uow, staff, referral_id)
        programme = await own_programme(uow, referral.provider_org, referral.programme_code)
        spells = await uow.employment.spells(referral.id)
        spell = next((s for s in spells if s.id == spell_id), None)
        if spell is None:
            raise NotFound(f"no spell {spell_id}")
        ended, events = rules.end_spell(
            referral=referral,
            programme=programme,
            spell=spell,
            others_open=any(s.is_open for s in spells if s.id != spell.id),
            end_date=end_date,
            reason=reason,
            today=_today(uow, programme),
            now=uow.clock.now(),
        )
        await uow.employment.save_spell(ended)
        await uow.referrals.save(referral)
        uow.emit(*events)
        view = await employment_view(uow, referral)
        await uow.commit(view)
    return view


async def give_result(uow: ReferralUoW, staff: Principal, referral_id: UUID, command: GiveResult) -> Clarification:
    async with uow:
        referral = await provided(uow, staff, referral_id)
        programme = await own_programme(uow, referral.provider_org, referral.programme_code)
        result, event = give_clarification_result(
            referral=referral,
            programme=programme,
            existing=await uow.employment.clarification(referral.id),
            recommendation=command.recommendation,
            resources=command.resources,
            challenges=command.challenges,
            evidence=(command.meetings_held, command.work_trials, command.specialist_assessments),
            day=command.day,
            staff_id=staff.staff_id,
            today=_today(uow, programme),
            now=uow.clock.now(),
        )
        await uow.employment.add_clarification(result)
        uow.emit(event)
        await uow.commit(result)
    return result


async def read_employment(uow: ReferralUoW, viewer: Principal, referral_id: UUID) -> EmploymentView:
    """The course's work: all of it for the provider; for the referring caseworker what the
    jobcentre is told in the partner contract (no employer, no disclosure, no reason for an end)."""
    async with uow:
        referral = await visible(uow, viewer, referral_id)
        view = await employment_view(uow, referral)
    if viewer.org == referral.provider_org:
        return view
    return dataclasses.replace(view, spells=[rules.as_the_referrer_sees(s) for s in view.spells])


async def employment_view(uow: ReferralUoW, referral: Referral) -> EmploymentView:
    programme = await own_programme(uow, referral.provider_org, referral.programme_code)
    phase = rules.phase_of(referral, programme)
    return EmploymentView(
        referral=referral,
        phase=phase,
        phase_since=(referral.support_phase_since or referral.start_date) if phase else None,
        spells=await uow.employment.spells(referral.id),
        result=await uow.employment.clarification(referral.id),
    )


def _today(uow: ReferralUoW, programme: Programme | None, country: str = "DK") -> date:
    # The provider's local day: a contact made late in the evening is that day's, not UTC's. A
    # general contact has no programme; the employer's country tells the zone.
    now = uow.clock.now()
    if programme is not None:
        return programme.calendar.local_date(now)
    return now.astimezone(ZoneInfo(DEFAULT_TIMEZONE[country])).date()

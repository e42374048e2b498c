"""One contract for the employment repository, run against PostgreSQL and the in-memory twin alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.employment import (
    Employer,
    EmployerContact,
    EmployerContactPerson,
    Spell,
    register_employer,
)
from forlob_referral.domain.referral import Referral, State
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    WorkAbilityArea,
)
from forlob_testkit.referral import NOW, PROVIDER_ORG
from forlob_testkit.referral_rules import programme, referral

MakeUoW = Callable[[], ReferralUoW]
DAY = date(2026, 6, 8)


def employer(number: str = "13585628", org: str = PROVIDER_ORG) -> Employer:
    made, _ = register_employer(
        provider_org=org,
        country="DK",
        number=number,
        name="Bageriet Ved Åen ApS",
        sector=EmployerSector.PRIVATE,
        industry_code="10.71",
        contact=EmployerContactPerson("Per Bager", "per@bageriet.dk", "+45 12345678"),
        staff_id="ips-1",
        now=NOW,
    )
    return made


async def _course(make_uow: MakeUoW) -> Referral:
    made = referral(state=State.STARTED, start_date=date(2026, 6, 1))
    async with make_uow() as uow:
        await uow.programmes.save(programme())
        await uow.referrals.add(made)
        await uow.commit()
    return made


def _spell(course: Referral, employer_id: UUID | None, start: date = DAY) -> Spell:
    return Spell(
        id=uuid4(),
        referral_id=course.id,
        participant_id=course.participant_id,
        provider_org=course.provider_org,
        employer_id=employer_id,
        kind=SpellKind.ORDINARY,
        start_date=start,
        weekly_hours=12.5,
        disclosure=Disclosure.YES,
        recorded_by="ips-1",
        recorded_at=NOW,
    )


async def test_employers_are_read_back_whole_by_their_organisation_only(make_uow: MakeUoW) -> None:
    first, second = employer(), replace(employer("25313763"), name="Aalborg Auto A/S")
    async with make_uow() as uow:
        await uow.employment.add_employer(first)
        await uow.employment.add_employer(second)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.employment.employer(first.id, PROVIDER_ORG) == first
        assert await uow.employment.employer(first.id, "aspa-odense") is None
        assert await uow.employment.employer_by_number(PROVIDER_ORG, "DK", "13585628") == first
        assert await uow.employment.employer_by_number("aspa-odense", "DK", "13585628") is None
        assert await uow.employment.employers(PROVIDER_ORG) == [second, first]  # by name
        assert await uow.employment.employers("aspa-odense") == []


async def test_an_employer_number_is_unique_per_organisation(make_uow: MakeUoW) -> None:
    first = employer()
    async with make_uow() as uow:
        assert await uow.employment.add_employer(first)
        assert await uow.employment.add_employer(employer(org="aspa-odense"))  # another organisation's
        await uow.commit()
    async with make_uow() as uow:
        # The number again: not added (the use case answers 409 naming the one kept), no error.
        assert not await uow.employment.add_employer(employer())
        kept = await uow.employment.employer_by_number(PROVIDER_ORG, first.country, first.number)
        assert kept is not None
        assert kept.id == first.id


async def test_contacts_spells_and_results_are_kept_in_order(make_uow: MakeUoW) -> None:
    course = await _course(make_uow)
    firm = employer()
    general = EmployerContact(
        id=uuid4(),
        provider_org=PROVIDER_ORG,
        employer_id=firm.id,
        staff_id="ips-1",
        day=DAY,
        kind=EmployerContactKind.FIRST_CONTACT,
        referral_id=None,
        participant_id=None,
        recorded_by="ips-1",
        recorded_at=NOW,
    )
    earlier = replace(general, id=uuid4(), day=DAY - timedelta(days=3), referral_id=course.id)
    later_spell, first_spell = _spell(course, firm.id, DAY + timedelta(days=7)), _spell(course, None, DAY)
    result = Clarification(
        referral_id=course.id,
        recommendation=Recommendation.FLEX_JOB,
        resources=(WorkAbilityArea.WORK_EXPERIENCE,),
        challenges=(WorkAbilityArea.HEALTH, WorkAbilityArea.LEARNING),
        meetings_held=6,
        work_trials=1,
        specialist_assessments=2,
        day=DAY,
        given_by="co-3",
        recorded_at=NOW,
    )
    async with make_uow() as uow:
        await uow.employment.add_employer(firm)
        await uow.employment.add_contact(general)
        await uow.employment.add_contact(earlier)
        await uow.employment.add_spell(later_spell)
        await uow.employment.add_spell(first_spell)
        await uow.employment.add_clarification(result)
        await uow.commit()
    ended = replace(later_spell, end_date=DAY + timedelta(days=20), end_reason=SpellEndReason.DISMISSED, ended_at=NOW)
    async with make_uow() as uow:
        await uow.employment.save_spell(ended)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.employment.contacts(PROVIDER_ORG) == [earlier, general]
        assert await uow.employment.contacts(PROVIDER_ORG, referral_id=course.id) == [earlier]
        assert await uow.employment.contacts(PROVIDER_ORG, employer_id=firm.id) == [earlier, general]
        assert await uow.employment.contacts("aspa-odense") == []
        assert await uow.employment.spells(course.id) == [first_spell, ended]
        assert await uow.employment.clarification(course.id) == result
        await uow.employment.erase([course.id])
        await uow.commit()
    async with make_uow() as uow:
        erased = await uow.employment.spells(course.id)
        assert [s.disclosure for s in erased] == [None, None]
        assert [s.kind for s in erased] == [SpellKind.ORDINARY, SpellKind.ORDINARY]  # the coded facts stay
        kept = await uow.employment.clarification(course.id)
        assert kept == replace(result, resources=(), challenges=())


async def test_what_is_not_committed_is_gone(make_uow: MakeUoW) -> None:
    course = await _course(make_uow)
    async with make_uow() as uow:
        await uow.employment.add_spell(_spell(course, None))
    async with make_uow() as uow:
        assert await uow.employment.spells(course.id) == []

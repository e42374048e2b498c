"""In-memory twin of the employment repository (referral service).

It satisfies ``EmploymentStore`` of ``forlob_referral.application.ports`` and passes
``services/referral/tests/unit/test_employment_contract.py`` with the SQL original. Everything it
holds is frozen, so it hands out what it keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.employment import Employer, EmployerContact, Spell
from forlob_testkit.fakes import FakeStore


class InMemoryEmployment:
    def __init__(self, store: FakeStore) -> None:
        self._employers: dict[UUID, Employer] = store.table("employers")
        self._contacts: dict[UUID, EmployerContact] = store.table("employer_contacts")
        self._spells: dict[UUID, Spell] = store.table("job_spells")
        self._results: dict[UUID, Clarification] = store.table("clarification_results")
        self._referrals: dict[UUID, object] = store.table("referrals")

    async def add_employer(self, employer: Employer) -> bool:
        key = (employer.provider_org, employer.country, employer.number)
        if employer.id in self._employers:
            raise KeyError(f"employer {employer.id} exists")  # the primary key
        if employer.number is not None and any(
            (e.provider_org, e.country, e.number) == key for e in self._employers.values()
        ):
            return False  # the unique constraint: ON CONFLICT DO NOTHING
        self._employers[employer.id] = employer
        return True

    async def employer(self, employer_id: UUID, org: str) -> Employer | None:
        found = self._employers.get(employer_id)
        return found if found is not None and found.provider_org == org else None

    async def employer_by_number(self, org: str, country: str, number: str) -> Employer | None:
        return next(
            (e for e in self._employers.values() if (e.provider_org, e.country, e.number) == (org, country, number)),
            None,
        )

    async def employers(self, org: str) -> list[Employer]:
        return sorted((e for e in self._employers.values() if e.provider_org == org), key=lambda e: (e.name, str(e.id)))

    async def add_contact(self, contact: EmployerContact) -> None:
        if contact.employer_id not in self._employers:
            raise KeyError(f"no employer {contact.employer_id}")  # the foreign keys
        if contact.referral_id is not None and contact.referral_id not in self._referrals:
            raise KeyError(f"no referral {contact.referral_id}")
        self._contacts[contact.id] = contact

    async def contacts(
        self, org: str, *, referral_id: UUID | None = None, employer_id: UUID | None = None
    ) -> list[EmployerContact]:
        found = [
            c
            for c in self._contacts.values()
            if c.provider_org == org
            and (referral_id is None or c.referral_id == referral_id)
            and (employer_id is None or c.employer_id == employer_id)
        ]
        return sorted(found, key=lambda c: (c.day, c.recorded_at, str(c.id)))

    async def add_spell(self, spell: Spell) -> None:
        if spell.referral_id not in self._referrals:
            raise KeyError(f"no referral {spell.referral_id}")
        if spell.employer_id is not None and spell.employer_id not in self._employers:
            raise KeyError(f"no employer {spell.employer_id}")
        self._spells[spell.id] = spell

    async def save_spell(self, spell: Spell) -> None:
        if spell.id in self._spells:  # like an UPDATE: an unknown spell changes nothing
            self._spells[spell.id] = spell

    async def spells(self, referral_id: UUID) -> list[Spell]:
        found = [s for s in self._spells.values() if s.referral_id == referral_id]
        return sorted(found, key=lambda s: (s.start_date, s.recorded_at, str(s.id)))

    async def add_clarification(self, result: Clarification) -> None:
        if result.referral_id in self._results:
            raise KeyError(f"a result for {result.referral_id} exists")
        if result.referral_id not in self._referrals:
            raise KeyError(f"no referral {result.referral_id}")
        self._results[result.referral_id] = result

    async def clarification(self, referral_id: UUID) -> Clarification | None:
        return self._results.get(referral_id)

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        wanted = set(referral_ids)
        for spell_id, spell in list(self._spells.items()):
            if spell.referral_id in wanted:
                self._spells[spell_id] = replace(spell, disclosure=None)
        for referral_id in wanted & set(self._results):
            self._results[referral_id] = replace(self._results[referral_id], resources=(), challenges=())

"""In-memory twins of attendance's internship and employer repositories (``InternshipStore``,
``EmployerStore`` of ``forlob_attendance.application.ports``); held to the SQL ones by
``services/attendance/tests/unit/test_internship_contract.py``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from forlob_attendance.db.models import InternshipRow
from forlob_testkit.fakes import FakeStore


class InMemoryInternships:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, InternshipRow] = store.table("internships")

    async def add(self, internship: InternshipRow) -> None:
        self._rows[internship.id] = internship

    async def between(self, referral_id: UUID, first: date, last: date) -> Sequence[InternshipRow]:
        found = [
            r
            for r in self._rows.values()
            if r.referral_id == referral_id and r.first_day <= last and r.last_day >= first
        ]
        return sorted(found, key=lambda r: (r.planned_at, r.id))

    async def of_course(self, referral_id: UUID) -> Sequence[InternshipRow]:
        found = [r for r in self._rows.values() if r.referral_id == referral_id]
        return sorted(found, key=lambda r: (r.first_day, r.planned_at))


class InMemoryEmployers:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, tuple[str, datetime]] = store.table("employers")

    async def add(self, employer_id: UUID, provider_org: str, registered_at: datetime) -> None:
        self._rows.setdefault(employer_id, (provider_org, registered_at))

    async def known(self, employer_id: UUID, provider_org: str) -> bool:
        found = self._rows.get(employer_id)
        return found is not None and found[0] == provider_org

"""In-memory twin of the outreach cases' repository (referral service).

It satisfies ``OutreachStore`` of ``forlob_referral.application.ports`` and passes
``services/referral/tests/unit/test_outreach_contract.py`` with the SQL original. Cases are
mutable, so what is handed out is a copy; attempts are frozen.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

from forlob_referral.domain.outreach import ContactAttempt, OutreachCase, Phase
from forlob_referral.domain.participant import Participant
from forlob_testkit.fakes import FakeStore


class InMemoryOutreach:
    def __init__(self, store: FakeStore) -> None:
        self._cases: dict[UUID, OutreachCase] = store.table("outreach_cases")
        self._attempts: dict[UUID, ContactAttempt] = store.table("outreach_attempts")

    async def add(self, case: OutreachCase) -> None:
        if case.id in self._cases:
            raise KeyError(f"case {case.id} exists")
        self._cases[case.id] = copy.deepcopy(case)

    async def save(self, *cases: OutreachCase) -> None:
        for case in cases:
            if case.id in self._cases:  # like an UPDATE: an unknown case changes nothing
                self._cases[case.id] = copy.deepcopy(case)

    async def get(self, case_id: UUID, org: str, *, lock: bool = False) -> OutreachCase | None:
        found = self._cases.get(case_id)
        return copy.deepcopy(found) if found is not None and found.provider_org == org else None

    async def of_org(self, org: str, *, include_closed: bool) -> list[OutreachCase]:
        found = [
            c for c in self._cases.values() if c.provider_org == org and (include_closed or c.phase is not Phase.CLOSED)
        ]
        found.sort(key=lambda c: (c.opened_at, str(c.id)))
        return [copy.deepcopy(c) for c in found]

    async def add_attempt(self, attempt: ContactAttempt) -> None:
        if attempt.case_id not in self._cases:
            raise KeyError(f"no case {attempt.case_id}")  # the foreign key
        self._attempts[attempt.id] = attempt

    async def attempts_of(self, case_id: UUID) -> list[ContactAttempt]:
        found = [a for a in self._attempts.values() if a.case_id == case_id]
        return sorted(found, key=lambda a: (a.attempted_at, str(a.id)))

    async def overdue_candidates(self, before: date, limit: int) -> list[OutreachCase]:
        found = [
            c
            for c in self._cases.values()
            if c.phase is not Phase.CLOSED
            and c.next_attempt_by is not None
            and c.next_attempt_by < before
            and c.overdue_reported_for != c.next_attempt_by
        ]
        found.sort(key=lambda c: (c.next_attempt_by or before, str(c.id)))
        return [copy.deepcopy(c) for c in found[:limit]]

    async def pseudonym_at(self, provider_org: str, participant: Participant) -> UUID | None:
        found = sorted(
            (
                c
                for c in self._cases.values()
                if c.provider_org == provider_org
                and c.participant is not None
                and c.participant.scheme is participant.scheme
                and c.participant.identity_number == participant.identity_number
            ),
            key=lambda c: c.identified_at or c.opened_at,
        )
        return found[0].participant_id if found else None

    async def of_participant(self, provider_org: str, participant_id: UUID) -> list[OutreachCase]:
        found = [
            c for c in self._cases.values() if c.provider_org == provider_org and c.participant_id == participant_id
        ]
        found.sort(key=lambda c: (c.opened_at, str(c.id)))
        return [copy.deepcopy(c) for c in found]

    async def with_identity_number(self, provider_org: str, identity_number: str) -> list[tuple[UUID, UUID]]:
        found = sorted(
            (
                c
                for c in self._cases.values()
                if c.provider_org == provider_org
                and c.participant is not None
                and c.participant_id is not None
                and c.participant.identity_number == identity_number
            ),
            key=lambda c: (c.identified_at or c.opened_at, str(c.id)),
        )
        return [(c.id, c.participant_id) for c in found if c.participant_id is not None]

    async def due_for_erasure(self, closed_before: datetime, limit: int) -> list[OutreachCase]:
        found = [
            c
            for c in self._cases.values()
            if c.phase is Phase.CLOSED
            and c.closed_at is not None
            and c.closed_at < closed_before
            and c.personal_data_erased_at is None
        ]
        found.sort(key=lambda c: (c.closed_at or closed_before, str(c.id)))
        return [copy.deepcopy(c) for c in found[:limit]]

    async def erase_notes(self, case_ids: Sequence[UUID]) -> None:
        wanted = set(case_ids)
        for attempt_id, attempt in list(self._attempts.items()):
            if attempt.case_id in wanted:
                self._attempts[attempt_id] = replace(attempt, note=None)

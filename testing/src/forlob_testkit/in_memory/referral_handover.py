"""In-memory twin of the handover repository (referral service).

It satisfies ``HandoverStore`` of ``forlob_referral.application.ports`` and passes
``services/referral/tests/unit/test_handover_contract.py`` with the SQL original. It keeps copies,
so a handover changed by a use case is only changed here once it is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import replace
from uuid import UUID

from forlob_referral.domain.handover import Handover
from forlob_testkit.fakes import FakeStore


class InMemoryHandovers:
    def __init__(self, store: FakeStore) -> None:
        self._handovers: dict[UUID, Handover] = store.table("handovers")
        self._referrals: dict[UUID, object] = store.table("referrals")

    def _check_keys(self, handover: Handover) -> None:
        if handover.referral_id not in self._referrals:
            raise KeyError(f"no referral {handover.referral_id}")  # the foreign keys
        if handover.next_referral_id is not None:
            if handover.next_referral_id not in self._referrals:
                raise KeyError(f"no referral {handover.next_referral_id}")
            if any(
                h.next_referral_id == handover.next_referral_id and h.id != handover.id
                for h in self._handovers.values()
            ):
                raise KeyError(f"referral {handover.next_referral_id} came from a handover already")  # unique

    async def add(self, handover: Handover) -> None:
        if handover.id in self._handovers:
            raise KeyError(f"handover {handover.id} exists")
        self._check_keys(handover)
        self._handovers[handover.id] = deepcopy(handover)

    async def save(self, handover: Handover) -> None:
        if handover.id in self._handovers:  # like an UPDATE: an unknown one changes nothing
            self._check_keys(handover)
            self._handovers[handover.id] = deepcopy(handover)

    async def get(self, handover_id: UUID, org: str, *, lock: bool = False) -> Handover | None:
        found = self._handovers.get(handover_id)
        if found is None:
            return None
        visible = org in (found.referring_org, found.provider_org) or (
            org == found.next_provider_org and found.next_referral_id is not None
        )
        return deepcopy(found) if visible else None

    async def of_course(self, referral_id: UUID, *, lock: bool = False) -> list[Handover]:
        found = [h for h in self._handovers.values() if h.referral_id == referral_id]
        return [deepcopy(h) for h in sorted(found, key=lambda h: (h.created_at, str(h.id)))]

    async def into(self, next_referral_id: UUID) -> Handover | None:
        found = next((h for h in self._handovers.values() if h.next_referral_id == next_referral_id), None)
        return deepcopy(found) if found is not None else None

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        wanted = set(referral_ids)
        for key, h in list(self._handovers.items()):
            if h.referral_id in wanted or h.next_referral_id in wanted:
                self._handovers[key] = replace(h, facts=replace(h.facts, resources=(), challenges=()))

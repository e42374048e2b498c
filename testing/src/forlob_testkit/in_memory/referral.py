"""The referral service's repositories and unit of work in memory, for the fast test tier.

Each twin satisfies the same Protocol as its SQL original (``forlob_referral.application.ports``)
and passes the same contract tests (``services/referral/tests/unit/test_repositories_contract.py``).
What a twin hands out is a copy: as with the database, a change reaches the store only through
``save``, and only survives a commit.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.participant import Participant
from forlob_referral.domain.personal import IdentityRead, PersonalData, WaitlistMove
from forlob_referral.domain.programme import Programme
from forlob_referral.domain.records import ClosingNote, DevelopmentPlan, Goal
from forlob_referral.domain.referral import CLOSED, Referral, State, Waiter
from forlob_referral.domain.seats import HeldSeat
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.idempotency import FakeIdempotentUnitOfWork
from forlob_testkit.in_memory.referral_employment import InMemoryEmployment
from forlob_testkit.in_memory.referral_handover import InMemoryHandovers
from forlob_testkit.in_memory.referral_outreach import InMemoryOutreach
from forlob_testkit.in_memory.referral_record import InMemoryCourseRecord, InMemoryMessages, InMemoryStaffDirectory
from forlob_testkit.in_memory.referral_sms import InMemorySms


class InMemoryProgrammes:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[tuple[str, str], Programme] = store.table("programmes")

    async def get(self, provider_org: str, code: str, *, lock: bool = False) -> Programme | None:
        found = self._rows.get((provider_org, code))
        return copy.deepcopy(found) if found is not None else None

    async def list(self, provider_org: str) -> list[Programme]:
        return [copy.deepcopy(p) for (org, _), p in sorted(self._rows.items()) if org == provider_org]

    async def save(self, programme: Programme) -> None:
        self._rows[(programme.provider_org, programme.code)] = copy.deepcopy(programme)


def _in_order(referral: Referral) -> tuple[bool, float, datetime, str]:
    """The database's ORDER BY waitlist_rank, received_at, id (NULL ranks last)."""
    rank = referral.waitlist_rank
    return (rank is None, rank or 0.0, referral.received_at, str(referral.id))


class InMemoryReferrals:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, Referral] = store.table("referrals")

    async def add(self, referral: Referral) -> None:
        if referral.id in self._rows:
            raise KeyError(f"referral {referral.id} exists")
        self._rows[referral.id] = copy.deepcopy(referral)

    async def save(self, *referrals: Referral) -> None:
        for referral in referrals:
            if referral.id not in self._rows:
                raise KeyError(f"referral {referral.id} was not read or added here")
            self._rows[referral.id] = copy.deepcopy(referral)

    def _find(self, referral_id: UUID, visible: bool) -> Referral | None:
        found = self._rows.get(referral_id)
        return copy.deepcopy(found) if found is not None and visible else None

    async def get_visible(self, referral_id: UUID, org: str) -> Referral | None:
        found = self._rows.get(referral_id)
        return self._find(referral_id, found is not None and org in (found.referring_org, found.provider_org))

    async def get_referred_by(self, referral_id: UUID, org: str, *, lock: bool = False) -> Referral | None:
        found = self._rows.get(referral_id)
        return self._find(referral_id, found is not None and found.referring_org == org)

    async def get_provided_by(self, referral_id: UUID, org: str, *, lock: bool = False) -> Referral | None:
        found = self._rows.get(referral_id)
        return self._find(referral_id, found is not None and found.provider_org == org)

    async def in_programme(self, provider_org: str, code: str, states: Sequence[State]) -> list[Referral]:
        wanted = set(states)
        return [
            copy.deepcopy(r)
            for r in sorted(self._rows.values(), key=_in_order)
            if r.provider_org == provider_org and r.programme_code == code and r.state in wanted
        ]

    async def seats(self, provider_org: str, code: str) -> list[HeldSeat]:
        found = [
            HeldSeat(r.id, seat)
            for r in self._rows.values()
            if r.provider_org == provider_org and r.programme_code == code and (seat := r.seat) is not None
        ]
        return sorted(found, key=lambda h: h.referral_id)

    async def waiting(self, provider_org: str, code: str) -> list[Waiter]:
        return [Waiter.of(r) for r in await self.in_programme(provider_org, code, [State.WAITLISTED])]

    async def many_provided_by(self, referral_ids: Sequence[UUID], org: str) -> list[Referral]:
        found = [r for i in set(referral_ids) if (r := self._rows.get(i)) is not None and r.provider_org == org]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: r.id)]

    async def rerank(self, ranks: Sequence[tuple[UUID, float | None]]) -> None:
        for referral_id, rank in ranks:
            if (row := self._rows.get(referral_id)) is not None:
                row.waitlist_rank = rank

    async def visible_to(
        self, org: str, *, state: State | None, programme_code: str | None, limit: int, offset: int
    ) -> list[Referral]:
        found = [
            r
            for r in self._rows.values()
            if org in (r.referring_org, r.provider_org)
            and (state is None or r.state is state)
            and (programme_code is None or r.programme_code == programme_code)
        ]
        # received_at descending, then id ascending
        found.sort(key=lambda r: str(r.id))
        found.sort(key=lambda r: r.received_at, reverse=True)
        return [copy.deepcopy(r) for r in found[offset : offset + limit]]

    async def of_programme(self, provider_org: str, code: str) -> list[Referral]:
        return [
            copy.deepcopy(r) for r in self._rows.values() if r.provider_org == provider_org and r.programme_code == code
        ]

    async def programmes_with_waiting_lists(self) -> list[tuple[str, str]]:
        return sorted({(r.provider_org, r.programme_code) for r in self._rows.values() if r.state is State.WAITLISTED})

    async def due_for_erasure(self, closed_before: datetime, limit: int) -> list[Referral]:
        due = [
            r
            for r in self._rows.values()
            if r.closed_at is not None
            and r.closed_at < closed_before
            and r.personal_data_erased_at is None
            and r.state in CLOSED
        ]
        due.sort(key=lambda r: r.closed_at or closed_before)
        return [copy.deepcopy(r) for r in due[:limit]]

    async def of_participant(self, provider_org: str, participant_id: UUID, *, lock: bool = False) -> list[Referral]:
        found = [
            r for r in self._rows.values() if r.provider_org == provider_org and r.participant_id == participant_id
        ]
        found.sort(key=lambda r: (r.received_at, str(r.id)))
        return [copy.deepcopy(r) for r in found]


class InMemoryPersonalData:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, PersonalData] = store.table("personal_data")
        self._referrals: dict[UUID, Referral] = store.table("referrals")

    async def add(self, referral_id: UUID, participant: Participant, goals: Sequence[Goal]) -> None:
        if referral_id not in self._referrals:
            raise KeyError(f"no referral {referral_id} to hold personal data")  # the foreign key
        self._rows[referral_id] = PersonalData(participant, list(goals))

    async def get(self, referral_id: UUID) -> PersonalData | None:
        return self._rows.get(referral_id)  # frozen: no copy needed

    async def set_plan(self, referral_id: UUID, plan: DevelopmentPlan) -> None:
        if (found := self._rows.get(referral_id)) is not None:
            self._rows[referral_id] = PersonalData(found.participant, found.goals, plan, found.closing_note)

    async def set_closing_note(self, referral_id: UUID, note: ClosingNote) -> None:
        if (found := self._rows.get(referral_id)) is not None:
            self._rows[referral_id] = PersonalData(found.participant, found.goals, found.plan, note)

    async def pseudonym_at(self, provider_org: str, participant: Participant) -> UUID | None:
        earlier = sorted(
            (
                self._referrals[referral_id]
                for referral_id, personal in self._rows.items()
                if referral_id in self._referrals
                and self._referrals[referral_id].provider_org == provider_org
                and personal.participant.scheme is participant.scheme
                and personal.participant.identity_number == participant.identity_number
            ),
            key=lambda r: r.received_at,
        )
        return earlier[0].participant_id if earlier else None

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        for referral_id in referral_ids:
            self._rows.pop(referral_id, None)

    async def with_identity_number(self, provider_org: str, identity_number: str) -> list[tuple[UUID, UUID]]:
        found = sorted(
            (
                self._referrals[referral_id]
                for referral_id, personal in self._rows.items()
                if referral_id in self._referrals
                and self._referrals[referral_id].provider_org == provider_org
                and personal.participant.identity_number == identity_number
            ),
            key=lambda r: r.received_at,
        )
        return [(r.id, r.participant_id) for r in found]


class InMemoryAudit:
    def __init__(self, store: FakeStore) -> None:
        self._referrals: dict[UUID, Referral] = store.table("referrals")
        self._reads: list[IdentityRead] = store.table("identity_reads", list)
        self._moves: list[WaitlistMove] = store.table("waitlist_moves", list)

    async def identity_read(self, referral_id: UUID, org: str, staff_id: str, purpose: str, at: datetime) -> None:
        self._reads.append(IdentityRead(referral_id, org, staff_id, purpose, at))

    async def identity_reads(self, org: str, referral_id: UUID | None, limit: int) -> list[IdentityRead]:
        found = [r for r in self._reads if r.org == org and (referral_id is None or r.referral_id == referral_id)]
        return list(reversed(found))[:limit]

    async def waitlist_move(
        self, referral: Referral, staff_id: str, moved: tuple[int, int], reason: str, at: datetime
    ) -> None:
        self._moves.append(
            WaitlistMove(
                referral.id, referral.provider_org, referral.programme_code, staff_id, moved[0], moved[1], reason, at
            )
        )

    async def waitlist_moves(self, provider_org: str, code: str) -> list[WaitlistMove]:
        return [m for m in self._moves if m.provider_org == provider_org and m.programme_code == code]

    async def trail(
        self, provider_org: str, referral_ids: Sequence[UUID] | None, since: datetime | None, limit: int
    ) -> tuple[list[IdentityRead], list[WaitlistMove]]:
        def concerns(referral_id: UUID) -> bool:
            referral = self._referrals.get(referral_id)
            if referral is None or referral.provider_org != provider_org:
                return False
            return referral_ids is None or referral_id in referral_ids

        reads = [r for r in self._reads if concerns(r.referral_id) and (since is None or r.read_at >= since)]
        moves = [m for m in self._moves if concerns(m.referral_id) and (since is None or m.moved_at >= since)]
        return reads[:limit], moves[:limit]


class FakeReferralUnitOfWork(FakeIdempotentUnitOfWork):
    """``ReferralUnitOfWork`` in memory, Idempotency-Keys included."""

    programmes: InMemoryProgrammes
    referrals: InMemoryReferrals
    personal: InMemoryPersonalData
    audit: InMemoryAudit
    record: InMemoryCourseRecord
    messages: InMemoryMessages
    outreach: InMemoryOutreach
    staff: InMemoryStaffDirectory
    employment: InMemoryEmployment
    sms: InMemorySms
    handovers: InMemoryHandovers

    async def _on_enter(self) -> None:
        self.programmes = InMemoryProgrammes(self.store)
        self.referrals = InMemoryReferrals(self.store)
        self.personal = InMemoryPersonalData(self.store)
        self.audit = InMemoryAudit(self.store)
        self.record = InMemoryCourseRecord(self.store)
        self.messages = InMemoryMessages(self.store)
        self.outreach = InMemoryOutreach(self.store)
        self.staff = InMemoryStaffDirectory(self.store)
        self.employment = InMemoryEmployment(self.store)
        self.sms = InMemorySms(self.store)
        self.handovers = InMemoryHandovers(self.store)


def _is_a_referral_uow(uow: FakeReferralUnitOfWork) -> ReferralUoW:
    return uow  # mypy checks here that the fake stands in for the real unit of work

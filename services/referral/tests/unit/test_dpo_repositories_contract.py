"""The storage the DPO's use cases rely on, against PostgreSQL and the in-memory twins alike:
a participant's referrals at one provider, the lookup by identity number, the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.participant import IdentityScheme, Participant
from forlob_testkit.referral import CPR, NOW, PROVIDER_ORG
from forlob_testkit.referral_rules import GOALS, referral

MakeUoW = Callable[[], ReferralUoW]
JENS = Participant("Jens Hansen", CPR, IdentityScheme.DK_CPR)
OTHER = Participant("Anna Berg", "0101901234", IdentityScheme.DK_CPR)


async def test_a_participants_referrals_lookup_and_audit_trail(make_uow: MakeUoW) -> None:
    pid = uuid4()
    first = referral(participant_id=pid, received_at=NOW)
    second = referral(participant_id=pid, received_at=NOW + timedelta(days=1))
    someone_else = referral(received_at=NOW)
    elsewhere = referral(participant_id=pid, provider_org="aspa-odense")
    async with make_uow() as uow:
        for r, who in ((first, JENS), (second, JENS), (someone_else, OTHER), (elsewhere, JENS)):
            await uow.referrals.add(r)
            await uow.personal.add(r.id, who, GOALS)
        await uow.audit.identity_read(first.id, "jobcenter-aalborg", "cw-7", "call", NOW)
        await uow.audit.identity_read(someone_else.id, PROVIDER_ORG, "co-3", "other", NOW)
        await uow.audit.identity_read(second.id, PROVIDER_ORG, "co-3", "later", NOW + timedelta(days=2))
        await uow.audit.waitlist_move(second, "co-3", (3, 1), "urgent", NOW + timedelta(days=1))
        await uow.commit()

    async with make_uow() as uow:
        assert [r.id for r in await uow.referrals.of_participant(PROVIDER_ORG, pid, lock=True)] == [first.id, second.id]
        assert await uow.referrals.of_participant("nobody", pid) == []
        assert await uow.personal.with_identity_number(PROVIDER_ORG, CPR) == [(first.id, pid), (second.id, pid)]
        assert await uow.personal.with_identity_number(PROVIDER_ORG, "9999999999") == []

        reads, moves = await uow.audit.trail(PROVIDER_ORG, [first.id, second.id], None, 100)
        assert [(r.staff_id, r.purpose) for r in reads] == [("cw-7", "call"), ("co-3", "later")]  # by anyone
        assert [(m.referral_id, m.reason) for m in moves] == [(second.id, "urgent")]
        reads, moves = await uow.audit.trail(PROVIDER_ORG, None, NOW + timedelta(days=1), 100)
        assert [r.purpose for r in reads] == ["later"]
        assert [m.reason for m in moves] == ["urgent"]
        assert await uow.audit.trail("aspa-odense", [first.id], None, 100) == ([], [])  # not theirs

from forlob_referral.db.repository import (
    AuditRepository,
    PersonalDataRepository,
    ProgrammeRepository,
    ReferralRepository,
)
from forlob_shared.http.idempotency import IdempotentUnitOfWork


class ReferralUnitOfWork(IdempotentUnitOfWork):
    programmes: ProgrammeRepository
    referrals: ReferralRepository
    personal: PersonalDataRepository
    audit: AuditRepository

    async def _on_enter(self) -> None:
        self.programmes = ProgrammeRepository(self.session)
        self.referrals = ReferralRepository(self.session)
        self.personal = PersonalDataRepository(self.session)
        self.audit = AuditRepository(self.session)
        await super()._on_enter()

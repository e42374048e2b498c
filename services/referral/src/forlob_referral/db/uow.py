from forlob_referral.application.ports import ReferralUoW
from forlob_referral.db.audit_repository import AuditRepository, IdempotencyKeyRepository
from forlob_referral.db.employment_repository import EmploymentRepository
from forlob_referral.db.handover_repository import HandoverRepository
from forlob_referral.db.outreach_repository import OutreachRepository
from forlob_referral.db.record_repository import CourseRecordRepository, MessageRepository, StaffDirectoryRepository
from forlob_referral.db.repository import (
    PersonalDataRepository,
    ProgrammeRepository,
    ReferralRepository,
)
from forlob_referral.db.sms_repository import SmsRepository
from forlob_shared.http.idempotency import IdempotentUnitOfWork


class ReferralUnitOfWork(IdempotentUnitOfWork):
    programmes: ProgrammeRepository
    referrals: ReferralRepository
    personal: PersonalDataRepository
    audit: AuditRepository
    idempotency: IdempotencyKeyRepository
    record: CourseRecordRepository
    messages: MessageRepository
    outreach: OutreachRepository
    staff: StaffDirectoryRepository
    employment: EmploymentRepository
    sms: SmsRepository
    handovers: HandoverRepository

    async def _on_enter(self) -> None:
        self.programmes = ProgrammeRepository(self.session)
        self.referrals = ReferralRepository(self.session)
        self.personal = PersonalDataRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.idempotency = IdempotencyKeyRepository(self.session)
        self.record = CourseRecordRepository(self.session)
        self.staff = StaffDirectoryRepository(self.session)
        self.messages = MessageRepository(self.session)
        self.outreach = OutreachRepository(self.session)
        self.employment = EmploymentRepository(self.session)
        self.sms = SmsRepository(self.session)
        self.handovers = HandoverRepository(self.session)
        await super()._on_enter()


def _is_a_referral_uow(uow: ReferralUnitOfWork) -> ReferralUoW:
    return uow  # mypy checks here that the SQL unit of work satisfies the use cases' Protocol

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.calendar import CalendarRepository
from forlob_attendance.db.dpo import DpoRecords
from forlob_attendance.db.internships import EmployerRepository, InternshipRepository
from forlob_attendance.db.queries import AttendanceQueries
from forlob_attendance.db.records import (
    AbsenceReportRepository,
    BreachRepository,
    ContactAttemptRepository,
    WeekSummaryRepository,
)
from forlob_attendance.db.repository import CourseRepository, SlotRepository
from forlob_attendance.db.sms import SmsRepository
from forlob_shared.erasure import SqlErasureRegister
from forlob_shared.http.idempotency import IdempotentUnitOfWork


class AttendanceUnitOfWork(IdempotentUnitOfWork):
    courses: CourseRepository
    slots: SlotRepository
    calendar: CalendarRepository
    reports: AbsenceReportRepository
    contacts: ContactAttemptRepository
    internships: InternshipRepository
    employers: EmployerRepository
    breaches: BreachRepository
    summaries: WeekSummaryRepository
    sms: SmsRepository
    reads: AttendanceQueries
    dpo: DpoRecords
    erasures: SqlErasureRegister

    async def _on_enter(self) -> None:
        await super()._on_enter()  # claims the request's Idempotency-Key, if it has one
        self.courses = CourseRepository(self.session)
        self.slots = SlotRepository(self.session)
        self.calendar = CalendarRepository(self.session)
        self.reports = AbsenceReportRepository(self.session)
        self.contacts = ContactAttemptRepository(self.session)
        self.internships = InternshipRepository(self.session)
        self.employers = EmployerRepository(self.session)
        self.breaches = BreachRepository(self.session)
        self.summaries = WeekSummaryRepository(self.session)
        self.sms = SmsRepository(self.session)
        self.reads = AttendanceQueries(self.session)
        self.dpo = DpoRecords(self.session)
        self.erasures = SqlErasureRegister(self.session)


def _is_an_attendance_uow(uow: AttendanceUnitOfWork) -> AttendanceUoW:
    return uow  # mypy checks here that the SQL unit of work satisfies the use cases' Protocol

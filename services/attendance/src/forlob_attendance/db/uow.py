from forlob_attendance.db.repository import CourseRepository, SlotRepository
from forlob_shared.db import UnitOfWork


class AttendanceUnitOfWork(UnitOfWork):
    courses: CourseRepository
    slots: SlotRepository

    async def _on_enter(self) -> None:
        self.courses = CourseRepository(self.session)
        self.slots = SlotRepository(self.session)

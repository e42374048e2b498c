from typing import Annotated

from fastapi import Depends

from forlob_attendance.application.meetings import MEETING_ROLES
from forlob_attendance.application.registration import STAFF_ROLES
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.deps import unit_of_work

UoW = Annotated[AttendanceUnitOfWork, Depends(unit_of_work(AttendanceUnitOfWork))]
# Every attendance route is for the provider's staff who meet the participants (docs/attendance.md).
Staff = Annotated[Principal, requires(*STAFF_ROLES)]
# The provider's calendar (closures) is the coordinator's to change (docs/attendance.md).
Coordinator = Annotated[Principal, requires("coordinator")]
# Meetings are planned and recorded by the staff who hold them and those who lead them.
MeetingStaff = Annotated[Principal, requires(*MEETING_ROLES)]

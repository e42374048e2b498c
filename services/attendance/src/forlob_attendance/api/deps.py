from typing import Annotated, Any

from fastapi import Depends, Request

from forlob_attendance.application.registration import STAFF_ROLES
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.http.auth import Principal, requires


def _uow(request: Request) -> AttendanceUnitOfWork:
    runtime: Any = request.app.state.runtime
    uow: AttendanceUnitOfWork = runtime.uow()
    return uow


UoW = Annotated[AttendanceUnitOfWork, Depends(_uow)]
# Every attendance route is for the provider's staff who meet the participants (docs/attendance.md).
Staff = Annotated[Principal, requires(*STAFF_ROLES)]
# The provider's calendar (closures) is the coordinator's to change (docs/attendance.md).
Coordinator = Annotated[Principal, requires("coordinator")]

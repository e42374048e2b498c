from typing import Annotated, Any

from fastapi import Depends, Request

from forlob_attendance.application.registration import STAFF_ROLES
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_shared.http.auth import CurrentPrincipal, Principal


def _uow(request: Request) -> AttendanceUnitOfWork:
    runtime: Any = request.app.state.runtime
    uow: AttendanceUnitOfWork = runtime.uow()
    return uow


def _staff(principal: CurrentPrincipal) -> Principal:
    principal.require(*STAFF_ROLES)
    return principal


UoW = Annotated[AttendanceUnitOfWork, Depends(_uow)]
Staff = Annotated[Principal, Depends(_staff)]

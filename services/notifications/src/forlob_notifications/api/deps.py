from typing import Annotated, Any

from fastapi import Depends, Request

from forlob_notifications.application.options import Options
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.wiring import Wiring


def _uow(request: Request) -> NotificationsUnitOfWork:
    runtime: Any = request.app.state.runtime
    uow: NotificationsUnitOfWork = runtime.uow()
    return uow


def _wiring(request: Request) -> Wiring:
    wiring: Wiring = request.app.state.notifications
    return wiring


def _options(request: Request) -> Options:
    return _wiring(request).options


UoW = Annotated[NotificationsUnitOfWork, Depends(_uow)]
Wired = Annotated[Wiring, Depends(_wiring)]
Opts = Annotated[Options, Depends(_options)]

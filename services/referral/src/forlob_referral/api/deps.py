from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request

from forlob_referral.db.uow import ReferralUnitOfWork


def _uow(request: Request) -> ReferralUnitOfWork:
    runtime: Any = request.app.state.runtime
    uow: ReferralUnitOfWork = runtime.uow()
    return uow


def _horizon(request: Request) -> timedelta:
    weeks: int = request.app.state.runtime.settings.intake_horizon_weeks
    return timedelta(weeks=weeks)


UoW = Annotated[ReferralUnitOfWork, Depends(_uow)]
Horizon = Annotated[timedelta, Depends(_horizon)]

from datetime import timedelta
from typing import Annotated

from fastapi import Depends

from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_referral.runtime import ReferralRuntime
from forlob_referral.settings import ReferralSettings
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.deps import runtime_dependency, unit_of_work

Runtime = Annotated[ReferralRuntime, Depends(runtime_dependency(ReferralUnitOfWork, ReferralSettings, type(None)))]


def _horizon(runtime: Runtime) -> timedelta:
    return timedelta(weeks=runtime.settings.intake_horizon_weeks)


UoW = Annotated[ReferralUnitOfWork, Depends(unit_of_work(ReferralUnitOfWork))]
Horizon = Annotated[timedelta, Depends(_horizon)]

# Who may call what (docs/referral.md; the table per route in docs/security.md). Tenancy comes on
# top: a referral is only ever shown to its referring and its providing organisation.
Caseworker = Annotated[Principal, requires("caseworker")]
Coordinator = Annotated[Principal, requires("coordinator")]
# The referral's two parties: the jobcentre's caseworker and the provider's coordinator.
Parties = Annotated[Principal, requires("caseworker", "coordinator")]
# One referral, with the participant's name, also for the provider's staff who meet the
# participant: the inbox and the day's attendance show whose alert or arrival it is; the
# specialist whose note goes into the course record.
CourseStaff = Annotated[
    Principal, requires("caseworker", "coordinator", "team_leader", "contact_person", "workshop_lead", "specialist")
]
# A provider's catalogue is no secret: anyone with a role may read it (a caseworker choosing where to refer).

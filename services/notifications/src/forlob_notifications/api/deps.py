from typing import Annotated

from fastapi import Depends

from forlob_notifications.application.directory import DIRECTORY_ROLES
from forlob_notifications.application.options import Options
from forlob_notifications.application.policies import POLICY_ROLES
from forlob_notifications.application.subscriptions import ADMIN_ROLES
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.runtime import NotificationsRuntime
from forlob_notifications.settings import NotificationsSettings
from forlob_notifications.wiring import Wiring
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.deps import runtime_dependency, unit_of_work

Runtime = Annotated[
    NotificationsRuntime, Depends(runtime_dependency(NotificationsUnitOfWork, NotificationsSettings, Wiring))
]


def _options(runtime: Runtime) -> Options:
    return runtime.parts.options


UoW = Annotated[NotificationsUnitOfWork, Depends(unit_of_work(NotificationsUnitOfWork))]
Opts = Annotated[Options, Depends(_options)]

# Who may call what (docs/notifications.md; the table per route in docs/security.md).
# Alerts are addressed to a person by staff id, whatever their role, and any colleague may pick
# one up: every role may read its own inbox and acknowledge; a token with no role is no staff.
# The staff directory (with e-mail addresses): those who keep it.
DirectoryKeeper = Annotated[Principal, requires(*DIRECTORY_ROLES)]
# Who looks after which course (staff ids only): those who keep the directory, the staff who meet
# the participants (their own courses) and the referring caseworker (who to call at the provider).
CourseReader = Annotated[Principal, requires(*DIRECTORY_ROLES, "contact_person", "workshop_lead", "caseworker")]
# Who works here (ids and roles, nothing else): the provider's people who record who took part.
ColleagueReader = Annotated[Principal, requires(*DIRECTORY_ROLES, "contact_person", "workshop_lead", "specialist")]
PolicyReader = Annotated[Principal, requires(*POLICY_ROLES, "team_leader")]
PolicyEditor = Annotated[Principal, requires(*POLICY_ROLES)]
# Webhook subscriptions (with their secrets) and the deliveries (with every recipient): admins.
Admin = Annotated[Principal, requires(*ADMIN_ROLES)]

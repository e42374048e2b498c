"""The notifications service's runtime, typed: what its routes, handlers and loops run on."""

from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.settings import NotificationsSettings
from forlob_notifications.wiring import Wiring
from forlob_shared.runtime import Runtime

NotificationsRuntime = Runtime[NotificationsUnitOfWork, NotificationsSettings, Wiring]

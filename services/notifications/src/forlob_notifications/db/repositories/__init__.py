"""Repositories: domain objects in, domain objects out; every query scoped as the caller needs.

One module per aggregate; the names are re-exported here for the unit of work and the tests."""

from forlob_notifications.db.repositories.alerts import AlertRepository
from forlob_notifications.db.repositories.calendars import CalendarRepository
from forlob_notifications.db.repositories.deliveries import DeliveryRepository
from forlob_notifications.db.repositories.directory import (
    ASSIGNMENT_LOCK_CLASS,
    AssignmentRepository,
    StaffRepository,
)
from forlob_notifications.db.repositories.partner_feed import PartnerFeedRepository
from forlob_notifications.db.repositories.policies import PolicyRepository
from forlob_notifications.db.repositories.subscriptions import SubscriptionRepository
from forlob_notifications.db.repositories.visits import VisitRepository

__all__ = [
    "ASSIGNMENT_LOCK_CLASS",
    "AlertRepository",
    "AssignmentRepository",
    "CalendarRepository",
    "DeliveryRepository",
    "PartnerFeedRepository",
    "PolicyRepository",
    "StaffRepository",
    "SubscriptionRepository",
    "VisitRepository",
]

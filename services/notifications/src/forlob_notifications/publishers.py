"""The events this service publishes (through its outbox)."""

from forlob_shared.events import (
    AlertAcknowledged,
    AlertClosed,
    AlertEscalated,
    AlertRaised,
    NotificationDelivered,
    NotificationFailed,
    StaffChanged,
)
from forlob_shared.events.visits import VisitEnded, VisitOverdue, VisitStarted

PUBLISHES = (
    AlertRaised,
    AlertAcknowledged,
    AlertEscalated,
    AlertClosed,
    NotificationDelivered,
    NotificationFailed,
    VisitStarted,
    VisitEnded,
    VisitOverdue,
    StaffChanged,
)

"""The events this service publishes (through its outbox)."""

from forlob_shared.events import (
    AlertAcknowledged,
    AlertClosed,
    AlertEscalated,
    AlertRaised,
    NotificationDelivered,
    NotificationFailed,
)

PUBLISHES = (AlertRaised, AlertAcknowledged, AlertEscalated, AlertClosed, NotificationDelivered, NotificationFailed)

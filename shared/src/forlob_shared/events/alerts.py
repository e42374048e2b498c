"""Events about alerts to staff and deliveries to people and systems."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register


class _AlertEvent(EventData):
    aggregate_type = "alert"

    alert_id: UUID
    provider_org: str
    referral_id: UUID | None = None
    participant_id: UUID | None = None
    # Whose alert it is: the provider's for an absence, the referring organisation's for a
    # notice, a breach or a closing note. provider_org alone does not say it; figures of an
    # organisation count only its own alerts. Optional: events published before it lack it.
    org: str | None = Field(
        default=None, description="the organisation whose staff the alert is for (the only one that sees it)"
    )


@register
class AlertRaised(_AlertEvent):
    routing_key = "alert.raised.v1"
    description = "An alert was raised for a person to act on."

    kind: str = Field(description="absence | breach | closing_note_ready | ...")
    cause_event_id: UUID
    recipient_staff_id: str
    raised_at: datetime
    due_at: datetime | None = Field(default=None, description="when it escalates if not acknowledged")


@register
class AlertAcknowledged(_AlertEvent):
    routing_key = "alert.acknowledged.v1"
    description = "Someone acknowledged the alert."

    acknowledged_by: str
    acknowledged_at: datetime


@register
class AlertEscalated(_AlertEvent):
    routing_key = "alert.escalated.v1"
    description = "Nobody acknowledged the alert in time: it went on to the next person."

    escalated_to: str
    level: int = Field(ge=1)
    escalated_at: datetime


@register
class AlertClosed(_AlertEvent):
    routing_key = "alert.closed.v1"
    description = "The alert closed by itself (e.g. the participant arrived late)."

    reason: str
    closed_at: datetime


@register
class NotificationDelivered(EventData):
    routing_key = "notification.delivered.v1"
    description = "A message reached its channel (SMTP accepted the e-mail, the webhook answered 2xx)."
    aggregate_type = "notification"

    notification_id: UUID
    alert_id: UUID | None = None
    org: str
    channel: str = Field(description="email | webhook | inbox")
    attempts: int = Field(ge=1)
    delivered_at: datetime


@register
class NotificationFailed(EventData):
    routing_key = "notification.failed.v1"
    description = "A message could not be delivered (after retries, or the endpoint was disabled)."
    aggregate_type = "notification"

    notification_id: UUID
    alert_id: UUID | None = None
    org: str
    channel: str
    attempts: int = Field(ge=1)
    error_code: str
    final: bool = Field(description="true when no more attempts will be made")
    failed_at: datetime

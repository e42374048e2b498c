"""Publishing one partner event on both channels, in the caller's transaction.

- The AMQP feed: the event goes into the outbox (routing key ``partner.<name>.v<major>``); the
  broker lets only those keys into the partner exchange, and from there into the referring
  organisation's queue. The outbox numbers it in the referral's one partner series.
- Webhooks: one delivery per subscription of the referring organisation that wants the type, its
  body the same contract ``data`` under the same event ``id``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from forlob_notifications.application.options import Options
from forlob_notifications.application.ports import NotificationsUnit
from forlob_notifications.domain.deliveries import Channel, new_delivery
from forlob_shared.events.envelope import PendingEvent
from forlob_shared.partner import PartnerEvent


def webhook_body(pending: PendingEvent, event: PartnerEvent, timestamp: str) -> dict[str, Any]:
    """Standard Webhooks' ``{type, timestamp, data}``, with the partner event's ``id`` (the same as
    the CloudEvent's on the AMQP feed), its ``subject`` and ``dataschema``."""
    return {
        "type": event.partner_type(),
        "timestamp": timestamp,
        "id": str(pending.id),
        "subject": pending.subject,
        "dataschema": pending.dataschema,
        "data": event.model_dump(mode="json"),
    }


async def publish(
    uow: NotificationsUnit, options: Options, event: PartnerEvent, *, alert_id: UUID | None = None
) -> PendingEvent:
    """Emit ``event`` to the partner feed and queue its webhooks; the caller commits."""
    pending = PendingEvent(
        data=event,
        subject=str(event.referral_id),
        referring_org=event.referring_org,
        provider_org=event.provider_org,
        # Served by this service (api/partner_schemas.py) at its public address.
        dataschema=event.schema_url(options.api_url),
    )
    uow.emit(pending)
    wanting = await uow.subscriptions.wanting(event.referring_org, event.partner_type())
    if wanting:
        now = uow.clock.now()
        body = webhook_body(pending, event, now.isoformat())
        await uow.deliveries.add(
            *(
                new_delivery(
                    org=event.referring_org,
                    channel=Channel.WEBHOOK,
                    recipient=str(subscription.id),
                    event_type=event.partner_type(),
                    content=body,
                    now=now,
                    retry_window=options.retry_window,
                    alert_id=alert_id,
                )
                for subscription in wanting
            )
        )
        uow.wake_dispatcher()
    return pending

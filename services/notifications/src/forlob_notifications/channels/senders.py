from __future__ import annotations

from collections.abc import Sequence

from forlob_notifications.channels.email import SmtpSender
from forlob_notifications.channels.webhook import WebhookSender
from forlob_notifications.domain.deliveries import AttemptOutcome


class ChannelSenders:
    """Both channels behind the dispatcher's one interface."""

    def __init__(self, smtp: SmtpSender, webhooks: WebhookSender) -> None:
        self.smtp = smtp
        self.webhooks = webhooks

    async def email(self, to: str, subject: str, body: str, message_id: str) -> AttemptOutcome:
        return await self.smtp.email(to, subject, body, message_id)

    async def webhook(
        self, url: str, secrets: Sequence[str], delivery_id: str, payload: dict[str, object]
    ) -> AttemptOutcome:
        return await self.webhooks.webhook(url, secrets, delivery_id, payload)

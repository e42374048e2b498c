from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from forlob_notifications.settings import LOCAL_API_URL, LOCAL_WEB_URL, NotificationsSettings


@dataclass(frozen=True)
class Options:
    """What the use cases need from the configuration (and nothing else of it)."""

    web_url: str = LOCAL_WEB_URL  # e-mails link the alert's page here
    api_url: str = LOCAL_API_URL  # webhooks link the alert's API resource here
    retry_window: timedelta = timedelta(hours=24)
    claim_lease: timedelta = timedelta(minutes=2)
    batch_size: int = 200
    require_https: bool = False
    secret_overlap: timedelta = timedelta(hours=24)  # a rotated-out webhook secret keeps signing this long
    visit_grace: timedelta = timedelta(minutes=15)  # a visit past its planned end this long is overdue
    visit_escalation: timedelta = timedelta(minutes=15)  # an overdue visit's alert not acknowledged: escalate
    feed_retention: timedelta = timedelta(days=400)  # a referral's partner events are kept this long after its last

    @classmethod
    def of(cls, settings: NotificationsSettings) -> Options:
        return cls(
            web_url=settings.public_web_url,
            api_url=settings.public_api_url,
            retry_window=timedelta(hours=settings.delivery_retry_hours),
            claim_lease=timedelta(seconds=settings.dispatch_claim_lease),
            batch_size=settings.dispatch_batch_size,
            require_https=bool(settings.webhook_require_https),
            secret_overlap=timedelta(hours=settings.webhook_secret_overlap_hours),
            visit_grace=timedelta(minutes=settings.visit_grace_minutes),
            visit_escalation=timedelta(minutes=settings.visit_escalation_minutes),
            feed_retention=timedelta(days=settings.partner_feed_retention_days),
        )

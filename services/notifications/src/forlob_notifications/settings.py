import ipaddress
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator

from forlob_shared.settings import ServiceSettings, settings_config

LOCAL_WEB_URL = "http://127.0.0.1:8000"
LOCAL_API_URL = "http://127.0.0.1:8003"


def is_public_address(url: str) -> bool:
    """An absolute http(s) URL whose host is not this machine (loopback, localhost, unspecified)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_loopback or address.is_unspecified)


class NotificationsSettings(ServiceSettings):
    model_config = settings_config("FORLOB_NOTIFICATIONS_")

    service_name: ClassVar[str] = "notifications"
    default_port: ClassVar[int] = 8003

    # E-mail over SMTP.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = Field(default=False, description="upgrade the connection with STARTTLS before sending")
    smtp_tls: bool = Field(default=False, description="implicit TLS from the first byte (port 465)")
    smtp_timeout: float = Field(default=10.0, gt=0)
    mail_from: str = "Forløb <noreply@forlob.dk>"

    # Links: an e-mail (for a person) links the alert's page on the web; a webhook (for a system)
    # links the alert's resource in this service's API. Each under its own public address.
    public_web_url: str = Field(default=LOCAL_WEB_URL, description="the web pages' public address (e-mail links)")
    public_api_url: str = Field(default=LOCAL_API_URL, description="this service's public API address (webhook links)")

    # Deliveries.
    dispatch_batch_size: int = Field(default=200, ge=1, le=5000)
    dispatch_concurrency: int = Field(default=32, ge=1, le=1000)
    dispatch_workers: int = Field(
        default=2, ge=1, le=16, description="dispatcher loops per process: one claims while another records"
    )
    dispatch_poll_interval: float = Field(default=1.0, gt=0, description="seconds between polls without NOTIFY")
    dispatch_claim_lease: float = Field(
        default=120.0, gt=0, description="seconds a sender holds a claimed delivery; a crashed sender's claim runs out"
    )
    delivery_retry_hours: float = Field(default=24.0, gt=0, description="how long a delivery is retried")
    webhook_timeout: float = Field(default=10.0, gt=0)
    webhook_require_https: bool | None = Field(
        default=None, description="refuse non-https webhook URLs; on by default in production"
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description=(
            "let webhooks connect to private, loopback and link-local addresses (local development and"
            " tests, whose receivers listen on 127.0.0.1); refused in production"
        ),
    )
    webhook_secret_overlap_hours: float = Field(
        default=24.0, ge=0, le=24 * 30, description="how long a rotated-out secret keeps signing next to the new one"
    )

    # The partner feed kept for catch-up (docs/partners.md): a referral's events are kept until
    # this long after its last one; the contract promises partners at least 90 days.
    partner_feed_retention_days: int = Field(
        default=400, ge=90, description="days a referral's partner events are kept after its last one"
    )
    partner_feed_prune_interval: float = Field(
        default=3600.0, gt=0, description="seconds between rounds of forgetting partner events past their retention"
    )

    # Escalation and notice rules.
    visit_grace_minutes: int = Field(
        default=15, ge=0, le=240, description="minutes after a visit's planned end before it is overdue and alerts"
    )
    visit_escalation_minutes: int = Field(
        default=15,
        ge=1,
        le=240,
        description="minutes an overdue visit's alert waits, unacknowledged, before it escalates",
    )
    rules_interval: float = Field(default=15.0, gt=0, description="seconds between escalation sweeps")
    background_tasks: bool = Field(default=True, description="run the dispatcher and the escalation sweep in serve")

    @model_validator(mode="after")
    def _https_in_production(self) -> "NotificationsSettings":
        if self.webhook_require_https is None:
            self.webhook_require_https = self.production
        return self

    @model_validator(mode="after")
    def _no_private_targets_in_production(self) -> "NotificationsSettings":
        # In production a webhook to this network's own addresses is an attack on it (SSRF).
        if self.production and self.webhook_allow_private_targets:
            raise ValueError("FORLOB_NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS must not be true in production")
        return self

    @model_validator(mode="after")
    def _public_addresses_in_production(self) -> "NotificationsSettings":
        # A link to a local address reaches nobody: refuse to start rather than mail it out.
        if self.production:
            for name, url in (("PUBLIC_WEB_URL", self.public_web_url), ("PUBLIC_API_URL", self.public_api_url)):
                if not is_public_address(url):
                    raise ValueError(
                        f"set FORLOB_NOTIFICATIONS_{name} to its public https address in production "
                        f"(it is {url!r}); e-mails and webhooks link there"
                    )
        return self

    def public_dict(self) -> dict[str, object]:
        return self.model_dump(exclude={"jwt_secret", "smtp_password"})

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from forlob_shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORLOB_NOTIFICATIONS_", extra="ignore", env_ignore_empty=True)

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

    # Links in e-mails and webhooks point into the inbox here.
    public_base_url: str = "http://127.0.0.1:8003"

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

    # Escalation and notice rules.
    rules_interval: float = Field(default=15.0, gt=0, description="seconds between escalation sweeps")
    background_tasks: bool = Field(default=True, description="run the dispatcher and the escalation sweep in serve")

    @model_validator(mode="after")
    def _https_in_production(self) -> "NotificationsSettings":
        if self.webhook_require_https is None:
            self.webhook_require_https = self.environment == "production"
        return self

    def public_dict(self) -> dict[str, object]:
        return self.model_dump(exclude={"jwt_secret", "smtp_password"})

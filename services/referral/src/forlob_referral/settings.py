from typing import ClassVar

from pydantic import Field, SecretStr

from forlob_shared.settings import ServiceSettings, settings_config


class ReferralSettings(ServiceSettings):
    model_config = settings_config("FORLOB_REFERRAL_")

    service_name: ClassVar[str] = "referral"
    default_port: ClassVar[int] = 8001

    intake_horizon_weeks: int = Field(
        default=4,
        ge=0,
        le=52,
        description="an accepted referral gets the first intake day with a free seat within this many weeks of "
        "its wished start; beyond that it goes on the waiting list",
    )
    retention_days: int = Field(
        default=5 * 365 + 1,
        ge=1,
        description="days after a referral closes (ended, rejected, withdrawn) before its personal data is erased",
    )
    seat_offer_interval: float = Field(
        default=300.0, gt=0, description="seconds between sweeps that offer seats freed by the calendar"
    )
    retention_sweep_interval: float = Field(default=3600.0, gt=0, description="seconds between retention sweeps")
    outreach_overdue_interval: float = Field(
        default=900.0, gt=0, description="seconds between sweeps that remind of outreach contact plans past their day"
    )

    # Text messages to participants (docs/sms.md): the GatewayAPI account, the webhooks' secret, quiet hours.
    sms_gateway_url: str = Field(
        default="https://gatewayapi.eu",
        description="GatewayAPI's base URL (gatewayapi.com or gatewayapi.eu; the local fake under `make up`)",
    )
    sms_gateway_token: SecretStr = Field(default=SecretStr(""), description="GatewayAPI API token; empty: no sending")
    sms_webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="the webhooks' authentication token set in GatewayAPI's dashboard: their JWT "
        "(X-Gwapi-Signature) is verified with it; empty: every webhook is refused",
    )
    sms_sender: str = Field(
        default="Forloeb", min_length=1, max_length=11, description="the sender shown on the phone (11 characters)"
    )
    sms_quiet_start: str = Field(default="21:00", pattern=r"^\d{2}:\d{2}$", description="quiet hours begin (local)")
    sms_quiet_end: str = Field(default="08:00", pattern=r"^\d{2}:\d{2}$", description="quiet hours end (local)")
    sms_send_interval: float = Field(default=5.0, gt=0, description="seconds between sweeps that send due messages")
    sms_max_attempts: int = Field(default=6, ge=1, description="attempts at an unreachable gateway before giving up")
    sms_retry_backoff: float = Field(
        default=30.0, gt=0, description="seconds before the first retry of a refused send; doubled per attempt"
    )
    sms_confirm_window: float = Field(
        default=900.0,
        gt=0,
        description="seconds a send with no answer from the gateway waits for its delivery report before it is "
        "marked unconfirmed (never sent again)",
    )
    sms_keyword: str = Field(
        default="",
        description="the keyword leased on a shared short code (replies start with it); empty on an own number",
    )
    sms_max_parts: int = Field(default=4, ge=1, le=10, description="most parts one message may cost")

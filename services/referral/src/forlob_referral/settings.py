from typing import ClassVar

from pydantic import Field

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

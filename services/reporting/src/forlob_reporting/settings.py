from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from forlob_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FORLOB_REPORTING_", extra="ignore", env_ignore_empty=True)

    service_name: ClassVar[str] = "reporting"
    default_port: ClassVar[int] = 8004

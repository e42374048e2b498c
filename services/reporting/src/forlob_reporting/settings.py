from typing import ClassVar

from forlob_shared.settings import ServiceSettings, settings_config


class ReportingSettings(ServiceSettings):
    model_config = settings_config("FORLOB_REPORTING_")

    service_name: ClassVar[str] = "reporting"
    default_port: ClassVar[int] = 8004

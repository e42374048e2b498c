from datetime import time
from typing import ClassVar

from pydantic import Field

from forlob_shared.settings import ServiceSettings, settings_config


class AttendanceSettings(ServiceSettings):
    model_config = settings_config("FORLOB_ATTENDANCE_")

    service_name: ClassVar[str] = "attendance"
    default_port: ClassVar[int] = 8002

    periodic_enabled: bool = Field(default=True, description="run the sweep and its companions in this process")
    sweep_interval: float = Field(default=30.0, gt=0, description="seconds between absence sweeps")
    absence_grace_minutes: int = Field(
        default=15, ge=0, le=240, description="grace after an agreed start when programme.started carries none"
    )
    materialise_days_ahead: int = Field(default=14, ge=1, le=120, description="days of expected slots kept ahead")
    sweep_batch_size: int = Field(default=50_000, ge=1, description="missed arrivals per sweep transaction")
    sms_reminder_at: time = Field(
        default=time(18, 0),
        description="local time (in each course's own zone) from which the evening's text reminders for the "
        "next day's first day or planned meeting are asked for",
    )

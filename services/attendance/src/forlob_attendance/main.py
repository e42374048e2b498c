"""Composition root of the attendance service."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from forlob_attendance.api.attendance import router as attendance_router
from forlob_attendance.application.courses import CoursePolicy
from forlob_attendance.application.periodic import tick
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_attendance.handlers.programme import subscriptions
from forlob_attendance.publishers import PUBLISHES
from forlob_attendance.settings import AttendanceSettings
from forlob_shared.clock import Clock
from forlob_shared.logging import get_logger
from forlob_shared.periodic import periodic_router
from forlob_shared.service import Runtime, ServiceSpec
from forlob_shared.service import create_app as create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
log = get_logger("forlob.attendance")


def _settings(runtime: Runtime[Any]) -> AttendanceSettings:
    settings = runtime.settings
    assert isinstance(settings, AttendanceSettings)
    return settings


class _Policy:
    """The course policy of the app this spec runs in, set from its runtime's settings when the
    app starts. Consumers start a moment earlier; an event handled in that moment reads the same
    settings from the environment, where a deployed service's settings come from."""

    def __init__(self) -> None:
        self.value: CoursePolicy | None = None

    def set(self, settings: AttendanceSettings) -> None:
        self.value = CoursePolicy(settings.absence_grace_minutes, settings.materialise_days_ahead)

    def __call__(self) -> CoursePolicy:
        if self.value is None:
            self.set(AttendanceSettings())
        assert self.value is not None
        return self.value


def spec() -> ServiceSpec[AttendanceUnitOfWork]:
    policy = _Policy()

    async def periodic(runtime: Runtime[Any], now: datetime) -> None:
        settings = _settings(runtime)
        result = await tick(
            runtime.uow, now, days_ahead=settings.materialise_days_ahead, sweep_batch=settings.sweep_batch_size
        )
        if result.absences_detected or result.breaches_raised or result.weeks_summarised:
            log.info("attendance.tick", **result.__dict__)

    def interval(runtime: Runtime[Any]) -> float | None:
        """Called once as the app starts: fixes the course policy, and gives the tick interval."""
        settings = _settings(runtime)
        policy.set(settings)
        return settings.sweep_interval if settings.periodic_enabled else None

    return ServiceSpec(
        name="attendance",
        title="Forløb attendance service",
        description="Agreed schedules, check-in and check-out, absence detection and breach of agreement.",
        settings_cls=AttendanceSettings,
        uow_class=AttendanceUnitOfWork,
        migrations_dir=MIGRATIONS,
        routers=[attendance_router, periodic_router("attendance-sweep", periodic, interval)],
        subscriptions=subscriptions(policy),
        publishes=PUBLISHES,
    )


def create_app(settings: AttendanceSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(spec(), settings, clock)

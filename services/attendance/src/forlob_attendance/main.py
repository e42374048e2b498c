"""Composition root of the attendance service."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from forlob_attendance.api.attendance import router as attendance_router
from forlob_attendance.api.dpo import router as dpo_router
from forlob_attendance.api.internships import router as internships_router
from forlob_attendance.api.meetings import router as meetings_router
from forlob_attendance.application.courses import CoursePolicy
from forlob_attendance.application.periodic import detect_absences, tick
from forlob_attendance.application.sweep import DETECTION, next_due
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_attendance.handlers.programme import subscriptions as programme_subscriptions
from forlob_attendance.handlers.sms import subscriptions as sms_subscriptions
from forlob_attendance.publishers import PUBLISHES
from forlob_attendance.runtime import AttendanceRuntime, course_policy
from forlob_attendance.settings import AttendanceSettings
from forlob_shared.clock import Clock
from forlob_shared.http.idempotency_retention import idempotency_key_sweep
from forlob_shared.logging import get_logger
from forlob_shared.periodic import periodic
from forlob_shared.runtime import ServiceSpec
from forlob_shared.service import create_app as create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
log = get_logger("forlob.attendance")


async def _tick(runtime: AttendanceRuntime, now: datetime) -> None:
    settings = runtime.settings
    result = await tick(
        runtime.uow,
        now,
        days_ahead=settings.materialise_days_ahead,
        sweep_batch=settings.sweep_batch_size,
        reminder_at=settings.sms_reminder_at,
    )
    if any(value for name, value in result.__dict__.items() if name != "slots_created"):
        log.info("attendance.tick", **result.__dict__)


async def _detect(runtime: AttendanceRuntime, now: datetime) -> None:
    detected = await detect_absences(runtime.uow, now, runtime.settings.sweep_batch_size)
    if detected:
        log.info("attendance.detected", absences_detected=detected)


async def _next_due(runtime: AttendanceRuntime) -> datetime | None:
    return await next_due(runtime.uow())


def _sweep_interval(settings: AttendanceSettings) -> float | None:
    return settings.sweep_interval if settings.periodic_enabled else None


def spec() -> ServiceSpec[AttendanceUnitOfWork, AttendanceSettings, CoursePolicy]:
    return ServiceSpec(
        name="attendance",
        title="Forløb attendance service",
        description="Agreed schedules, check-in and check-out, absence detection and breach of agreement.",
        settings_cls=AttendanceSettings,
        uow_class=AttendanceUnitOfWork,
        migrations_dir=MIGRATIONS,
        parts=course_policy,
        routers=[attendance_router, meetings_router, internships_router, dpo_router],
        subscriptions=lambda policy: [*programme_subscriptions(policy), *sms_subscriptions()],
        background=[
            periodic("attendance-sweep", _tick, _sweep_interval),
            # Detection as each arrival falls due (docs/attendance.md#detection-latency): the same
            # sweep, woken at the next due instant, and by a slot added that falls due sooner (its
            # use case rings DETECTION after its commit); the tick above stays the every-interval
            # backstop and does the rest (slots ahead, breaches, weeks, reminders), which need no
            # such haste.
            periodic(DETECTION, _detect, _sweep_interval, next_due=_next_due, wake=DETECTION),
            idempotency_key_sweep(lambda settings: settings.periodic_enabled),
        ],
        publishes=PUBLISHES,
    )


def create_app(settings: AttendanceSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(spec(), settings, clock)

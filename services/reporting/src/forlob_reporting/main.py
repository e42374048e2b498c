"""Composition root of the reporting service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from forlob_reporting.api.dpo import router as dpo_router
from forlob_reporting.api.figures import router as figures_router
from forlob_reporting.api.outputs import router as outputs_router
from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.handlers.dpo import dpo_subscriptions
from forlob_reporting.handlers.events import subscriptions
from forlob_reporting.settings import ReportingSettings
from forlob_shared.clock import Clock
from forlob_shared.runtime import ServiceSpec, no_parts
from forlob_shared.service import create_app as create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def spec() -> ServiceSpec[ReportingUnitOfWork, ReportingSettings, None]:
    return ServiceSpec(
        name="reporting",
        title="Forløb reporting service",
        description="Waiting times, occupancy, attendance and outcomes, built only from events.",
        settings_cls=ReportingSettings,
        uow_class=ReportingUnitOfWork,
        migrations_dir=MIGRATIONS,
        parts=no_parts,
        routers=[figures_router, outputs_router, dpo_router],
        subscriptions=lambda parts: [*subscriptions(), *dpo_subscriptions()],
    )


def create_app(settings: ReportingSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(spec(), settings, clock)

"""Composition root of the notifications service."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from forlob_notifications.api.directory import router as directory_router
from forlob_notifications.api.dpo import router as dpo_router
from forlob_notifications.api.inbox import router as inbox_router
from forlob_notifications.api.partner import router as partner_router
from forlob_notifications.api.partner_schemas import router as partner_schemas_router
from forlob_notifications.api.policies import router as policies_router
from forlob_notifications.api.visits import router as visits_router
from forlob_notifications.api.webhooks import router as webhooks_router
from forlob_notifications.application.catch_up import prune_feed
from forlob_notifications.application.gauges import update_gauges
from forlob_notifications.background import background
from forlob_notifications.db.uow import NotificationsUnitOfWork
from forlob_notifications.handlers.dpo import dpo_subscriptions
from forlob_notifications.handlers.events import subscriptions
from forlob_notifications.publishers import PUBLISHES
from forlob_notifications.runtime import NotificationsRuntime
from forlob_notifications.settings import NotificationsSettings
from forlob_notifications.wiring import Wiring
from forlob_shared.clock import Clock
from forlob_shared.http.idempotency_retention import idempotency_key_sweep
from forlob_shared.periodic import periodic
from forlob_shared.runtime import ServiceSpec
from forlob_shared.service import create_app as create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
GAUGE_INTERVAL = 15.0  # seconds between counts of open and overdue alerts for /metrics


def spec() -> ServiceSpec[NotificationsUnitOfWork, NotificationsSettings, Wiring]:
    return ServiceSpec(
        name="notifications",
        title="Forløb notifications service",
        description="Alerts to staff, escalation, e-mail, the in-app inbox and signed webhooks.",
        settings_cls=NotificationsSettings,
        uow_class=NotificationsUnitOfWork,
        migrations_dir=MIGRATIONS,
        parts=Wiring.of,
        routers=[
            directory_router,
            inbox_router,
            webhooks_router,
            policies_router,
            partner_router,
            dpo_router,
            visits_router,
        ],
        public_routers=[partner_schemas_router],
        subscriptions=lambda wiring: [*subscriptions(wiring), *dpo_subscriptions(wiring)],
        background=[
            *background(),
            periodic("alert-gauges", update_gauges, lambda settings: GAUGE_INTERVAL),
            periodic("partner-feed-retention", _prune_partner_feed, _prune_interval),
            idempotency_key_sweep(lambda settings: settings.background_tasks),
        ],
        publishes=PUBLISHES,
    )


async def _prune_partner_feed(runtime: NotificationsRuntime, now: datetime) -> int:
    return await prune_feed(runtime.uow(), runtime.parts.options.feed_retention, now)


def _prune_interval(settings: NotificationsSettings) -> float | None:
    return settings.partner_feed_prune_interval if settings.background_tasks else None


def create_app(settings: NotificationsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(spec(), settings, clock)

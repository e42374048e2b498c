"""Composition root of the referral service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from forlob_referral.api.dpo import router as dpo_router
from forlob_referral.api.employment import router as employment_router
from forlob_referral.api.handover import router as handover_router
from forlob_referral.api.messages import router as messages_router
from forlob_referral.api.outreach import router as outreach_router
from forlob_referral.api.programmes import router as programmes_router
from forlob_referral.api.record import router as record_router
from forlob_referral.api.referrals import router as referrals_router
from forlob_referral.api.sms import router as sms_router
from forlob_referral.api.sms_webhooks import router as sms_webhooks_router
from forlob_referral.api.specialist import router as specialist_router
from forlob_referral.application.intake import seat_offer_job
from forlob_referral.application.outreach import outreach_overdue_job
from forlob_referral.application.retention import retention_job
from forlob_referral.application.sms_sending import sms_send_job
from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_referral.handlers import subscriptions
from forlob_referral.publishers import PUBLISHES
from forlob_referral.settings import ReferralSettings
from forlob_shared.clock import Clock
from forlob_shared.periodic import periodic
from forlob_shared.runtime import ServiceSpec, no_parts
from forlob_shared.service import create_app as create_service_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def spec() -> ServiceSpec[ReferralUnitOfWork, ReferralSettings, None]:
    return ServiceSpec(
        name="referral",
        title="Forløb referral service",
        description="Programme catalogue, referrals, intake decisions, waiting list, courses, outreach cases, "
        "text messages to participants.",
        settings_cls=ReferralSettings,
        uow_class=ReferralUnitOfWork,
        migrations_dir=MIGRATIONS,
        parts=no_parts,
        routers=[
            referrals_router,
            programmes_router,
            record_router,
            specialist_router,
            messages_router,
            outreach_router,
            employment_router,
            handover_router,
            dpo_router,
            sms_router,
        ],
        signed_routers=[sms_webhooks_router],
        subscriptions=subscriptions,
        background=[
            periodic("seat-offers", seat_offer_job, lambda settings: settings.seat_offer_interval),
            periodic("retention", retention_job, lambda settings: settings.retention_sweep_interval),
            periodic("outreach-overdue", outreach_overdue_job, lambda settings: settings.outreach_overdue_interval),
            periodic("sms-send", sms_send_job, lambda settings: settings.sms_send_interval),
        ],
        publishes=PUBLISHES,
    )


def create_app(settings: ReferralSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_service_app(spec(), settings, clock)

"""Migration 0003 gives the alerts already in the read model the organisation they belong to,
by the rule the projection applies to events that do not name it."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from alembic import command

from forlob_reporting.main import spec as reporting_spec
from forlob_shared.db import create_engine
from forlob_shared.migrations import alembic_config, upgrade
from forlob_shared.settings import ServiceSettings


async def test_existing_alerts_get_their_organisation(make_database: Any) -> None:
    spec = reporting_spec()
    url = await make_database(spec)
    alembic_url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    await asyncio.to_thread(command.downgrade, alembic_config(spec.migrations_dir, alembic_url), "0002")
    referral, unknown = uuid4(), uuid4()
    alerts = {
        "absence": (uuid4(), referral, "rca-aalborg"),
        "closing_note_ready": (uuid4(), referral, "jobcenter-aalborg"),
        "breach": (uuid4(), referral, "jobcenter-aalborg"),
        "absence_notice": (uuid4(), unknown, "rca-aalborg"),  # its referral unknown: the provider named
        "webhook_disabled": (uuid4(), None, "rca-aalborg"),
    }
    engine = create_engine(ServiceSettings(database_url=url), pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO referral_facts (referral_id, provider_org, referring_org, programme_code)"
                    " VALUES (:r, 'rca-aalborg', 'jobcenter-aalborg', 'RCA-UDV-13')"
                ),
                {"r": referral},
            )
            for kind, (alert_id, referral_id, _) in alerts.items():
                await connection.execute(
                    sa.text(
                        "INSERT INTO alert_facts (alert_id, provider_org, referral_id, kind)"
                        " VALUES (:a, 'rca-aalborg', :r, :k)"
                    ),
                    {"a": alert_id, "r": referral_id, "k": kind},
                )
        await asyncio.to_thread(upgrade, spec.migrations_dir, alembic_url)
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.text("SELECT kind, org FROM alert_facts"))).all()
            found = dict(rows)
    finally:
        await engine.dispose()
    assert found == {kind: org for kind, (_, _, org) in alerts.items()}

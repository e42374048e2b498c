"""The broker fails under a steady load of courses: stopped and restarted, and its connections
closed forcibly. Nothing published may be lost, no effect doubled, and every consumer back."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_shared.testing.outside import SmtpSink, WebhookReceiver

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run

pytestmark = pytest.mark.slow


async def test_broker_restart(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system() as system:
        run = await start_run(
            "broker-restart", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit
        )

        async def restart_the_broker() -> None:
            await mid_batch(system, "referral")  # course starts are being published
            run.window.begin()
            await asyncio.to_thread(private_servers.rabbit.restart)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=restart_the_broker)
        await run.finish()


async def test_broker_connections_closed(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system() as system:
        run = await start_run(
            "broker-connections-closed", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit
        )

        async def close_every_connection() -> None:
            await mid_batch(system, "referral")
            run.window.begin()
            await asyncio.to_thread(private_servers.rabbit.close_all_connections)
            # And again while the sweep's absences are on their way to the alerts.
            await mid_batch(system, "attendance")
            await asyncio.to_thread(private_servers.rabbit.close_all_connections)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=close_every_connection)
        await run.finish()

"""The broker fails under a steady load of courses: the node is stopped and restarted while course
starts are being published, then every connection is closed forcibly from the broker's side
(``rabbitmqctl close_all_connections``) while the sweep's absences are on their way to the
alerts, and again while the alerts consumer is at work. Nothing published may be lost, no effect
doubled, and every consumer must be back (the count's ``consumers back after``)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_shared.testing.outside import SmtpSink, WebhookReceiver

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run

pytestmark = pytest.mark.slow


async def test_broker_restarted_and_connections_closed(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    rabbit = private_servers.rabbit
    async with private_system() as system:
        run = await start_run("broker-restart+close", system, http, smtp_sink, webhook_receiver, rabbit=rabbit)
        faults: list[str] = []

        async def fail_the_broker() -> None:
            await mid_batch(system, "referral")  # course starts are being published
            run.window.begin()
            await asyncio.to_thread(rabbit.restart)
            faults.append("restart")
            await mid_batch(system, "attendance")  # check-ins and detected absences
            await asyncio.to_thread(rabbit.close_all_connections)
            faults.append("close")
            await mid_batch(system, "notifications", "inbox", grown_by=3)  # alerts being raised
            await asyncio.to_thread(rabbit.close_all_connections)
            faults.append("close")
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=fail_the_broker)
        await run.finish()
        assert faults == ["restart", "close", "close"]

"""Each service SIGKILLed mid-batch and restarted, one after another, under a steady load of
courses: referral while it starts courses, attendance while it takes check-ins and sweeps,
notifications while it turns absences into alerts and e-mails, reporting while it counts.
Whatever a killed process had committed but not published is published after the restart
(the outbox); whatever it had taken from a queue but not acknowledged comes again and finds its
effect in the inbox. A sender killed between sending and recording may send an e-mail or webhook
again with the same Message-ID / webhook-id (``resent``): the receiver drops it; a second
delivery for one alert would be a duplicate and fails the test."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_shared.testing.outside import SmtpSink, WebhookReceiver

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run

pytestmark = pytest.mark.slow

# Which table growing shows the service in the middle of its batch.
BUSY = {"referral": "outbox", "attendance": "outbox", "notifications": "inbox", "reporting": "inbox"}


async def test_each_service_killed_mid_batch(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system() as system:
        run = await start_run("service-kill", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit)
        kills: list[str] = []

        async def kill_each_service() -> None:
            for service, table in BUSY.items():
                await mid_batch(system, service, table, grown_by=3)
                run.window.begin()
                process = system[service]
                await asyncio.to_thread(process.kill)
                kills.append(service)
                await asyncio.to_thread(process.restart)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=kill_each_service)
        await run.finish(resends=True)
        assert kills == list(BUSY)
        assert all(system[s].starts == 2 for s in BUSY)

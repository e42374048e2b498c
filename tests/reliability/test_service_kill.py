"""Each service SIGKILLed mid-batch and restarted, one after another, under a steady load of
courses: referral while it starts courses, attendance while it takes check-ins and sweeps,
notifications while it turns absences into alerts and e-mails, reporting while it counts.

Attendance runs as two replicas on one database and one set of queues, and the one killed is
the replica whose outbox relay is active: the other's relay takes the lock over (one relay
active at a time, and again only one when the killed replica is back), and the sweep, which
both replicas run, detects each missed arrival exactly once (``sweep`` in the count).

Whatever a killed process had committed but not published is published after the restart (the
outbox); whatever it had taken from a queue but not acknowledged comes again and finds its effect
in the inbox. A sender killed between sending and recording may send an e-mail or webhook again
with the same Message-ID / webhook-id (``resent``), which the receiver drops; a second delivery
for one alert would be a duplicate and fails the test."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.processes import ServiceProcess
from forlob_testkit.wait import eventually

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run

pytestmark = pytest.mark.slow

# Which table growing shows the service in the middle of its batch.
BUSY = {"referral": "outbox", "attendance": "outbox", "notifications": "inbox", "reporting": "inbox"}


async def _relay_active(http: httpx.AsyncClient, process: ServiceProcess) -> bool:
    try:
        metrics = (await http.get(f"{process.url}/metrics")).text
    except httpx.TransportError:
        return False
    return any(
        line.startswith("forlob_outbox_relay_active ") and line.endswith(" 1.0") for line in metrics.splitlines()
    )


async def _active(http: httpx.AsyncClient, replicas: list[ServiceProcess]) -> list[ServiceProcess]:
    return [r for r in replicas if r.running and await _relay_active(http, r)]


async def test_each_service_killed_mid_batch(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system(replicas={"attendance": 2}) as system:
        replicas = system.replicas("attendance")
        run = await start_run("service-kill", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit)
        [relaying] = await eventually(lambda: _active(http, replicas), what="one attendance relay active")
        killed: list[ServiceProcess] = []
        took_over: list[ServiceProcess] = []

        async def kill_each_service() -> None:
            for service, table in BUSY.items():
                await mid_batch(system, service, table, grown_by=3)
                run.window.begin()
                process = relaying if service == "attendance" else system[service]
                await asyncio.to_thread(process.kill)
                killed.append(process)
                if service == "attendance":
                    took_over.extend(
                        await eventually(lambda: _active(http, replicas), timeout=30, what="the standby's relay")
                    )
                await asyncio.to_thread(process.restart)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=kill_each_service, on_day=0)
        report = await run.finish(resends=True)
        assert [p.name for p in killed] == list(BUSY)
        assert [p.port for p in took_over] == [r.port for r in replicas if r is not relaying]
        # Back, the killed replica stands by: still exactly one relay active.
        assert [p.port for p in await _active(http, replicas)] == [took_over[0].port]
        assert report.effects["sweep"].duplicated == 0

"""Two replicas of the attendance service on one database and one set of queues, under a steady
load of courses; the one whose relay is active is SIGKILLed mid-batch. The other's relay takes
the lock over (one relay active at a time), and the sweep, which both replicas run, detects each
missed arrival exactly once (``sweep`` in the count: no ``absence.detected`` twice)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_shared.testing.outside import SmtpSink, WebhookReceiver
from forlob_shared.testing.processes import ServiceProcess
from forlob_shared.testing.wait import eventually

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run

pytestmark = pytest.mark.slow


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


async def test_two_attendance_replicas_one_killed(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system(replicas={"attendance": 2}) as system:
        replicas = system.replicas("attendance")
        assert len(replicas) == 2
        run = await start_run("replica-kill", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit)
        [first] = await eventually(lambda: _active(http, replicas), what="one attendance relay active")
        takeover: list[ServiceProcess] = []

        async def kill_the_active_replica() -> None:
            await mid_batch(system, "attendance", grown_by=3)
            run.window.begin()
            await asyncio.to_thread(first.kill)
            takeover.extend(await eventually(lambda: _active(http, replicas), timeout=30, what="the standby's relay"))
            await asyncio.to_thread(first.restart)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=kill_the_active_replica)
        report = await run.finish(resends=True)
        assert [r.port for r in takeover] == [r.port for r in replicas if r is not first]
        # Back, the killed replica stands by: still one relay active.
        assert [r.port for r in await _active(http, replicas)] == [takeover[0].port]
        assert report.effects["sweep"].duplicated == 0

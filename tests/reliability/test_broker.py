"""The broker fails under a steady load of courses: the node is stopped and restarted while course
starts are being published; and, in a run of its own, every connection is closed forcibly from
the broker's side (``rabbitmqctl close_all_connections``) while course starts are published and
again while the sweep's absences are on their way to the alerts. Nothing published may be lost,
no effect doubled, and every consumer must be back (the count's ``consumers back after``).

A course's ``programme.ended`` may reach attendance a few seconds late after such a fault (a relay
or consumer reconnecting); the driver waits for it each morning, as hours of real time would
(``CourseLoad._wait_for_slots``), so that a late end does not read as a stall."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_testkit.outside import SmtpSink, WebhookReceiver

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
    rabbit = private_servers.rabbit
    async with private_system() as system:
        run = await start_run("broker-restart", system, http, smtp_sink, webhook_receiver, rabbit=rabbit)

        async def restart_the_broker() -> None:
            await mid_batch(system, "referral")  # course starts are being published
            run.window.begin()
            await asyncio.to_thread(rabbit.restart)
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
    rabbit = private_servers.rabbit
    async with private_system() as system:
        run = await start_run("broker-connections-closed", system, http, smtp_sink, webhook_receiver, rabbit=rabbit)

        async def close_every_connection() -> None:
            await mid_batch(system, "referral")
            run.window.begin()
            await asyncio.to_thread(rabbit.close_all_connections)
            await mid_batch(system, "attendance")  # check-ins and detected absences
            await asyncio.to_thread(rabbit.close_all_connections)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=close_every_connection)
        await run.finish()

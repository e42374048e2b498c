"""The broker fails under a steady load of courses: the node is stopped and restarted while course
starts are being published; and, in a run of its own, every connection is closed forcibly from
the broker's side (``rabbitmqctl close_all_connections``) while course starts are published and
again while the sweep's absences are on their way to the alerts. Nothing published may be lost,
no effect doubled, and every consumer must be back (the count's ``consumers back after``)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_shared.testing.outside import SmtpSink, WebhookReceiver

from .conftest import PrivateServers, StartSystem
from .harness import mid_batch, start_run

pytestmark = pytest.mark.slow

# Open defect (issue 9 stays open): after a broker fault, a later day's absence alerts sometimes
# do not show in the inbox answer the driver waits for, though every queue is drained and the
# alerts exist (docs/reliability.md). Both broker tests run and print their counts every time.
INTERMITTENT_STALL = pytest.mark.xfail(
    strict=False,
    reason="intermittent (about 1 run in 3-4 here): after a broker fault a later day's absence alerts do not "
    "show in the contact person's inbox answer although every queue is drained; open, see docs/reliability.md",
)


@INTERMITTENT_STALL
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


@INTERMITTENT_STALL
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

"""A service's database stops for 60 s (wall clock: the outage is the fault itself) under a steady
load of courses, then starts again. The notifications service is the one cut off: it holds the
alerts, e-mails and webhooks, so its outage shows in every effect. Its database lives on a
private cluster of its own, so the other three services keep working; events for it wait in its
queue (the consumer retries in process, never dead-letters), and the driver's alert checks wait
for it. Afterwards nothing may be lost, doubled or dead-lettered.

It strikes while courses start, the hardest moment: the backlog then holds a course's
``programme.started`` and its first ``absence.detected`` together, and the alerts consumer's lanes
(by subject) may handle the absence first. This test found that such an alert stayed
``unassigned``; notifications now hands it to the contact person when the start arrives
(``assign_waiting_alerts``). It also found e-mails sent twice: a round whose recording
transaction lost the database applied the outcomes again to the deliveries it had already marked
delivered, gave up, and the lease ran out (``resent 3``); each recording now starts from the
claimed state."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest

from forlob_testkit.outside import SmtpSink, WebhookReceiver

from .conftest import PrivateServers, StartSystem
from .harness import dead_letters, mid_batch, start_run

pytestmark = pytest.mark.slow

OUTAGE = float(os.environ.get("FORLOB_TEST_OUTAGE_SECONDS", "60"))


async def test_notifications_database_outage(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    cluster = await asyncio.to_thread(private_servers.new_cluster, "notifications-db")
    # The production lease (120 s) outlasts the outage: a round that sent before the database
    # went away records its sends when it is back, so nothing may be sent twice (resent 0).
    lease = {"FORLOB_NOTIFICATIONS_DISPATCH_CLAIM_LEASE": str(max(120, int(OUTAGE) + 60))}
    async with private_system(clusters={"notifications": cluster}, env=lease) as system:
        # The driver's requests wait out the outage (they retry 5xx), so its deadline covers it.
        run = await start_run(
            "database-outage",
            system,
            http,
            smtp_sink,
            webhook_receiver,
            rabbit=private_servers.rabbit,
            timeout=OUTAGE + 90,
        )

        async def stop_the_database() -> None:
            await mid_batch(system, "referral")  # course starts are being published
            run.window.begin()
            await asyncio.to_thread(cluster.server.stop, "immediate")
            stopped = time.monotonic()
            # Wall-clock outage time: the fault itself, not a wait for a result.
            await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped)))
            await asyncio.to_thread(cluster.server.start)
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=stop_the_database)
        await run.finish(settle=180)
        assert await dead_letters(private_servers.rabbit, system) == {}

"""Every event delivered twice or more under a steady load of courses: each service's consumers
requeue half their deliveries after the commit instead of acknowledging them, as if the
acknowledgement were lost (``forlob_testkit.faults.LostAcknowledgements``, injected by the test
kit's launcher when ``FORLOB_TESTKIT_REDELIVER_SHARE`` is set; the product has no such switch).
The inbox must turn every redelivery into no effect at all."""

from __future__ import annotations

import httpx
import pytest

from forlob_testkit.faults import REDELIVER_SHARE_ENV
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.processes import System

from .conftest import PrivateServers, StartSystem
from .harness import start_run

pytestmark = pytest.mark.slow

SHARE = 0.5


async def _consumed(http: httpx.AsyncClient, system: System, outcome: str) -> int:
    total = 0.0
    for process in system.services.values():
        for line in (await http.get(f"{process.url}/metrics")).text.splitlines():
            if line.startswith("forlob_events_consumed_total{") and f'outcome="{outcome}"' in line:
                total += float(line.rsplit(" ", 1)[1])
    return int(total)


async def test_every_event_delivered_again(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system(env={REDELIVER_SHARE_ENV: str(SHARE)}) as system:
        run = await start_run("redelivery", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit)
        run.window.begin()  # the fault is on from the first event to the last
        await run.play([8, 8, 0, 0])
        run.window.heal()
        report = await run.finish()
        requeued = await _consumed(http, system, "requeued-by-test-switch")
        found_again = await _consumed(http, system, "duplicate")
        print(f"redelivery: requeued after commit {requeued:,}, found in the inbox on redelivery {found_again:,}")
        # Half the deliveries come back (some twice): well over a third of the processed events.
        assert requeued > report.processed / 3
        assert found_again > 0

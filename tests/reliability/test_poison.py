"""1,000 poison messages mixed into the stream of a steady load of courses: invalid JSON, a wrong
schema, an unknown type, a huge body, missing attributes and headers. Every copy (one per queue
bound to its routing key) must end in that queue's dead-letter queue with its reason in
``x-forlob-reason``; no good event may be dead-lettered, lost or doubled."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from forlob_shared.messaging.topology import Topology
from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.wait import eventually

from . import poison
from .conftest import PrivateServers, StartSystem
from .harness import dead_letters, mid_batch, start_run
from .ledger import consumer_queues

pytestmark = pytest.mark.slow

COUNT = 1000
CHUNK = 50


async def test_poison_messages_are_dead_lettered_and_the_good_traffic_flows(
    private_system: StartSystem,
    private_servers: PrivateServers,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    async with private_system() as system:
        prefix = system["referral"].env["FORLOB_NAME_PREFIX"]
        topology = Topology(prefix=prefix)
        bindings = {topology.dead_letter_queue(f"{prefix}{q}"): keys for q, keys in consumer_queues().items()}
        routing_keys = sorted(set().union(*bindings.values()))
        bad = poison.batch(COUNT, routing_keys)
        run = await start_run("poison", system, http, smtp_sink, webhook_receiver, rabbit=private_servers.rabbit)

        async def publish_poison() -> None:
            await mid_batch(system, "referral", grown_by=3)
            run.window.begin()
            for first in range(0, COUNT, CHUNK):
                await poison.publish(private_servers.rabbit.url, topology.events_exchange, bad[first : first + CHUNK])
                await asyncio.sleep(0.1)  # the pace of the stream, mixed with the courses' events
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=publish_poison)
        await run.finish()

        expected = sum(1 for p in bad for keys in bindings.values() if p.routing_key in keys)

        async def all_dead_lettered() -> bool:
            return sum((await dead_letters(private_servers.rabbit, system)).values()) >= expected

        await eventually(all_dead_lettered, timeout=60, what=f"{expected} poison copies dead-lettered")
        dead = await poison.drain_dead_letters(private_servers.rabbit.url, list(bindings))
        tally = poison.count(bad, bindings, dead)
        print(tally.line(len(bad)))
        assert tally.clean, tally
        assert tally.found == tally.expected == expected

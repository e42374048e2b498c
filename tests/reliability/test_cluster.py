"""A three-node RabbitMQ cluster under a steady load of courses: the node that leads the busiest
queues is stopped and started again, then one node is cut off from the other two (a network
partition, ``pause_minority``) and let back in.

The three private nodes (:class:`~forlob_testkit.rabbit_cluster.PrivateRabbitCluster`) run on this
machine; the services know them by a list (``FORLOB_BROKER_NODES``), so their queues are declared
with three replicas and their connections try the nodes in turn. The partition is made inside
the Erlang distribution (the module's docstring says how and why: there is no iptables here).

Each fault prints how long after it every consumer and every relay was connected again to a
surviving node (the broker's own list of connections and consumers), which must be under 30 s;
the count afterwards must show nothing lost, doubled or unexpected.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from forlob_testkit.outside import SmtpSink, WebhookReceiver
from forlob_testkit.processes import System
from forlob_testkit.rabbit_cluster import PrivateRabbitCluster
from forlob_testkit.servers import PrivateRabbitMQ
from forlob_testkit.wait import eventually

from .conftest import StartSystem
from .harness import mid_batch, start_run

# Three nodes to boot and two faults to ride out: longer than the suite's 300 s on a busy 2-CPU machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BACK_WITHIN = 30.0  # the bar: consumers and relays back on surviving nodes


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[PrivateRabbitCluster]:
    nodes = PrivateRabbitCluster(tmp_path / "cluster")
    await asyncio.to_thread(nodes.start)
    try:
        yield nodes
    finally:
        await asyncio.to_thread(nodes.cleanup)


def _clients(system: System) -> set[str]:
    """The connection names every service holds on the broker: its consumers and its relay."""
    return {f"forlob-{name} {role}" for name in system.services for role in ("consumers", "relay")}


async def back_on_survivors(
    cluster: PrivateRabbitCluster, system: System, gone: PrivateRabbitMQ, since: float
) -> float:
    """Seconds from ``since`` until every service's consumers and relay are connected to a node
    other than ``gone`` and every consumer queue of the system has its consumer again."""
    prefix = system.services["referral"].env["FORLOB_NAME_PREFIX"]
    wanted = _clients(system)

    async def settled() -> bool:
        try:
            connections = await asyncio.to_thread(cluster.connections, gone)
            queues = await asyncio.to_thread(
                lambda: cluster.ctl("list_queues", "name", "consumers", "--quiet", "--no-table-headers", avoid=gone)
            )
        except RuntimeError:
            return False  # the cluster is electing, or the CLI met the node on its way down
        on_survivors = {name for name, node in connections if node != gone.node}
        consumed = [
            line.split("\t")
            for line in queues.splitlines()
            if line.startswith(prefix) and not line.split("\t")[0].endswith((".dlq", "history"))
        ]
        every_queue_consumed = bool(consumed) and all(count.strip() not in ("", "0") for _, count in consumed)
        return wanted <= on_survivors and every_queue_consumed

    # Each probe is two rabbitmqctl calls (an Erlang VM each, about a second on this machine).
    await eventually(settled, timeout=90, interval=0.5, what=f"consumers and relays back off {gone.node}")
    return time.monotonic() - since


async def test_cluster_node_loss_and_partition(
    cluster: PrivateRabbitCluster,
    private_system: StartSystem,
    http: httpx.AsyncClient,
    smtp_sink: SmtpSink,
    webhook_receiver: WebhookReceiver,
) -> None:
    env = {"FORLOB_BROKER_NODES": cluster.hosts}
    async with private_system(broker_url=cluster.nodes[0].url, env=env) as system:
        prefix = system.services["referral"].env["FORLOB_NAME_PREFIX"]
        run = await start_run("cluster", system, http, smtp_sink, webhook_receiver)
        members = cluster.ctl("list_queues", "name", "members", "--no-table-headers", "--quiet", "--silent")
        replicated = [line for line in members.splitlines() if line.startswith(prefix)]
        assert replicated, members
        assert all(line.count("@") == 3 for line in replicated), members  # three replicas of each
        figures: list[str] = []

        async def stop_the_leader_then_partition() -> None:
            await mid_batch(system, "referral")  # course starts are being published
            run.window.begin()
            leader = await asyncio.to_thread(cluster.busiest_leader, prefix)
            struck = time.monotonic()
            stopping = asyncio.create_task(asyncio.to_thread(leader.stop))  # measured while it goes down
            back = await back_on_survivors(cluster, system, leader, struck)
            await stopping
            figures.append(f"node {leader.node} stopped: consumers and relays back on the others after {back:.1f} s")
            await asyncio.to_thread(leader.start)  # returns once it has booted and rejoined
            await asyncio.to_thread(cluster.wait_until_running, [leader])

            await mid_batch(system, "attendance")  # check-ins and detected absences
            isolated = await asyncio.to_thread(cluster.busiest_leader, prefix)
            struck = time.monotonic()
            await asyncio.to_thread(cluster.partition, isolated)
            back = await back_on_survivors(cluster, system, isolated, struck)
            figures.append(f"node {isolated.node} partitioned: back on the majority after {back:.1f} s")
            await asyncio.to_thread(cluster.heal, isolated)
            await asyncio.to_thread(cluster.wait_until_running, [isolated])
            run.window.heal()

        await run.play([8, 8, 0, 0], fault=stop_the_leader_then_partition)
        print("\ncluster:", "; ".join(figures))
        report = await run.finish()
        assert report.back_after is None or report.back_after < BACK_WITHIN
        for figure in figures:
            assert float(figure.rsplit(" after ", 1)[1].split()[0]) < BACK_WITHIN, figure

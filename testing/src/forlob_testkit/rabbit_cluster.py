"""Three (or more) private RabbitMQ nodes clustered on this machine, for the cluster fault test.

Each node is a :class:`~forlob_testkit.servers.PrivateRabbitMQ` with its own node name, AMQP and
distribution ports, data and log directories; they share an Erlang cookie and run with
``cluster_partition_handling = pause_minority``. The first node boots alone, the others join it
(``rabbitmqctl stop_app / reset / join_cluster / start_app``), as RabbitMQ's clustering guide does
by hand.

**A partition on one machine.** There is no iptables or nftables here, and the nodes all talk over
loopback, so a partition cannot be made in the network. RabbitMQ's own test suites cut the
Erlang distribution between nodes instead (``rabbit_ct_broker_helpers:block_traffic_between``,
through their ``inet_tcp_proxy_dist`` carrier, which a packaged node does not load). The same cut
is made here from inside the node with ``rabbitmqctl eval``: the isolated node gets a wrong
cookie for each of its peers (``erlang:set_cookie/2``), then drops its connections to them
(``erlang:disconnect_node/1``). Both sides see ``nodedown`` at once, as after a network cut, and
neither can reconnect, because every handshake between them now fails on the cookie (a plain
``disconnect_node`` alone heals within a moment: the next message reconnects). Client traffic is
not cut, as in a partition between broker hosts; ``pause_minority`` then stops the isolated node's
RabbitMQ application, which closes its client connections and listener. Healing sets the right
cookie back and pings the peers; the paused node sees its majority and starts again by itself.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from forlob_testkit.servers import PrivateRabbitMQ, wait_for
from forlob_testkit.servers.base import Started

__all__ = ["PrivateRabbitCluster"]

# The cookie the isolated node uses towards its peers while partitioned: every handshake fails.
_PARTITION_COOKIE = "forlob_partitioned"


class PrivateRabbitCluster(Started):
    """``size`` private nodes clustered together; ``nodes[0]`` is the seed the others join."""

    def __init__(self, workdir: Path, size: int = 3) -> None:
        cookie = secrets.token_hex(16).upper()
        self.workdir = workdir
        self.nodes = [
            PrivateRabbitMQ(
                workdir / f"node{index + 1}",
                cookie=cookie,
                # Pause the minority side of a partition: no split brain, clients go to the majority.
                extra_config="cluster_partition_handling = pause_minority\n",
            )
            for index in range(size)
        ]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def hosts(self) -> str:
        """Every node as ``host:port``, comma-separated: the services' ``FORLOB_BROKER_NODES``."""
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    def node(self, name: str) -> PrivateRabbitMQ:
        return next(node for node in self.nodes if node.node == name)

    def running(self) -> list[PrivateRabbitMQ]:
        return [node for node in self.nodes if node.running]

    def ctl(self, *args: str, timeout: float = 60, avoid: PrivateRabbitMQ | None = None) -> str:
        """``rabbitmqctl`` against the first running node (any member answers), ``avoid`` aside:
        a node on its way down (a CLI call to it would count among its processes, and hang)."""
        error: Exception | None = None
        for node in self.running():
            if node is avoid:
                continue
            try:
                return node.ctl(*args, timeout=timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:  # paused or on its way down
                error = exc
        raise RuntimeError(f"no node of the cluster answered rabbitmqctl {' '.join(args)}: {error}")

    def start(self, timeout: float = 120) -> None:
        """Boot every node (in parallel), then join the others to the first; return once every
        node runs as a member of one cluster."""
        try:
            with ThreadPoolExecutor(len(self.nodes)) as pool:
                for started in [pool.submit(node.start, timeout) for node in self.nodes]:
                    started.result()
            seed = self.nodes[0]
            for node in self.nodes[1:]:
                node.ctl("stop_app")
                node.ctl("reset")
                node.ctl("join_cluster", seed.node)
                node.ctl("start_app")
            self.wait_until_running(timeout=timeout)
        except BaseException:
            self.cleanup()
            raise

    def running_members(self, via: PrivateRabbitMQ | None = None) -> set[str]:
        """The nodes the cluster reports running (asked of ``via`` or of any node)."""
        probe = "[atom_to_list(N) || N <- rabbit_nodes:all_running()]."  # 3.10's list of running members
        try:
            answer = via.ctl("eval", probe, timeout=15) if via is not None else self.ctl("eval", probe, timeout=15)
        except (RuntimeError, subprocess.TimeoutExpired):
            return set()
        return {part.strip(' "\n') for part in answer.strip().strip("[]").split(",") if part.strip(' "\n')}

    def wait_until_running(self, nodes: list[PrivateRabbitMQ] | None = None, timeout: float = 90) -> None:
        """Return once every one of ``nodes`` (default all) runs RabbitMQ as a cluster member.

        Each node is awaited by ``rabbitmqctl await_startup`` (it returns when the node's
        application has booted, e.g. a paused node once it sees its majority again), then the
        membership is checked about once a second: every CLI call starts an Erlang VM, which on
        a small machine is not to be done in a tight loop."""
        deadline = time.monotonic() + timeout
        members = nodes or self.nodes
        for node in members:
            remaining = max(1, int(deadline - time.monotonic()))
            node.ctl("await_startup", "--timeout", str(remaining), timeout=remaining + 10)
        expected = {node.node for node in members}

        def joined() -> bool:
            if expected <= self.running_members():
                return True
            time.sleep(1)
            return False

        wait_for(joined, max(1.0, deadline - time.monotonic()), f"cluster members {sorted(expected)} running")

    def leaders(self, prefix: str) -> dict[str, str]:
        """Each quorum queue whose name starts with ``prefix``: the node that leads it."""
        listing = self.ctl("list_queues", "name", "type", "leader", "--no-table-headers", "--quiet", "--silent")
        found = {}
        for line in listing.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0].startswith(prefix) and parts[1] == "quorum":
                found[parts[0]] = parts[2].strip()
        return found

    def busiest_leader(self, prefix: str) -> PrivateRabbitMQ:
        """The node that leads the most of the prefix's consumer queues (dead-letter queues not
        counted: they carry no traffic)."""
        counts = Counter(
            leader for queue, leader in self.leaders(prefix).items() if not queue.endswith(".dlq") and leader
        )
        if not counts:
            raise RuntimeError(f"no quorum queue under {prefix!r} has a leader")
        return self.node(counts.most_common(1)[0][0])

    def connections(self, avoid: PrivateRabbitMQ | None = None) -> list[tuple[str, str]]:
        """Every client connection of the cluster as (its ``connection_name``, the node it is on)."""
        listing = self.ctl("list_connections", "port", "client_properties", "--formatter", "json", avoid=avoid)
        listing = json.loads(listing or "[]")
        by_port = {node.port: node.node for node in self.nodes}
        found = []
        for connection in listing:
            properties = {entry[0]: entry[2] for entry in connection.get("client_properties") or []}
            found.append((str(properties.get("connection_name", "")), by_port.get(connection.get("port"), "?")))
        return found

    def _peers(self, node: PrivateRabbitMQ) -> str:
        return "[" + ",".join(f"'{other.node}'" for other in self.nodes if other is not node) + "]"

    def partition(self, node: PrivateRabbitMQ) -> None:
        """Cut ``node`` off from its peers (see the module's docstring); they stay connected."""
        node.ctl(
            "eval",
            f"[begin erlang:set_cookie(N, '{_PARTITION_COOKIE}'), erlang:disconnect_node(N) end "
            f"|| N <- {self._peers(node)}], ok.",
        )

    def heal(self, node: PrivateRabbitMQ) -> None:
        """End ``node``'s partition: its peers' cookie is the shared one again, and it pings them."""
        node.ctl(
            "eval",
            f"[begin erlang:set_cookie(N, erlang:get_cookie()), net_adm:ping(N) end || N <- {self._peers(node)}], ok.",
        )

    def cleanup(self) -> None:
        """Stop (or kill) every node and delete its data; never raises before all are done."""
        errors = []
        for node in self.nodes:
            try:
                node.cleanup()
            except Exception as exc:  # noqa: BLE001  (the next node is cleaned up all the same)
                errors.append(exc)
        with contextlib.suppress(OSError):
            self.workdir.rmdir()
        if errors:
            raise errors[0]

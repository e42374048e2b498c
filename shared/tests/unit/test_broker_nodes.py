"""The broker as a list of nodes: settings, URLs, connecting in turn, failing over, replicas.

The cluster itself (three private nodes, a node stopped, a partition) is in
``tests/reliability/test_cluster.py``; these are the rules, against fakes."""

from __future__ import annotations

from typing import Any

import pytest
from aio_pika.exceptions import AMQPConnectionError, ChannelPreconditionFailed
from aio_pika.tools import CallbackCollection
from pydantic import ValidationError

from forlob_shared.messaging import nodes as nodes_module
from forlob_shared.messaging.consumer_connection import ConsumerConnection
from forlob_shared.messaging.nodes import BrokerNodes, NoBrokerNode, node_urls, parse_nodes
from forlob_shared.messaging.topology import Topology
from forlob_shared.settings import ServiceSettings
from forlob_testkit.wait import eventually

URL = "amqp://svc:p%40ss@rabbit:5672/forlob?heartbeat=30"


def test_nodes_are_host_and_port_with_the_default_port() -> None:
    assert parse_nodes("a:5673, b ,[::1]:5674,") == (("a", 5673), ("b", 5672), ("[::1]", 5674))
    assert parse_nodes("") == ()


@pytest.mark.parametrize("bad", ["a:0", "a:70000", "user@a:5672", "amqp://a", "a:5672/vhost", "a,a"])
def test_a_node_that_is_not_host_and_port_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="broker node"):
        parse_nodes(bad)


def test_each_node_gets_the_urls_user_vhost_and_options() -> None:
    assert node_urls(URL, "n1:5672,n2:5673") == (
        "amqp://svc:p%40ss@n1:5672/forlob?heartbeat=30",
        "amqp://svc:p%40ss@n2:5673/forlob?heartbeat=30",
    )
    assert node_urls("amqps://svc:x@rabbit/forlob", "n1") == ("amqps://svc:x@n1:5671/forlob",)
    assert node_urls(URL) == (URL,)


def test_settings_list_the_nodes_and_choose_three_replicas_on_a_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("FORLOB_BROKER_URL", "FORLOB_BROKER_NODES", "FORLOB_BROKER_REPLICAS"):
        monkeypatch.delenv(key, raising=False)
    single = ServiceSettings(broker_url=URL)
    assert (single.broker_urls, single.queue_replicas) == ((URL,), None)  # RabbitMQ's default, as before
    cluster = ServiceSettings(broker_url=URL, broker_nodes="n1,n2,n3,n4,n5")
    assert len(cluster.broker_urls) == 5
    assert cluster.queue_replicas == 3
    assert ServiceSettings(broker_url=URL, broker_nodes="n1,n2,n3", broker_replicas=5).queue_replicas == 5
    monkeypatch.setenv("FORLOB_BROKER_NODES", "n1:5672,bad node")
    with pytest.raises(ValidationError, match="broker node"):
        ServiceSettings()


def test_replicas_are_declared_only_when_chosen() -> None:
    plain = Topology(prefix="p.")
    assert "x-quorum-initial-group-size" not in plain.queue_arguments("p.q")
    assert "x-initial-cluster-size" not in plain.history_arguments()
    three = Topology(prefix="p.", replicas=3)
    assert three.queue_arguments("p.q")["x-quorum-initial-group-size"] == 3
    assert three.dead_letter_queue_arguments() == {"x-queue-type": "quorum", "x-quorum-initial-group-size": 3}
    assert three.history_arguments()["x-initial-cluster-size"] == 3


class _Channel:
    """Refuses the first declaration with ``refusal``, as RabbitMQ does an inequivalent one."""

    def __init__(self, refusal: str) -> None:
        self.refusal: str | None = refusal
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.reopened = 0

    async def declare_queue(self, name: str, **kwargs: Any) -> str:
        self.calls.append((name, kwargs))
        if self.refusal is not None:
            refusal, self.refusal = self.refusal, None
            raise ChannelPreconditionFailed(refusal)
        return name

    async def reopen(self) -> None:
        self.reopened += 1


async def test_a_queue_with_another_replica_count_is_kept() -> None:
    channel = _Channel("PRECONDITION_FAILED - inequivalent arg 'x-quorum-initial-group-size' for queue 'p.q'")
    assert await Topology(replicas=3)._declare(channel, "p.q", {"x-quorum-initial-group-size": 3}) == "p.q"  # type: ignore[arg-type]
    assert channel.reopened == 1
    assert channel.calls[-1] == ("p.q", {"passive": True})


async def test_any_other_inequivalent_argument_still_fails() -> None:
    channel = _Channel("PRECONDITION_FAILED - inequivalent arg 'x-delivery-limit' for queue 'p.q'")
    with pytest.raises(ChannelPreconditionFailed):
        await Topology(replicas=3)._declare(channel, "p.q", {"x-delivery-limit": 10})  # type: ignore[arg-type]


class _Connection:
    def __init__(self, url: str) -> None:
        self.url = url
        self.close_callbacks = CallbackCollection(self)
        self.closed = False

    async def close(self) -> None:
        self.closed = True

    async def lose(self) -> None:
        """The node went away: the robust connection tells its close callbacks."""
        await self.close_callbacks(AMQPConnectionError("node down"))


class _Broker:
    """Which nodes answer; records every connection made."""

    def __init__(self, down: set[str]) -> None:
        self.down = down
        self.made: list[_Connection] = []

    async def connect(self, url: str, **_: Any) -> _Connection:
        if url in self.down:
            raise AMQPConnectionError(111, "Connection refused")
        self.made.append(_Connection(url))
        return self.made[-1]


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> _Broker:
    fake = _Broker(down=set())
    monkeypatch.setattr(nodes_module.aio_pika, "connect", fake.connect)
    monkeypatch.setattr(nodes_module.aio_pika, "connect_robust", fake.connect)
    return fake


async def test_the_first_node_that_answers_is_used_and_a_lost_one_is_tried_last(broker: _Broker) -> None:
    nodes = BrokerNodes(["amqp://a/", "amqp://b/", "amqp://c/"])
    broker.down = {"amqp://a/"}
    assert (await nodes.connect()).url == "amqp://b/"  # type: ignore[attr-defined]
    assert nodes.where == "b:5672"
    assert (await nodes.connect()).url == "amqp://b/"  # type: ignore[attr-defined]  (it keeps to the node that works)
    nodes.lost()
    broker.down = set()
    assert (await nodes.connect()).url == "amqp://c/"  # type: ignore[attr-defined]
    broker.down = {"amqp://a/", "amqp://b/", "amqp://c/"}
    with pytest.raises(NoBrokerNode, match=r"c:5672.*a:5672.*b:5672"):
        await nodes.connect()


async def test_consumers_fail_over_to_the_next_node_when_theirs_is_lost(broker: _Broker) -> None:
    consuming = ConsumerConnection(["amqp://a/", "amqp://b/", "amqp://c/"], [], name="test", failover_backoff_max=0.05)
    await consuming.start()
    first = broker.made[-1]
    assert consuming.node == "a:5672"
    broker.down = {"amqp://a/", "amqp://b/"}  # a is gone, and b does not answer yet
    await first.lose()

    async def moved() -> bool:
        return consuming.node == "c:5672" and len(broker.made) == 2

    await eventually(moved, timeout=5, what="the consumers on node c")
    assert first.closed  # the robust connection to the lost node no longer knocks at it
    await consuming.close()
    assert broker.made[-1].closed
    await broker.made[-1].lose()  # after close nothing fails over again
    assert consuming._failover is None


async def test_a_single_node_is_left_to_the_robust_connection(broker: _Broker) -> None:
    consuming = ConsumerConnection("amqp://a/", [], name="test")
    await consuming.start()
    await broker.made[-1].lose()
    assert consuming._failover is None  # aio-pika reconnects to the one node by itself
    await consuming.close()

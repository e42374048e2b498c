"""The broker as a list of nodes: connect to the first that answers, and move on when one goes.

A RabbitMQ cluster is reached through any of its nodes: a client on one node consumes and
publishes to quorum queues led anywhere in the cluster. aio-pika (like FastStream, which takes one
URL and hands it to aio-pika) connects to one address only, and its robust connection keeps
retrying that address after losing it (aio-pika#141, still open). So the services name every
node (``FORLOB_BROKER_NODES``, see :func:`node_urls`) and connect through :class:`BrokerNodes`:
the nodes are tried in turn, starting with the one that worked last, or, after it was lost
(:meth:`BrokerNodes.lost`), with the next one. The consumers' connection
(:mod:`~forlob_shared.messaging.consumer_connection`) fails over as soon as it loses its node;
the relay and the watchdog simply connect again through the list.

With one URL and no node list, nothing changes: one node, aio-pika's robust reconnection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractRobustConnection
from aio_pika.exceptions import CONNECTION_EXCEPTIONS

from forlob_shared.redaction import describe_error

__all__ = ["BrokerNodes", "NoBrokerNode", "node_urls", "parse_nodes"]

_HOST_PORT = re.compile(r"(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")


class NoBrokerNode(ConnectionError):
    """No node of the list accepted a connection."""


def parse_nodes(nodes: str, default_port: int = 5672) -> tuple[tuple[str, int], ...]:
    """``"a:5672, b, c:5673"`` as ``(host, port)`` pairs; raises ValueError on anything else."""
    found = []
    for entry in (part.strip() for part in nodes.split(",")):
        if not entry:
            continue
        match = _HOST_PORT.fullmatch(entry)
        if match is None:
            raise ValueError(f"a broker node is host or host:port, not {entry!r}")
        port = int(match["port"]) if match["port"] else default_port
        if not 0 < port < 65536:
            raise ValueError(f"port {port} of broker node {entry!r} is out of range")
        found.append((match["host"], port))
    if len(set(found)) != len(found):
        raise ValueError("a broker node is listed twice")
    return tuple(found)


def node_urls(broker_url: str, nodes: str = "") -> tuple[str, ...]:
    """One AMQP URL per node: ``broker_url``'s user, password, vhost and options with each node's
    host and port. Without nodes, ``broker_url`` alone."""
    parts = urlsplit(broker_url)
    default_port = 5671 if parts.scheme == "amqps" else 5672
    pairs = parse_nodes(nodes, default_port)
    if not pairs:
        return (broker_url,)
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    return tuple(urlunsplit(parts._replace(netloc=f"{prefix}{host}:{port}")) for host, port in pairs)


def where(url: str) -> str:
    """``host:port`` of a node URL, for logs and errors (never the credentials)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5672}"


class BrokerNodes:
    """The nodes one component connects through, and which of them it is on.

    Each component (the consumers' connection, the relay, the watchdog) keeps its own, so one
    losing its node does not move the others.
    """

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("at least one broker URL")
        self.urls = tuple(urls)
        self._next = 0
        self.current: str | None = None  # the node of the last connection made

    @classmethod
    def of(cls, broker: str | Sequence[str] | BrokerNodes) -> BrokerNodes:
        if isinstance(broker, BrokerNodes):
            return broker
        return cls([broker] if isinstance(broker, str) else broker)

    @property
    def clustered(self) -> bool:
        return len(self.urls) > 1

    @property
    def where(self) -> str:
        """The node in use as ``host:port`` (or the first to try)."""
        return where(self.current or self.urls[self._next])

    def lost(self) -> None:
        """The node in use went away: the next connection tries the one after it first."""
        if self.current is not None:
            self._next = (self.urls.index(self.current) + 1) % len(self.urls)
            self.current = None

    async def connect(self, *, robust: bool = False, timeout: float = 10.0, **kwargs: Any) -> AbstractConnection:
        """A connection to the first node that accepts one, in turn from the preferred one.

        ``robust`` makes it aio-pika's robust connection (it reconnects to that same node); the
        other keyword arguments go to ``aio_pika.connect``/``connect_robust``. Raises
        :class:`NoBrokerNode` naming every node tried and why it failed.
        """
        failures = []
        for offset in range(len(self.urls)):
            index = (self._next + offset) % len(self.urls)
            url = self.urls[index]
            try:
                if robust:
                    connection: AbstractConnection = await aio_pika.connect_robust(url, timeout=timeout, **kwargs)
                else:
                    connection = await aio_pika.connect(url, timeout=timeout, **kwargs)
            except (TimeoutError, *CONNECTION_EXCEPTIONS, OSError) as exc:
                failures.append(f"{where(url)}: {describe_error(exc, limit=160)}")
                continue
            self._next, self.current = index, url
            return connection
        raise NoBrokerNode("no broker node accepted a connection (" + "; ".join(failures) + ")")

    async def connect_robust(self, *, timeout: float = 10.0, **kwargs: Any) -> AbstractRobustConnection:
        return cast(AbstractRobustConnection, await self.connect(robust=True, timeout=timeout, **kwargs))

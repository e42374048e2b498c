"""Private RabbitMQ and PostgreSQL servers, and a TCP proxy, for fault tests.

Fault tests have to stop, SIGKILL and restart the broker and the database, and cut the network in
front of them. Doing that to the machine's shared servers (RabbitMQ ``rabbit@localhost`` on
127.0.0.1:5672, PostgreSQL 15 on 127.0.0.1:5432) would break every other test and service running
here, and there is no Docker engine to give each test a container. So each test starts its own
server from the Debian-installed binaries, on free ports, with all state under a directory it owns:

* :class:`PrivateRabbitMQ` — a RabbitMQ node with its own node name, ports, Mnesia/Ra data, logs,
  config and Erlang cookie.
* :class:`PrivatePostgres` — a PostgreSQL cluster with its own data directory, port and socket
  directory, run as the ``postgres`` user because PostgreSQL refuses to run as root.
* :class:`FaultProxy` — an asyncio TCP proxy that can reset or black-hole every connection, to act
  out a network cut without touching the server behind it.

Data is kept across ``stop()``/``kill()`` and ``start()``: that is the point, since the tests check
that durable queues, quorum queues and committed rows survive a restart or a crash.

The server methods block (they wait for processes); from async code call them through
``asyncio.to_thread`` so the event loop and the clients under test keep running.
"""

from __future__ import annotations

from forlob_testkit.servers.base import leftover_processes, wait_for
from forlob_testkit.servers.ports import LOOPBACK, free_port, port_accepts, port_taken
from forlob_testkit.servers.postgres import POSTGRES_BIN, PrivatePostgres
from forlob_testkit.servers.proxy import FaultProxy
from forlob_testkit.servers.rabbitmq import RABBITMQ_BIN, PrivateRabbitMQ

__all__ = [
    "LOOPBACK",
    "POSTGRES_BIN",
    "RABBITMQ_BIN",
    "FaultProxy",
    "PrivatePostgres",
    "PrivateRabbitMQ",
    "free_port",
    "leftover_processes",
    "port_accepts",
    "port_taken",
    "wait_for",
]

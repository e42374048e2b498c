"""The reliability suite's servers and systems.

One private RabbitMQ node and one private PostgreSQL cluster serve the whole suite (started once,
from the installed binaries, on free ports): the tests stop, restart and kill them, so they can
never be the machine's shared servers. The tests run one after another, so a fault one test
makes is healed before the next starts. Each test gets its own exchange/queue prefix and its own
four databases (copied from a template migrated once per service), and runs the four services as
real processes (``running_system``), so it can SIGKILL and restart them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import asyncpg
import httpx
import pytest

from forlob_shared.migrations import upgrade
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.outside import SmtpSink, WebhookReceiver, smtp_sink, webhook_receiver
from forlob_testkit.processes import SERVICES, System, running_system
from forlob_testkit.servers import PrivatePostgres, PrivateRabbitMQ, leftover_processes

__all__ = ["smtp_sink", "webhook_receiver"]

_counter = itertools.count(1)

# Short ticks, so the periodic jobs (sweep, escalation rules, dispatch) act on moved time at once.
FAST_TICKS = {
    "FORLOB_NOTIFICATIONS_RULES_INTERVAL": "0.3",
    "FORLOB_NOTIFICATIONS_DISPATCH_POLL_INTERVAL": "0.2",
    "FORLOB_ATTENDANCE_SWEEP_INTERVAL": "0.3",
    "FORLOB_REFERRAL_SEAT_OFFER_INTERVAL": "1",
    # Back-off capped low, so a consumer that met an outage resumes within seconds of its end.
    "FORLOB_RETRY_BACKOFF_MAX": "2",
    # A sender killed mid-send leaves its claims; they run out in seconds, not the default two minutes.
    "FORLOB_NOTIFICATIONS_DISPATCH_CLAIM_LEASE": "10",
}


class Cluster:
    """A private PostgreSQL cluster and, per service, a migrated template database on it."""

    def __init__(self, server: PrivatePostgres) -> None:
        self.server = server
        self._templates: dict[str, str] = {}

    def url(self, database: str) -> str:
        return self.server.url.rpartition("/")[0] + f"/{database}"

    async def _execute(self, statement: str) -> None:
        conn = await asyncpg.connect(plain_postgres_url(self.server.url))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def database(self, service: str, name: str) -> str:
        """A new database for ``service`` at its newest schema; returns its URL."""
        if service not in self._templates:
            template = f"tpl_{service}"
            await self._execute(f'CREATE DATABASE "{template}"')
            spec = import_module(f"forlob_{service}.main").spec()
            target = "postgresql+asyncpg://" + self.url(template).split("://", 1)[1]
            # Alembic runs its own event loop: keep it off this one.
            await asyncio.to_thread(upgrade, spec.migrations_dir, target)
            self._templates[service] = template
        await self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._templates[service]}"')
        return self.url(name)


@dataclass
class PrivateServers:
    rabbit: PrivateRabbitMQ
    cluster: Cluster
    root: Path
    extra_clusters: list[PrivatePostgres] = field(default_factory=list)

    def new_cluster(self, name: str) -> Cluster:
        """Another private cluster (started), for a fault that must hit one service's database only."""
        server = PrivatePostgres(self.root / name)
        server.start()
        self.extra_clusters.append(server)
        return Cluster(server)


@pytest.fixture(scope="session")
def private_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateServers]:
    root = tmp_path_factory.mktemp("reliability")
    rabbit, postgres = PrivateRabbitMQ(root / "rabbit"), PrivatePostgres(root / "postgres")
    servers = PrivateServers(rabbit, Cluster(postgres), root)
    try:
        with ThreadPoolExecutor(2) as pool:  # the node boots in seconds; the cluster beside it
            for started in [pool.submit(rabbit.start), pool.submit(postgres.start)]:
                started.result()
        yield servers
    finally:
        for server in [*servers.extra_clusters, postgres, rabbit]:
            server.cleanup()
    assert not leftover_processes(), "a private server outlived the reliability suite"


StartSystem = Callable[..., contextlib.AbstractAsyncContextManager[System]]


@pytest.fixture
def private_system(private_servers: PrivateServers, tmp_path: Path, smtp_sink: SmtpSink) -> StartSystem:
    """``async with private_system(env=..., replicas=..., clusters=..., broker_url=...) as system``:
    the four services as processes on the private broker and cluster. ``clusters`` puts a
    service's database on another private cluster (for a fault that must hit that service alone);
    ``broker_url`` puts them on another broker (a RabbitMQ cluster: its nodes go in ``env``);
    ``databases`` gives a service's database URL outright (a database behind a proxy, or another
    release's schema); ``pythons`` runs a service on another release's interpreter."""

    @contextlib.asynccontextmanager
    async def start(
        *,
        env: Mapping[str, str] | None = None,
        replicas: Mapping[str, int] | None = None,
        clusters: Mapping[str, Cluster] | None = None,
        broker_url: str | None = None,
        databases: Mapping[str, str] | None = None,
        pythons: Mapping[str, str] | None = None,
    ) -> AsyncIterator[System]:
        run = next(_counter)
        urls = {
            name: (databases or {}).get(name)
            or await (clusters or {}).get(name, private_servers.cluster).database(name, f"r{run}_{name}")
            for name in SERVICES
        }
        manager = running_system(
            tmp_path / "system",
            broker_url=broker_url or private_servers.rabbit.url,
            prefix=f"rel{run}.",
            databases=urls,
            env={**FAST_TICKS, "FORLOB_NOTIFICATIONS_SMTP_PORT": str(smtp_sink.port), **(env or {})},
            replicas=replicas,
            pythons=pythons,
        )
        system = await asyncio.to_thread(manager.__enter__)
        try:
            yield system
        finally:
            await asyncio.to_thread(manager.__exit__, None, None, None)

    return start


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


__all__ += ["WebhookReceiver"]

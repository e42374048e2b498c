"""The pytest plugin every test suite in the workspace uses (``-p forlob_testkit.fixtures``).

Fixtures:
- ``infra``: broker and database server for this run (environment, testcontainers or local);
- ``make_database``: a fresh database per call, copied from a migrated template per service;
- ``prefix``: a name prefix of this test's own for exchanges and queues, deleted afterwards;
- ``run_service``: start a service in process (its lifespan: broker, consumers, relay) with an
  HTTP client bound to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest

from forlob_shared.clock import Clock
from forlob_shared.dbadmin import drop_database
from forlob_shared.migrations import upgrade
from forlob_shared.runtime import Runtime, ServiceSpec
from forlob_shared.service import create_app
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.infra import TestInfra, test_infra

_counter = itertools.count(1)


# The fast tier (``make test-unit``): tests here run with no server reachable, unless marked ``servers``.
FAST_TIER = (
    re.compile(r"(^|/)(shared|services/[^/]+)/tests/unit/"),
    re.compile(r"(^|/)tests/contract/"),
    re.compile(r"(^|/)services/web/tests/test_offline\.py$"),
)
NO_SERVERS = "FORLOB_TEST_NO_SERVERS"  # set by .ci/test-unit: every server fixture refuses at once


def in_fast_tier(path: str) -> bool:
    return any(pattern.search(path) for pattern in FAST_TIER)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A fast-tier test that asks for the servers without saying so fails before it waits on them."""
    needs_servers = "infra" in getattr(item, "fixturenames", ())
    if needs_servers and item.get_closest_marker("servers") is None and in_fast_tier(item.path.as_posix()):
        pytest.fail(
            f"{item.nodeid} uses the broker and database (fixture 'infra') but is in the fast tier: "
            "mark it @pytest.mark.servers, or move it to tests/integration",
            pytrace=False,
        )


def refuse_servers_in_a_run_without_them() -> None:
    if os.environ.get(NO_SERVERS) == "1":
        pytest.fail(f"no broker or database in this run ({NO_SERVERS}=1, make test-unit): a test asked for them")


@pytest.fixture(scope="session")
def infra() -> Iterator[TestInfra]:
    refuse_servers_in_a_run_without_them()
    with test_infra() as value:
        yield value


class DatabaseTemplates:
    """One migrated template database per service per run; tests copy it (fast) instead of migrating."""

    def __init__(self, infra: TestInfra) -> None:
        self.infra = infra
        self.templates: dict[str, str] = {}

    def template_for(self, spec: ServiceSpec[Any, Any, Any] | None) -> str:
        key = spec.name if spec else "messaging"
        if key not in self.templates:
            name = f"forlob_t{self.infra.run_id}_{key}_tpl"
            url = self.infra.database_url(name)
            asyncio.run(_create(self.infra, name))
            if spec is not None:
                upgrade(spec.migrations_dir, "postgresql+asyncpg://" + url.split("://", 1)[1])
            else:
                asyncio.run(_create_messaging_tables(url))
            self.templates[key] = name
        return self.templates[key]

    def drop_all(self) -> None:
        for name in self.templates.values():
            asyncio.run(drop_database(self.infra.database_url(name)))


async def _create(infra: TestInfra, name: str, template: str | None = None) -> None:
    conn = await asyncpg.connect(plain_postgres_url(infra.database_admin_url))
    try:
        clause = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await conn.close()


async def _create_messaging_tables(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from forlob_shared.messaging.tables import messaging_metadata

    engine = create_async_engine("postgresql+asyncpg://" + url.split("://", 1)[1], hide_parameters=True)
    async with engine.begin() as connection:
        await connection.run_sync(messaging_metadata.create_all)
    await engine.dispose()


@pytest.fixture(scope="session")
def database_templates(infra: TestInfra) -> Iterator[DatabaseTemplates]:
    templates = DatabaseTemplates(infra)
    yield templates
    templates.drop_all()


MakeDatabase = Callable[..., Awaitable[str]]


@pytest.fixture
async def make_database(infra: TestInfra, database_templates: DatabaseTemplates) -> AsyncIterator[MakeDatabase]:
    """``await make_database(spec)`` → URL of a new database at the service's newest schema.

    ``spec=None`` gives a database with only the messaging tables (outbox, inbox, ...).
    """
    created: list[str] = []

    async def make(spec: ServiceSpec[Any, Any, Any] | None = None) -> str:
        # Migrations run their own event loop (Alembic is synchronous): keep them off this one.
        template = await asyncio.to_thread(database_templates.template_for, spec)
        name = f"forlob_t{infra.run_id}_{next(_counter)}"
        await _create(infra, name, template)
        created.append(name)
        return infra.database_url(name)

    yield make
    for name in created:
        await drop_database(infra.database_url(name))


@dataclass
class BrokerNames:
    """Exchanges and queues a test declared, deleted when it ends."""

    prefix: str
    queues: set[str] = field(default_factory=set)
    exchanges: set[str] = field(default_factory=set)


@pytest.fixture
async def prefix(infra: TestInfra) -> AsyncIterator[str]:
    value = f"{infra.prefix}{next(_counter)}."
    yield value
    await delete_prefixed(infra.broker_url, value)


async def delete_prefixed(broker_url: str, prefix: str, extra_queues: set[str] | None = None) -> None:
    """Delete the standard topology under ``prefix`` and the given queues."""
    from forlob_shared.messaging.topology import Topology

    topology = Topology(prefix=prefix)
    queues = {
        topology.history_stream,
        *(extra_queues or set()),
        *_REGISTERED.pop(prefix, set()),
        *_service_queues(topology),
    }
    await _remove_partners(broker_url, topology, _PARTNERS.pop(prefix, set()))
    connection = await aio_pika.connect(broker_url)
    async with connection:
        for queue in sorted(queues):
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(queue)
            with contextlib.suppress(Exception):
                await channel.close()
        for exchange in (topology.events_exchange, topology.dead_letter_exchange, prefix + "forlob.partners"):
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(exchange)
            with contextlib.suppress(Exception):
                await channel.close()


_REGISTERED: dict[str, set[str]] = {}
_PARTNERS: dict[str, set[str]] = {}


def register_partner(prefix: str, org: str) -> None:
    """Have the partner feed of ``org`` (its vhost, shovel, user and queue) removed with the prefix,
    even when the test stops between adding it and its own cleanup."""
    _PARTNERS.setdefault(prefix, set()).add(org)


async def _remove_partners(broker_url: str, topology: Any, orgs: set[str]) -> None:
    from forlob_shared.ops.broker_admin import RabbitmqctlAdmin, vhost_of
    from forlob_shared.ops.partners import remove_partner

    for org in sorted(orgs):
        with contextlib.suppress(Exception):  # gone already, or the test's broker is elsewhere
            await remove_partner(broker_url, RabbitmqctlAdmin(vhost_of(broker_url)), topology, org)


def _service_queues(topology: Any) -> set[str]:
    """Every consumer queue (and its dead-letter queue) the installed services would declare
    under this prefix, so a test that started a service some other way leaves none behind."""
    from importlib import import_module

    names: set[str] = set()
    for service in ("referral", "attendance", "notifications", "reporting"):
        try:
            spec = import_module(f"forlob_{service}.main").spec()
        except ImportError:
            continue
        for subscription in spec.subscriptions_for(spec.settings_cls()):
            queue = topology.queue(service, subscription.purpose)
            names |= {queue, topology.dead_letter_queue(queue)}
    return names


def register_queue(prefix: str, queue: str) -> None:
    """Have ``queue`` (declared under ``prefix``) deleted with the prefix at the end of the test."""
    _REGISTERED.setdefault(prefix, set()).add(queue)


@dataclass
class RunningService:
    runtime: Runtime[Any, Any, Any]
    client: httpx.AsyncClient

    @property
    def settings(self) -> Any:
        return self.runtime.settings


RunService = Callable[..., contextlib.AbstractAsyncContextManager[RunningService]]


@pytest.fixture
def run_service(infra: TestInfra, prefix: str) -> RunService:
    @contextlib.asynccontextmanager
    async def run(
        spec: ServiceSpec[Any, Any, Any],
        database_url: str,
        *,
        clock: Clock | None = None,
        with_relay: bool = True,
        test_prefix: str | None = None,
        **overrides: Any,
    ) -> AsyncIterator[RunningService]:
        from forlob_testkit.processes import LOAD_TEST_RATE_LIMITS

        name_prefix = test_prefix or prefix
        overrides = {**LOAD_TEST_RATE_LIMITS, **overrides}
        settings = spec.settings_cls(
            database_url=database_url,
            broker_url=overrides.pop("broker_url", infra.broker_url),
            name_prefix=name_prefix,
            environment="test",
            relay_poll_interval=overrides.pop("relay_poll_interval", 0.2),
            **overrides,
        )
        app = create_app(spec, settings, clock, with_relay=with_relay)
        async with app.router.lifespan_context(app):
            runtime: Runtime[Any, Any, Any] = app.state.runtime
            for consumer in runtime.consumers:
                register_queue(name_prefix, consumer.queue)
                register_queue(name_prefix, runtime.topology.dead_letter_queue(consumer.queue))
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield RunningService(runtime, client)

    return run


@pytest.fixture
def start_system(
    infra: TestInfra, prefix: str, make_database: MakeDatabase, tmp_path: Any
) -> Callable[..., contextlib.AbstractAsyncContextManager[Any]]:
    """``async with start_system(env={...}) as system:`` — the four services as real processes."""
    from forlob_testkit.processes import SERVICES, running_system

    @contextlib.asynccontextmanager
    async def start(
        *,
        env: dict[str, str] | None = None,
        services: tuple[str, ...] = SERVICES,
        separate_relays: tuple[str, ...] = (),
    ) -> AsyncIterator[Any]:
        from importlib import import_module

        databases = {}
        for name in services:
            spec = import_module(f"forlob_{name}.main").spec()
            databases[name] = await make_database(spec)
            for consumer_purpose in [s.purpose for s in spec.subscriptions_for(spec.settings_cls())]:
                queue = f"{prefix}{name}.{consumer_purpose}"
                register_queue(prefix, queue)
                register_queue(prefix, f"{queue}.dlq")
        manager = running_system(
            tmp_path / "system",
            broker_url=infra.broker_url,
            prefix=prefix,
            databases=databases,
            env=env,
            services=services,
            separate_relays=separate_relays,
        )
        system = await asyncio.to_thread(manager.__enter__)
        try:
            yield system
        finally:
            await asyncio.to_thread(manager.__exit__, None, None, None)

    return start

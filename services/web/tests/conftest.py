"""One system of the four services (real processes) for all the web tests of a run: starting
one costs far more than the pages do, and each test works on referrals of its own at dates after
the one before (the services' clock only moves forward)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import asyncpg
import pytest

from forlob_shared.dbadmin import drop_database
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.fixtures import DatabaseTemplates, delete_prefixed
from forlob_testkit.infra import TestInfra
from forlob_testkit.outside import SmtpSink, running_smtp_sink
from forlob_testkit.processes import SERVICES, running_system
from forlob_testkit.servers import free_port
from forlob_testkit.web import SYSTEM_ENV


async def _copy(infra: TestInfra, name: str, template: str) -> None:
    connection = await asyncpg.connect(plain_postgres_url(infra.database_admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def web_mail() -> Iterator[SmtpSink]:
    """The mail relay the system's notifications service sends through, for the whole run."""
    with running_smtp_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def web_port() -> int:
    """Where the web is served in the browser tests: the system's e-mails link there."""
    return free_port()


@pytest.fixture(scope="session")
def web_system(
    infra: TestInfra,
    database_templates: DatabaseTemplates,
    tmp_path_factory: Any,
    web_mail: SmtpSink,
    web_port: int,
) -> Iterator[Any]:
    prefix = f"{infra.prefix}web."
    databases: dict[str, str] = {}
    queues: set[str] = set()
    try:
        for name in SERVICES:
            spec = import_module(f"forlob_{name}.main").spec()
            database = f"forlob_t{infra.run_id}_web_{name}"
            asyncio.run(_copy(infra, database, database_templates.template_for(spec)))
            databases[name] = infra.database_url(database)
            for subscription in spec.subscriptions_for(spec.settings_cls()):
                queues |= {f"{prefix}{name}.{subscription.purpose}", f"{prefix}{name}.{subscription.purpose}.dlq"}
        with running_system(
            tmp_path_factory.mktemp("web-system"),
            broker_url=infra.broker_url,
            prefix=prefix,
            databases=databases,
            env={
                **SYSTEM_ENV,
                "FORLOB_NOTIFICATIONS_SMTP_PORT": str(web_mail.port),
                "FORLOB_NOTIFICATIONS_PUBLIC_WEB_URL": f"http://127.0.0.1:{web_port}",
            },
        ) as system:
            yield system
    finally:
        asyncio.run(delete_prefixed(infra.broker_url, prefix, queues))
        for url in databases.values():
            asyncio.run(drop_database(url))

"""Where the tests find a broker and a database server.

In order: the URLs in ``FORLOB_TEST_BROKER_URL`` / ``FORLOB_TEST_DATABASE_URL``; containers
started with testcontainers where a Docker engine answers; else the local servers on 127.0.0.1.
Each run gets its own name prefix and its own databases, so runs never see each other.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

LOCAL_BROKER = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_DATABASE = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class TestInfra:
    __test__: ClassVar[bool] = False  # not a test class, whatever its name

    broker_url: str
    database_admin_url: str  # a URL of the server's maintenance database
    run_id: str
    origin: str  # "environment" | "testcontainers" | "local"

    def database_url(self, name: str) -> str:
        base, _, _ = self.database_admin_url.rpartition("/")
        return f"{base}/{name}"

    @property
    def prefix(self) -> str:
        return f"t{self.run_id}."


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:  # noqa: BLE001  (no engine, no socket, no permission: all mean "no")
        return False


@contextlib.contextmanager
def test_infra() -> Iterator[TestInfra]:
    run_id = secrets.token_hex(4)
    broker = os.environ.get("FORLOB_TEST_BROKER_URL")
    database = os.environ.get("FORLOB_TEST_DATABASE_URL")
    if broker and database:
        yield TestInfra(broker, database, run_id, "environment")
        return
    if os.environ.get("FORLOB_TEST_NO_CONTAINERS") != "1" and _docker_answers():
        with _containers(broker, database) as (broker_url, database_url):
            yield TestInfra(broker_url, database_url, run_id, "testcontainers")
        return
    yield TestInfra(broker or LOCAL_BROKER, database or LOCAL_DATABASE, run_id, "local")


@contextlib.contextmanager
def _containers(broker: str | None, database: str | None) -> Iterator[tuple[str, str]]:
    from testcontainers.postgres import PostgresContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    with contextlib.ExitStack() as stack:
        if not broker:
            rabbit: Any = stack.enter_context(RabbitMqContainer("rabbitmq:3.13-management"))
            host, port = rabbit.get_container_host_ip(), rabbit.get_exposed_port(5672)
            broker = f"amqp://guest:guest@{host}:{port}/"
        if not database:
            pg: Any = stack.enter_context(PostgresContainer("postgres:16", username="postgres", password="postgres"))
            host, port = pg.get_container_host_ip(), pg.get_exposed_port(5432)
            database = f"postgresql://postgres:postgres@{host}:{port}/postgres"
        yield broker, database

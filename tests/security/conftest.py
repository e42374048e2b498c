"""The four services in process (real PostgreSQL and RabbitMQ) and their operations, read from
each one's own OpenAPI, for the hostile-caller tests."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa

from forlob_shared.clock import ManualClock
from forlob_shared.http.auth import ROLES
from forlob_testkit.fixtures import RunningService

SERVICES = ("referral", "attendance", "notifications", "reporting")
# Every role any service knows: a caller that may do everything its organisation may.
ALL_ROLES = tuple(sorted(ROLES))  # every role a route may name, the DPO's too
UNGUARDED = ("/health/", "/metrics", "/docs", "/openapi.json", "/redoc")
MUTATING = {"post", "put", "patch", "delete"}
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# Plausible values for path parameters that are not ids.
PATH_VALUES = {
    "code": "RCA-UDV-13",
    "day": "2026-11-24",
    "name": "occupancy",
    "fmt": "png",
    "legal_basis": "LAB-32-1-2",
    "staff_id": "kp-1",
    "file": "referral.accepted.v1.json",  # a partner event's schema
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    params: tuple[str, ...]
    has_body: bool
    public: bool = False  # takes no token at all (``x-public``; test_roles holds the list)

    def url(self, values: dict[str, str] | None = None) -> str:
        filled = self.path
        for name in self.params:
            value = (values or {}).get(name) or PATH_VALUES.get(name) or str(uuid4())
            filled = filled.replace("{" + name + "}", value)
        return filled

    @property
    def mutating(self) -> bool:
        return self.method in MUTATING

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def service_spec(name: str) -> Any:
    return import_module(f"forlob_{name}.main").spec()


def openapi(name: str) -> dict[str, Any]:
    from forlob_shared.service import create_app

    spec = service_spec(name)
    schema: dict[str, Any] = create_app(spec, spec.settings_cls()).openapi()
    return schema


def operations(name: str) -> list[Operation]:
    found = []
    for path, item in openapi(name)["paths"].items():
        if path.startswith(UNGUARDED):
            continue
        for method, op in item.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            found.append(Operation(method, path, params, "requestBody" in op, op.get("x-public") is True))
    return found


Runner = contextlib.AbstractAsyncContextManager[RunningService]


@pytest.fixture
def start(make_database: Any, run_service: Any) -> Callable[..., Runner]:
    """``async with start("referral") as service`` — the service in process on a fresh database."""

    @contextlib.asynccontextmanager
    async def run(name: str, **overrides: Any) -> AsyncIterator[RunningService]:
        spec = service_spec(name)
        database = await make_database(spec)
        overrides.setdefault("with_relay", False)
        async with run_service(spec, database, clock=ManualClock(NOW), **overrides) as service:
            yield service

    return run


async def table_digest(service: RunningService) -> dict[str, str]:
    """A hash of every row of every table the service holds, to show a refused request changed nothing."""
    digests = {}
    async with service.runtime.engine.connect() as connection:
        tables = (
            await connection.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        ).scalars()
        for table in sorted(tables):
            rows = (await connection.execute(sa.text(f'SELECT * FROM "{table}"'))).mappings().all()
            text = sorted(json.dumps(dict(r), default=str, sort_keys=True) for r in rows)
            digests[table] = f"{len(text)}:" + hashlib.sha256("\n".join(text).encode()).hexdigest()
    return digests


@pytest.fixture(params=SERVICES)
def service_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)

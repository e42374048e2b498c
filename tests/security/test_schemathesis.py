"""schemathesis against every service's own OpenAPI: generated requests (a bounded number per
operation) from a caller with every role, over real HTTP to the service in process; no answer is a
5xx and every answer matches the schema the service publishes. Besides the generated cases, each
operation gets the hostile ones of ``hostile.py`` (NUL characters, far days, 64-bit overflows)."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any
from uuid import uuid4

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from forlob_shared.clock import ManualClock
from forlob_shared.service import create_app
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.fixtures import RunningService
from forlob_testkit.processes import LOAD_TEST_RATE_LIMITS
from forlob_testkit.scenario import PROVIDER, auth

from . import hostile as hostile_requests
from .conftest import ALL_ROLES, NOW, SERVICES, UNGUARDED, service_spec
from .seeds import SETTINGS, seed

EXAMPLES = 30
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, response_headers_conformance]
# A stream that never ends is no request/response pair to check.
STREAMS = {"/inbox/stream"}


def _runner(operation: Any, base_url: str, headers: dict[str, str], ids: dict[str, str]) -> Any:
    """A hypothesis test over one operation's generated cases."""
    counter = itertools.count()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any) -> None:
        if next(counter) % 2 and case.path_parameters:
            for name in case.path_parameters.keys() & ids.keys():
                case.path_parameters[name] = ids[name]
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=10)

    return run


def _fuzz(schema: dict[str, Any], base_url: str, ids: dict[str, str]) -> list[str]:
    """Run the generated cases of every operation; the failures found, one line each. Every
    other case names organisation A's real things (``ids``), so answers with data are checked too."""
    loaded = schemathesis.openapi.from_dict(schema)
    hostile = {(op.method, op.path): op for op in hostile_requests.operations(schema)}
    headers = auth(PROVIDER, *ALL_ROLES)
    failures: list[str] = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(UNGUARDED) or operation.path in STREAMS:
            continue

        run = _runner(operation, base_url, headers, ids)
        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:800]}")
        failures += _hostile(operation, hostile[(operation.method.lower(), operation.path)], base_url, headers, ids)
    return failures


def _hostile(
    operation: Any, op: hostile_requests.Operation, base_url: str, headers: dict[str, str], ids: dict[str, str]
) -> list[str]:
    """The classes of input that made 500s (issue 25), as cases of their own under the same
    checks: a NUL in each text value, days near year 1 or 9999, integers past 64 bits. Each
    starts from a request the route accepts, so the value gets as far as it can."""
    failures = []
    for request in [*hostile_requests.with_nul(op, ids), *hostile_requests.far_values(op, ids)]:
        case = operation.Case(
            path_parameters=request.path_parameters or None,
            query=request.query or None,
            headers={"Idempotency-Key": str(uuid4())},
            **({"body": request.body, "media_type": "application/json"} if request.body is not None else {}),
        )
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=10)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{request}: {str(exc)[:800]}")
    return failures


@pytest.mark.parametrize("service_name", SERVICES)
async def test_generated_requests_get_no_5xx_and_answers_match_the_schema(
    service_name: str, make_database: Any, infra: Any, prefix: str
) -> None:
    spec = service_spec(service_name)
    service_settings = spec.settings_cls(
        database_url=await make_database(spec),
        broker_url=infra.broker_url,
        name_prefix=prefix,
        environment="test",
        **LOAD_TEST_RATE_LIMITS,  # 30 requests per operation by one caller, with the clock standing still
        **SETTINGS[service_name],
    )
    app = create_app(spec, service_settings, ManualClock(NOW), with_relay=False)
    async with serving_app(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        ids = await seed(service_name, RunningService(app.state.runtime, client))
        failures = await asyncio.to_thread(_fuzz, app.openapi(), base_url, ids)
    assert not failures, "\n\n".join(failures)

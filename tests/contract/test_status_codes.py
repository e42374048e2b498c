"""schemathesis holds each service to its committed OpenAPI document (docs/openapi/): every
status code an operation answers is one the document lists for it, so a client generated from
the document knows every answer it can get. Each service runs in process over a real database
(its own, fresh) with a caller holding every role (forlob_testkit.scenario's tokens), then with
no token at all; the partner API (docs/openapi/partners.json) with a partner system's token.

Bounded and deterministic for CI: a fixed few generated cases per operation, derandomized (the
same cases on every run), no example database. The deeper fuzzing (many cases, hostile values,
answers against their schemas, seeded data) is tests/security/test_schemathesis.py's.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from forlob_shared.clock import ManualClock
from forlob_shared.http.auth import ROLES
from forlob_shared.service import create_app
from forlob_testkit.asgi_server import serving_app
from forlob_testkit.processes import LOAD_TEST_RATE_LIMITS
from forlob_testkit.scenario import JOBCENTRE, PROVIDER, auth

pytestmark = pytest.mark.servers

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi"
EXAMPLES = 6  # generated cases per operation and caller
CHECKS = [not_a_server_error, status_code_conformance]
# A stream that never ends is no request/response pair; /metrics is not in the document.
SKIP = {"/inbox/stream"}
# (document, service, the caller's organisation and roles; None: no token)
CALLERS: list[tuple[str, str, tuple[str, tuple[str, ...]] | None]] = [
    *[(s, s, (PROVIDER, tuple(sorted(ROLES)))) for s in ("referral", "attendance", "notifications", "reporting")],
    *[(s, s, None) for s in ("referral", "attendance", "notifications", "reporting")],
    ("partners", "notifications", (JOBCENTRE, ("partner_system",))),
]


def _check_operation(operation: Any, base_url: str, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=10)

    run()


def _conformance(document: dict[str, Any], base_url: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    """(operations checked, the failures: one entry per operation)."""
    checked, failures = 0, []
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        operation = result.ok()
        if operation.path in SKIP:
            continue
        checked += 1
        try:
            _check_operation(operation, base_url, headers)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    return checked, failures


@pytest.mark.parametrize(
    ("document", "service", "caller"), CALLERS, ids=[f"{d}-{'token' if c else 'no-token'}" for d, _, c in CALLERS]
)
async def test_every_answer_is_a_documented_status_code(
    document: str,
    service: str,
    caller: tuple[str, tuple[str, ...]] | None,
    make_database: Any,
    infra: Any,
    prefix: str,
) -> None:
    spec = import_module(f"forlob_{service}.main").spec()
    service_settings = spec.settings_cls(
        database_url=await make_database(spec),
        broker_url=infra.broker_url,
        name_prefix=prefix,
        environment="test",
        **LOAD_TEST_RATE_LIMITS,  # every generated request is served, none refused for its rate
    )
    committed = json.loads((DOCS / f"{document}.json").read_text())
    headers = auth(caller[0], *caller[1]) if caller else {}
    app = create_app(spec, service_settings, ManualClock(NOW), with_relay=False)
    async with serving_app(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        assert (await client.get("/health/ready")).status_code == 200
        checked, failures = await asyncio.to_thread(_conformance, committed, base_url, headers)
    assert checked >= len(committed["paths"]) - len(SKIP & set(committed["paths"]))
    assert not failures, "\n\n".join(failures)

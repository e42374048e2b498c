"""Another organisation's ids on every route that takes an id → 404 and nothing changed; the
owners' own staff without a role → 403 on every changing route (acknowledging an alert too: any
colleague may, but a token without a role is nobody's colleague), and nothing changed.

Each service holds real data of organisation A (made through its API or the same application
functions its consumers call); organisation B, with every role, calls every route that names one
of A's things, with a body that fits the route's schema, and must learn nothing and change nothing.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from forlob_testkit.fixtures import RunningService
from forlob_testkit.scenario import DEVELOPMENT_COURSE, JOBCENTRE, PROVIDER, auth, referral_body

from .conftest import ALL_ROLES, SERVICES, Operation, openapi, operations, table_digest
from .seeds import SETTINGS, seed

OTHER_ORG = "aspa-odense"
# Keys every organisation has its own of (staff ids, legal bases) name nothing of A's.
OWN_NAMESPACE = {"staff_id", "legal_basis", "day", "code", "name", "fmt", "file"}  # file: a partner schema
# Bodies the generator cannot get right (times without an offset, a plausible start day).
SCHEDULE = [{"weekday": 0, "start": "08:00", "end": "12:00"}]
BODIES: dict[str, Any] = {
    "post /referrals/{referral_id}/start": {
        "start_date": "2026-12-07",
        "schedule": SCHEDULE,
        "contact_person_id": "cp",
    },
    "post /referrals/{referral_id}/agreement": {
        "effective_from": "2026-12-07",
        "schedule": SCHEDULE,
        "contact_person_id": "c",
    },
}
QUERIES: dict[str, dict[str, str]] = {
    "get /referrals/{referral_id}/identity": {"purpose": "casework"},
    "get /participants/{participant_id}/slots": {"from": "2026-11-23", "to": "2026-11-27"},
}


def _schema_bodies(service: str) -> dict[str, Any]:
    """One schema-valid body per operation with a body, generated from the service's OpenAPI."""
    loaded = schemathesis.openapi.from_dict(openapi(service))
    bodies: dict[str, Any] = {}
    for result in loaded.get_all_operations():
        operation = result.ok()
        if operation.body:
            drawn: list[Any] = []

            @given(case=operation.as_strategy())
            @settings(max_examples=1, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
            def draw(case: Any) -> None:
                drawn.append(case.body)  # noqa: B023

            draw()
            bodies[f"{operation.method.lower()} {operation.path}"] = drawn[0]
    return bodies


async def _assert_foreign_ids_are_unknown(service: RunningService, name: str, ids: dict[str, str]) -> None:
    bodies = _schema_bodies(name) | BODIES
    intruder = auth(OTHER_ORG, *ALL_ROLES, staff="intruder")
    targets: list[Operation] = [
        op
        for op in operations(name)
        if op.params and not set(op.params) <= OWN_NAMESPACE and op.path != "/inbox/stream"
    ]
    assert targets, f"{name} has no route taking an id"
    before = await table_digest(service)
    failures = []
    for op in targets:
        key = f"{op.method} {op.path}"
        response = await service.client.request(
            op.method, op.url(ids), json=bodies.get(key), params=QUERIES.get(key), headers=intruder
        )
        if response.status_code != 404 or not response.headers["content-type"].startswith("application/problem+json"):
            failures.append(f"{op} {op.url(ids)}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)
    assert await table_digest(service) == before


@pytest.mark.parametrize("name", SERVICES)
async def test_another_organisations_ids_are_unknown(start: Any, name: str) -> None:
    async with start(name, **SETTINGS[name]) as service:
        ids = await seed(name, service)
        await _assert_foreign_ids_are_unknown(service, name, ids)


WHOLE_BODIES: dict[str, Any] = {
    "post /referrals": referral_body(random.Random(3)),
    "put /programmes/{code}": DEVELOPMENT_COURSE,
    "put /staff/{staff_id}": {"role": "contact_person", "email": "kp1@rca.example"},
}


@pytest.mark.parametrize("name", SERVICES)
async def test_staff_without_a_role_are_refused_every_change(start: Any, name: str) -> None:
    """With organisation A's real data and bodies that pass the schema, only the role is missing."""
    async with start(name, **SETTINGS[name]) as service:
        ids = await seed(name, service)
        bodies = _schema_bodies(name) | BODIES | WHOLE_BODIES
        before = await table_digest(service)
        allowed = []
        for org in (PROVIDER, JOBCENTRE):
            for op in operations(name):
                key = f"{op.method} {op.path}"
                # A signed route (the SMS gateway's webhooks) takes no token at all: a token without
                # a role is no signature, 401 (test_roles holds it).
                if op.mutating and not op.public:
                    response = await service.client.request(
                        op.method, op.url(ids), json=bodies.get(key), params=QUERIES.get(key), headers=auth(org)
                    )
                    if response.status_code != 403:
                        allowed.append(f"{org} without a role: {op} → {response.status_code} {response.text[:200]}")
        assert not allowed, "\n".join(allowed)
        assert await table_digest(service) == before

"""Every route names the roles it allows (``x-roles`` in the service's own OpenAPI, from
``requires(...)``), and the service holds to it: a caller with any other role, or with none, gets
403 problem+json and changes nothing; a caller with a named role is never refused for its role.

Each service holds real data of organisation A (as in test_tenancy), so a named role's call
reaches the application and its own checks: a route that names a role the application then
refuses would show here as a 403.
"""

from __future__ import annotations

from typing import Any

import httpx

from forlob_shared.http.auth import ROLES
from forlob_testkit.fixtures import RunningService
from forlob_testkit.scenario import JOBCENTRE, PROVIDER, auth

from .conftest import ALL_ROLES, Operation, table_digest
from .roles_table import DOC, documented, render
from .seeds import SETTINGS, seed

PUBLIC_PATHS = {"/health/live", "/health/ready"}
# Each service's own public routes besides: the partner contract's schemas, which every partner
# event's dataschema names (docs/partners.md#schemas).
OWN_PUBLIC_PATHS = {"notifications": {"/partner/schemas/referral.accepted.v1.json"}}
# Routes a sender authenticates by its signature, not a bearer token (the SMS gateway's webhooks):
# in the documents with no roles, and refused unsigned with a 401 problem (docs/sms.md).
SIGNED_PATHS = {"referral": {"/sms/gatewayapi/inbound", "/sms/gatewayapi/status"}}
QUERIES: dict[str, dict[str, str]] = {
    "get /referrals/{referral_id}/identity": {"purpose": "casework"},
    "get /participants/{participant_id}/slots": {"from": "2026-11-23", "to": "2026-11-27"},
}
# A stream that never ends is called last, once the service is stopping: it then says 'ready' and closes.
STREAMS = {"/inbox/stream"}


def _org(role: str | None) -> str:
    """Where a person with this role works: caseworkers at the jobcentre, the rest at the provider."""
    return JOBCENTRE if role == "caseworker" else PROVIDER


def declared(schema: dict[str, Any]) -> list[tuple[Operation, tuple[str, ...] | None]]:
    """Every operation with the roles it names, or None if it says it is public."""
    found = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            roles = None if op.get("x-public") is True else tuple(op.get("x-roles") or ())
            found.append((Operation(method, path, params, "requestBody" in op), roles))
    return found


async def _call(service: RunningService, op: Operation, ids: dict[str, str], role: str | None) -> httpx.Response:
    key = f"{op.method} {op.path}"
    headers = auth(_org(role), *([role] if role else []), staff="kp-1")
    body = {} if op.has_body else None
    return await service.client.request(op.method, op.url(ids), json=body, params=QUERIES.get(key), headers=headers)


async def test_every_route_answers_only_the_roles_it_names(start: Any, service_name: str) -> None:
    async with start(service_name, **SETTINGS[service_name]) as service:
        ids = await seed(service_name, service)
        schema = (await service.client.get("/openapi.json")).json()
        operations = declared(schema)

        # The declarations themselves: every operation names known roles, or is one of the health checks.
        undeclared = [f"{op}" for op, roles in operations if roles is not None and not roles]
        assert not undeclared, f"operations naming no roles: {undeclared}"
        public = {op.url() for op, roles in operations if roles is None}
        own = OWN_PUBLIC_PATHS.get(service_name, set())
        signed = SIGNED_PATHS.get(service_name, set())
        assert public == PUBLIC_PATHS | own | signed
        for path in signed:
            unsigned = await service.client.post(path, headers=auth(PROVIDER, "coordinator", staff="co-3"))
            assert unsigned.status_code == 401, unsigned.text
            assert unsigned.headers["content-type"].startswith("application/problem+json")
        unknown = {role for _, roles in operations for role in roles or () if role not in ROLES}
        assert not unknown
        assert set(ALL_ROLES) == ROLES  # the tests try every role there is

        for path in PUBLIC_PATHS | own:
            assert (await service.client.get(path)).status_code in (200, 503)  # no token asked for

        guarded = [(op, roles) for op, roles in operations if roles]
        before = await table_digest(service)
        let_through = []
        for op, roles in guarded:
            for role in (None, *sorted(ROLES - set(roles))):
                response = await _call(service, op, ids, role)
                problem = response.headers.get("content-type", "").startswith("application/problem+json")
                if response.status_code != 403 or not problem:
                    let_through.append(f"{op} as {role or 'no role'}: {response.status_code} {response.text[:160]}")
        assert not let_through, "roles the route does not name:\n" + "\n".join(let_through)
        assert await table_digest(service) == before

        refused = []
        for op, roles in sorted(guarded, key=lambda entry: entry[0].path in STREAMS):
            if op.path in STREAMS:
                service.runtime.stopping.set()
            for role in roles:
                response = await _call(service, op, ids, role)
                if response.status_code in (401, 403):
                    refused.append(f"{op} as {role}: {response.status_code} {response.text[:160]}")
        assert not refused, "roles the route names, refused:\n" + "\n".join(refused)


def test_the_security_doc_lists_every_route_with_the_roles_it_allows() -> None:
    """docs/security.md's table is made from the same OpenAPI, so it cannot drift: `make roles-table`."""
    text = DOC.read_text()
    assert documented(text) == render(), "docs/security.md's roles table is out of date: run `make roles-table`"

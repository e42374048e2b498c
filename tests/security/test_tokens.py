"""Every route of every service refuses a caller without a good token (401) and a caller without
the needed role (no 2xx), read from the services' own OpenAPI so a new route is covered at once.
A good token is also one that lives at most 12 hours, carries 'iat', names somebody ('sub') and
is at most 8 KB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from forlob_shared.settings import ServiceSettings
from forlob_testkit.scenario import PROVIDER, auth

from .conftest import ALL_ROLES, operations

SETTINGS = ServiceSettings()
SECRET = SETTINGS.jwt_secret.get_secret_value()


def _claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "staff-1",
        "org": PROVIDER,
        "roles": list(ALL_ROLES),
        "aud": SETTINGS.jwt_audience,
        "iss": SETTINGS.jwt_issuer,
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    claims.update(changes)
    return claims


def _without(name: str) -> dict[str, Any]:
    claims = _claims()
    del claims[name]
    return claims


def _unsigned(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, key=None, algorithm="none")


BAD_TOKENS: dict[str, dict[str, str]] = {
    "none": {},
    "not a bearer": {"Authorization": "Basic c3RhZmY6cGFzc3dvcmQ="},
    "garbage": {"Authorization": "Bearer not-a-jwt"},
    "expired": {
        "Authorization": "Bearer "
        + jwt.encode(_claims(exp=datetime.now(UTC) - timedelta(minutes=5)), SECRET, algorithm="HS256")
    },
    "wrong signature": {"Authorization": "Bearer " + jwt.encode(_claims(), "another-secret-" * 3, algorithm="HS256")},
    "alg none": {"Authorization": "Bearer " + _unsigned(_claims())},
    "wrong audience": {"Authorization": "Bearer " + jwt.encode(_claims(aud="someone-else"), SECRET, algorithm="HS256")},
    "wrong issuer": {"Authorization": "Bearer " + jwt.encode(_claims(iss="evil-issuer"), SECRET, algorithm="HS256")},
    "no organisation": {"Authorization": "Bearer " + jwt.encode(_claims(org=""), SECRET, algorithm="HS256")},
    # Well signed, but a stolen one would never expire, names nobody, or costs a lot to read.
    "100-year lifetime": {
        "Authorization": "Bearer "
        + jwt.encode(_claims(exp=datetime.now(UTC) + timedelta(days=36525)), SECRET, algorithm="HS256")
    },
    "no issued-at": {"Authorization": "Bearer " + jwt.encode(_without("iat"), SECRET, algorithm="HS256")},
    "empty subject": {"Authorization": "Bearer " + jwt.encode(_claims(sub=""), SECRET, algorithm="HS256")},
    "60 KB": {"Authorization": "Bearer " + jwt.encode(_claims(padding="x" * 60_000), SECRET, algorithm="HS256")},
}


async def test_every_route_refuses_a_bad_token_with_401(start: Any, service_name: str) -> None:
    async with start(service_name) as service:
        failures = []
        for op in operations(service_name):
            if op.public:  # no token asked, so none refused: a bad one is ignored like none
                continue
            for label, headers in BAD_TOKENS.items():
                body = {} if op.has_body else None
                response = await service.client.request(op.method, op.url(), json=body, headers=headers)
                ok = (
                    response.status_code == 401
                    and response.headers.get("content-type", "").startswith("application/problem+json")
                    and response.headers.get("www-authenticate", "").startswith("Bearer")
                )
                if not ok:
                    failures.append(f"{op} with {label}: {response.status_code} {response.text[:120]}")
        assert not failures, "\n".join(failures)


async def test_a_token_without_roles_never_changes_anything(start: Any, service_name: str) -> None:
    from .conftest import table_digest

    async with start(service_name) as service:
        before = await table_digest(service)
        failures = []
        for op in operations(service_name):
            if not op.mutating:
                continue
            body = {} if op.has_body else None
            response = await service.client.request(op.method, op.url(), json=body, headers=auth(PROVIDER))
            if response.is_success:
                failures.append(f"{op}: {response.status_code} for a role-less caller")
        assert not failures, "\n".join(failures)
        assert await table_digest(service) == before

"""Bearer-JWT authentication: who is calling, for which organisation, in which roles.

Locally tokens are HS256 with a shared secret (``forlob token`` mints them); in production the
services verify RS256/ES256 tokens against the identity provider's JWKS. ``alg: none`` and any
algorithm not configured are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from forlob_shared.errors import Forbidden, Unauthenticated
from forlob_shared.settings import ServiceSettings

ASYMMETRIC = ["RS256", "ES256"]


@dataclass(frozen=True)
class Principal:
    staff_id: str
    org: str
    roles: frozenset[str]

    def require(self, *roles: str) -> None:
        if roles and not self.roles.intersection(roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(roles))}")


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient | None:
        return jwt.PyJWKClient(self._settings.jwt_jwks_url, cache_keys=True) if self._settings.jwt_jwks_url else None

    async def verify(self, token: str) -> Principal:
        try:
            if self._jwks is not None:
                signing_key = await run_in_threadpool(self._jwks.get_signing_key_from_jwt, token)
                key: Any = signing_key.key
                algorithms = ASYMMETRIC
            else:
                key = self._settings.jwt_secret.get_secret_value()
                algorithms = ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the token is not valid: {exc}") from None
        org, roles = claims.get("org"), claims.get("roles", [])
        if not isinstance(org, str) or not org:
            raise Unauthenticated("the token names no organisation ('org')")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthenticated("'roles' must be a list of strings")
        return Principal(staff_id=str(claims["sub"]), org=org, roles=frozenset(roles))


def mint_token(
    settings: ServiceSettings, *, staff_id: str, org: str, roles: list[str], ttl: timedelta = timedelta(hours=8)
) -> str:
    """A local HS256 token (for development, tests and the demo)."""
    now = datetime.now(UTC)
    claims = {
        "sub": staff_id,
        "org": org,
        "roles": roles,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A JWT with 'sub' (staff id), 'org' and 'roles'")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    verifier: TokenVerifier = request.app.state.runtime.token_verifier
    return await verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

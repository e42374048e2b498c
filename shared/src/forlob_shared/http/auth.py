"""Bearer-JWT authentication: who is calling, for which organisation, in which roles.

Locally tokens are HS256 with a shared secret (``forlob token`` mints them); in production the
services verify RS256/ES256 tokens against the identity provider's JWKS. ``alg: none`` and any
algorithm not configured are refused, and so are tokens that are too large, live too long or
name nobody (see :meth:`TokenVerifier.verify`).

Every route says who may call it, in one way: a parameter or route dependency made by
:func:`requires` (one of the roles named), or :data:`PUBLIC` (no token at all: health, metrics,
the API docs). :func:`declare_access` refuses to build an app with a route that says neither,
and writes each route's roles into its OpenAPI operation (``x-roles``, or ``x-public: true``),
so the security tests and docs/security.md read them from the published document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from forlob_shared.errors import Forbidden, Unauthenticated
from forlob_shared.settings import ServiceSettings

ASYMMETRIC = ["RS256", "ES256"]

# Every role a token may carry that the services know. A role outside this set is not refused in
# a token (an identity provider may send others), but no route can name it: a typo in
# ``requires`` fails when the module loads, not silently in production.
# The people's roles, and the machines' (MACHINE_ROLES): ``partner_system`` is a referring
# organisation's case system reading the partner contract of its own referrals (docs/partners.md,
# catch-up); it is no member of staff, so only a route that names it lets it in.
STAFF_ROLES = frozenset(
    {"caseworker", "coordinator", "team_leader", "admin", "workshop_lead", "contact_person", "specialist", "dpo"}
)
MACHINE_ROLES = frozenset({"partner_system"})
ROLES = STAFF_ROLES | MACHINE_ROLES


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
        settings = self._settings
        # Checked before any parsing: a huge token costs nothing to refuse (and a JWKS lookup).
        if len(token) > settings.jwt_max_bytes:
            raise Unauthenticated(f"the token is longer than {settings.jwt_max_bytes} bytes")
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
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the token is not valid: {exc}") from None
        # PyJWT has checked that both are numbers and that 'iat' is not in the future; a stolen
        # token must not stay good for longer than a working day, whatever its issuer wrote.
        try:
            lifetime = float(claims["exp"]) - float(claims["iat"])
        except (TypeError, ValueError):
            raise Unauthenticated("'exp' and 'iat' must be times (seconds since 1970)") from None
        if lifetime > settings.jwt_max_lifetime_hours * 3600:
            raise Unauthenticated(f"the token may live at most {settings.jwt_max_lifetime_hours:g} hours (exp - iat)")
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub.strip():
            raise Unauthenticated("the token names nobody ('sub')")
        org, roles = claims.get("org"), claims.get("roles", [])
        if not isinstance(org, str) or not org:
            raise Unauthenticated("the token names no organisation ('org')")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthenticated("'roles' must be a list of strings")
        return Principal(staff_id=sub, org=org, roles=frozenset(roles))


def mint_token(
    settings: ServiceSettings, *, staff_id: str, org: str, roles: list[str], ttl: timedelta = timedelta(hours=8)
) -> str:
    """A local HS256 token (for development, tests and the demo)."""
    if ttl > timedelta(hours=settings.jwt_max_lifetime_hours):
        raise ValueError(f"a token may live at most {settings.jwt_max_lifetime_hours:g} hours")
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


# -- who may call a route ------------------------------------------------------------------------


class RoleCheck:
    """The dependency :func:`requires` makes: a valid token holding at least one of ``roles``."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        principal.require(*self.roles)
        return principal

    def __repr__(self) -> str:
        return f"requires{self.roles!r}"


def requires(*roles: str) -> Any:
    """``Annotated[Principal, requires("coordinator")]`` as a parameter, or in a route's
    ``dependencies=[...]``: a caller without one of the roles gets 403, without a token 401."""
    if not roles:
        raise ValueError("name at least one role; a route open to anyone is PUBLIC")
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; known: {sorted(ROLES)}")
    return Depends(RoleCheck(tuple(sorted(set(roles)))))


async def _public() -> None:
    """Marks a route that needs no token (health, metrics): it says so instead of forgetting to ask."""


PUBLIC = Depends(_public)

# Any member of the organisation with a role (a token with no role is refused even here): as a
# parameter, ``principal: AnyMember``.
AnyMember = Annotated[Principal, requires(*sorted(STAFF_ROLES))]


def _markers(dependant: Dependant) -> list[Any]:
    found: list[Any] = []
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleCheck) or sub.call is _public:
            found.append(sub.call)
        found.extend(_markers(sub))
    return found


def _access(methods: set[str], path: str, dependant: Dependant | None) -> tuple[str, ...] | None:
    """The roles a route allows, or None for a public one; an error if it declares neither (or
    more than one, which would leave the reader to guess whether all or any of them apply)."""
    markers = list(dict.fromkeys(_markers(dependant))) if dependant is not None else []
    if len(markers) != 1:
        what = "neither requires(...) nor PUBLIC" if not markers else f"several: {markers}"
        raise RuntimeError(f"{','.join(sorted(methods))} {path} declares {what}: say once who may call it")
    marker = markers[0]
    return marker.roles if isinstance(marker, RoleCheck) else None


def route_access(app: FastAPI) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """Who may call each operation of the app, by (method, path): its roles, or None if public.

    Raises if a route declares nobody, or is something other than an API route or FastAPI's own
    API docs (a mounted app or a plain route could not say who may call it)."""
    own_docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    access: dict[tuple[str, str], tuple[str, ...] | None] = {}
    # The routes as they are served, with what include_router added (FastAPI resolves them lazily).
    for context in iter_route_contexts(app.routes):
        path = str(context.path)
        if isinstance(context.original_route, APIRoute):
            methods = set(context.methods or ())
            roles = _access(methods, path, context.dependant)
            access.update({(method.lower(), path): roles for method in methods})
        elif path not in own_docs:
            raise RuntimeError(f"{path} is not an API route: it cannot declare who may call it")
    return access


def declare_access(app: FastAPI) -> None:
    """Check that every route says who may call it, and publish that in each OpenAPI operation:
    ``x-roles`` (any one of them is needed) or ``x-public: true`` (no token)."""
    route_access(app)  # at start-up: a route that says nothing never serves a request
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        access = route_access(app)
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if (method, path) not in access:
                    continue
                roles = access[(method, path)]
                operation.pop("x-roles", None)
                operation.pop("x-public", None)
                if roles is None:
                    operation["x-public"] = True
                else:
                    operation["x-roles"] = list(roles)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""Who may call a route: ``requires(...)`` or ``PUBLIC``, declared once per route, checked when
the app is built and published in its OpenAPI operation."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from forlob_shared.http.auth import PUBLIC, Principal, TokenVerifier, declare_access, mint_token, requires
from forlob_shared.http.problems import install_problem_handlers
from forlob_shared.settings import ServiceSettings

SETTINGS = ServiceSettings(jwt_secret="unit-test-secret-long-enough-for-hs256-" + "x" * 20)
Coordinator = Annotated[Principal, requires("coordinator")]


def _app(*routers: APIRouter) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.runtime = SimpleNamespace(token_verifier=TokenVerifier(SETTINGS))
    for router in routers:
        app.include_router(router)
    return app


def _declared() -> APIRouter:
    router = APIRouter()

    @router.get("/waiting-list")
    async def waiting_list(principal: Coordinator) -> dict[str, str]:
        return {"staff": principal.staff_id}

    @router.post("/notes", dependencies=[requires("caseworker", "coordinator")])
    async def notes() -> dict[str, str]:
        return {}

    @router.get("/health", dependencies=[PUBLIC])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return router


def _bearer(*roles: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(SETTINGS, staff_id="s-1", org="o", roles=list(roles))}


async def test_the_roles_are_checked_and_published() -> None:
    app = _app(_declared())
    declare_access(app)
    paths = app.openapi()["paths"]
    assert paths["/waiting-list"]["get"]["x-roles"] == ["coordinator"]
    assert paths["/notes"]["post"]["x-roles"] == ["caseworker", "coordinator"]
    assert paths["/health"]["get"]["x-public"] is True
    assert "x-roles" not in paths["/health"]["get"]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/waiting-list", headers=_bearer("coordinator"))).json() == {"staff": "s-1"}
        for headers in (_bearer(), _bearer("caseworker", "team_leader")):
            refused = await client.get("/waiting-list", headers=headers)
            assert refused.status_code == 403
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["detail"] == "this needs one of the roles: coordinator"
        assert (await client.get("/waiting-list")).status_code == 401
        assert (await client.post("/notes", headers=_bearer("caseworker"))).status_code == 200
        assert (await client.post("/notes", headers=_bearer("admin"))).status_code == 403
        assert (await client.get("/health")).status_code == 200


def test_a_route_that_does_not_say_who_may_call_it_stops_the_app_from_being_built() -> None:
    router = _declared()

    @router.get("/forgotten/{referral_id}")
    async def forgotten(referral_id: str) -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match=r"GET /forgotten/\{referral_id\} declares neither"):
        declare_access(_app(router))


def test_a_route_that_says_it_twice_is_refused_too() -> None:
    router = APIRouter()

    @router.get("/both", dependencies=[PUBLIC])
    async def both(principal: Coordinator) -> dict[str, str]:
        return {}

    with pytest.raises(RuntimeError, match="several"):
        declare_access(_app(router))


def test_roles_given_where_the_router_is_included_count() -> None:
    router = APIRouter()

    @router.get("/figures")
    async def figures() -> dict[str, str]:
        return {}

    app = _app()
    app.include_router(router, dependencies=[requires("team_leader")])
    declare_access(app)
    assert app.openapi()["paths"]["/figures"]["get"]["x-roles"] == ["team_leader"]


def test_a_mounted_app_cannot_declare_who_may_call_it() -> None:
    app = _app(_declared())
    app.mount("/static", FastAPI())
    with pytest.raises(RuntimeError, match="/static is not an API route"):
        declare_access(app)


def test_the_api_docs_of_fastapi_itself_are_public() -> None:
    app = _app(_declared())
    declare_access(app)  # /openapi.json, /docs, /redoc and the OAuth2 redirect raise nothing
    assert app.openapi_url == "/openapi.json"


def test_requires_names_at_least_one_known_role() -> None:
    with pytest.raises(ValueError, match="PUBLIC"):
        requires()
    with pytest.raises(ValueError, match="unknown role"):
        requires("coordinater")

"""RFC 9457 problem details: every error a client sees is application/problem+json."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from forlob_shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from forlob_shared.http.auth import CurrentPrincipal, TokenVerifier, mint_token
from forlob_shared.http.problems import PROBLEM_JSON, TYPE_BASE, install_problem_handlers, problem
from forlob_shared.settings import ServiceSettings

SECRET = "problems-unit-test-secret-" + "y" * 40
LEAKY = "password=hunter2 host=db.internal:5432"


class Item(BaseModel):
    name: str = Field(min_length=1)
    hours: float = Field(gt=0, le=37)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("FORLOB_"):
            monkeypatch.delenv(name)


@pytest.fixture
def settings() -> ServiceSettings:
    return ServiceSettings(jwt_secret=SECRET)


@pytest.fixture
def app(settings: ServiceSettings) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.runtime = SimpleNamespace(token_verifier=TokenVerifier(settings))

    @app.get("/referrals/{referral_id}")
    async def get_referral(referral_id: str) -> dict[str, str]:
        raise NotFound(f"no referral {referral_id}")

    @app.post("/referrals/{referral_id}/accept")
    async def accept(referral_id: str) -> dict[str, str]:
        raise Conflict("the referral was already withdrawn", current_state="withdrawn")

    @app.post("/hours")
    async def hours() -> dict[str, str]:
        raise InvalidInput("weekly hours must be between 1 and 37", field="wished_weekly_hours", maximum=37)

    @app.post("/rule")
    async def rule() -> dict[str, str]:
        raise DomainError("a participant can only be in one programme at a time")

    @app.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError(f"could not connect: {LEAKY}")

    @app.get("/key-error")
    async def key_error() -> dict[str, str]:
        return {"value": {}["missing-" + LEAKY]}

    @app.post("/items")
    async def create_item(item: Item) -> dict[str, Any]:
        return item.model_dump()

    @app.get("/teapot")
    async def teapot() -> dict[str, str]:
        raise HTTPException(status_code=418, detail="short and stout")

    @app.get("/structured-detail")
    async def structured_detail() -> dict[str, str]:
        raise HTTPException(status_code=400, detail={"internal": "structure"})

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"staff_id": principal.staff_id, "org": principal.org, "roles": sorted(principal.roles)}

    @app.post("/admin")
    async def admin(principal: CurrentPrincipal) -> dict[str, str]:
        principal.require("admin")
        return {"ok": "yes"}

    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://forlob.test") as client:
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith(TYPE_BASE)
    assert isinstance(body["title"], str)
    assert body["title"]
    return body


# --- domain errors ----------------------------------------------------------------------------


async def test_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/referrals/ref-123")
    body = assert_problem(response, 404)
    assert body == {
        "type": "https://forlob.dk/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "no referral ref-123",
        "instance": "/referrals/ref-123",
    }
    assert "www-authenticate" not in response.headers


async def test_conflict_with_extra_fields(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/referrals/ref-9/accept"), 409)
    assert body["type"] == "https://forlob.dk/problems/conflict"
    assert body["title"] == "Conflict with the current state"
    assert body["detail"] == "the referral was already withdrawn"
    assert body["instance"] == "/referrals/ref-9/accept"
    assert body["current_state"] == "withdrawn"


async def test_invalid_input_with_extra_fields(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/hours"), 422)
    assert body == {
        "type": "https://forlob.dk/problems/invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": "weekly hours must be between 1 and 37",
        "instance": "/hours",
        "field": "wished_weekly_hours",
        "maximum": 37,
    }


async def test_plain_domain_error(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/rule"), 422)
    assert body["type"] == "https://forlob.dk/problems/rule-violated"
    assert body["title"] == "The request breaks a rule"
    assert body["detail"] == "a participant can only be in one programme at a time"


# --- unexpected errors ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/boom", "/key-error"])
async def test_unexpected_error_is_a_500_without_details(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    body = assert_problem(response, 500)
    assert body == {
        "type": "https://forlob.dk/problems/internal",
        "title": "Internal error",
        "status": 500,
        "detail": "Something went wrong on our side; it has been logged.",
    }
    assert "hunter2" not in response.text
    assert "db.internal" not in response.text
    assert "RuntimeError" not in response.text
    assert "KeyError" not in response.text
    assert "Traceback" not in response.text


# --- request validation -----------------------------------------------------------------------


async def test_body_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "", "hours": "lots"})
    body = assert_problem(response, 422)
    assert body["type"] == "https://forlob.dk/problems/invalid-input"
    assert body["title"] == "Invalid input"
    assert body["detail"] == "The request does not match the schema"
    assert body["instance"] == "/items"
    errors = {tuple(e["location"]): e for e in body["errors"]}
    assert set(errors) == {("body", "name"), ("body", "hours")}
    assert errors[("body", "name")]["type"] == "string_too_short"
    assert errors[("body", "hours")]["type"] == "float_parsing"
    assert all(set(e) == {"location", "message", "type"} for e in body["errors"])
    assert all(e["message"] for e in body["errors"])
    # The offending input is not echoed back.
    assert "lots" not in response.text


async def test_body_out_of_range(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/items", json={"name": "x", "hours": 40}), 422)
    [error] = body["errors"]
    assert error["location"] == ["body", "hours"]
    assert error["type"] == "less_than_equal"


async def test_missing_body(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/items"), 422)
    assert body["errors"][0]["location"] == ["body"]
    assert body["errors"][0]["type"] == "missing"


async def test_malformed_json_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", content=b'{"name": ', headers={"content-type": "application/json"})
    body = assert_problem(response, 422)
    assert body["errors"][0]["type"] == "json_invalid"


async def test_valid_body_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", json={"name": "x", "hours": 12.5})
    assert response.status_code == 200
    assert response.json() == {"name": "x", "hours": 12.5}


# --- framework HTTP errors --------------------------------------------------------------------


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/no/such/route"), 404)
    assert body["type"] == "https://forlob.dk/problems/404"
    assert body["title"] == "Not found"
    assert body["instance"] == "/no/such/route"


async def test_method_not_allowed_is_a_405_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.delete("/items"), 405)
    assert body["type"] == "https://forlob.dk/problems/405"
    assert body["title"] == "Method not allowed"


async def test_method_not_allowed_keeps_the_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.delete("/items")
    assert response.status_code == 405
    assert response.headers.get("allow") == "POST"


async def test_http_exception_with_an_unknown_status(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/teapot"), 418)
    assert body["title"] == "Error"
    assert body["detail"] == "short and stout"
    assert body["instance"] == "/teapot"


async def test_http_exception_with_a_structured_detail_leaves_it_out(client: httpx.AsyncClient) -> None:
    response = await client.get("/structured-detail")
    body = assert_problem(response, 400)
    assert body["title"] == "Bad request"
    assert "detail" not in body
    assert "internal" not in response.text


# --- authentication ---------------------------------------------------------------------------


async def test_missing_bearer_token_is_a_401_with_www_authenticate(client: httpx.AsyncClient) -> None:
    response = await client.get("/me")
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["type"] == "https://forlob.dk/problems/unauthenticated"
    assert body["title"] == "Authentication required"
    assert "Bearer" in body["detail"]
    assert body["instance"] == "/me"


async def test_basic_auth_is_a_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_expired_token_is_a_401(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(settings, staff_id="s", org="o", roles=[], ttl=timedelta(seconds=-5))
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["detail"] == "the token has expired"


async def test_invalid_token_is_a_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Bearer not.a.token"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_valid_token_reaches_the_route(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(settings, staff_id="staff-3", org="provider-nord", roles=["reader", "coordinator"])
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"staff_id": "staff-3", "org": "provider-nord", "roles": ["coordinator", "reader"]}


async def test_missing_role_is_a_403_without_www_authenticate(
    client: httpx.AsyncClient, settings: ServiceSettings
) -> None:
    token = mint_token(settings, staff_id="staff-3", org="provider-nord", roles=["reader"])
    response = await client.post("/admin", headers={"Authorization": f"Bearer {token}"})
    body = assert_problem(response, 403)
    assert "www-authenticate" not in response.headers
    assert body["type"] == "https://forlob.dk/problems/forbidden"
    assert body["title"] == "Not allowed"
    assert body["detail"] == "this needs one of the roles: admin"


async def test_role_present_passes(client: httpx.AsyncClient, settings: ServiceSettings) -> None:
    token = mint_token(settings, staff_id="staff-3", org="provider-nord", roles=["admin"])
    response = await client.post("/admin", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


# --- problem() and the error classes ----------------------------------------------------------


def test_problem_omits_empty_detail_and_none_extras() -> None:
    response = problem(409, "Conflict", None, code="conflict", instance=None, extra={"hint": "retry", "gone": None})
    assert response.status_code == 409
    assert response.media_type == PROBLEM_JSON
    assert json.loads(response.body) == {
        "type": "https://forlob.dk/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "hint": "retry",
    }
    assert "www-authenticate" not in response.headers


def test_problem_type_defaults_to_the_status() -> None:
    body = json.loads(problem(503, "Unavailable", "try later").body)
    assert body["type"] == "https://forlob.dk/problems/503"
    assert body["detail"] == "try later"


def test_problem_401_carries_www_authenticate() -> None:
    response = problem(401, "Authentication required")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (DomainError, 422, "rule-violated"),
        (NotFound, 404, "not-found"),
        (Conflict, 409, "conflict"),
        (InvalidInput, 422, "invalid-input"),
        (Unauthenticated, 401, "unauthenticated"),
        (Forbidden, 403, "forbidden"),
    ],
)
def test_error_classes(error: type[DomainError], status: int, code: str) -> None:
    instance = error("what went wrong", key="value")
    assert isinstance(instance, DomainError)
    assert isinstance(instance, Exception)
    assert instance.status == status
    assert instance.code == code
    assert instance.title
    assert instance.detail == "what went wrong"
    assert str(instance) == "what went wrong"
    assert instance.extra == {"key": "value"}

"""The OpenAPI helper (forlob_shared.http.openapi): the standard errors come from what a route
depends on, every error answer is problem+json, operation ids are ``<tag>_<function>`` and
unique, and a part of a document (the partner API) keeps exactly the schemas it refers to."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from forlob_shared.http.auth import PUBLIC, Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey
from forlob_shared.http.openapi import PROBLEM_CONTENT, document_problems, tagged

Coordinator = Annotated[Principal, requires("coordinator")]


class Thing(BaseModel):
    name: str


class Other(BaseModel):
    size: int


def _app() -> FastAPI:
    app = FastAPI()
    document_problems(app)
    things = APIRouter(tags=["Things and stuff"])

    @things.get("/things")
    async def list_things(principal: Coordinator) -> list[Thing]:
        return []

    @things.get("/things/{thing_id}")
    async def get_thing(thing_id: int, principal: Coordinator) -> Thing:
        return Thing(name="x")

    @things.get("/things/search")
    async def search_things(principal: Coordinator, owner: UUID | None = None) -> list[Thing]:
        return []

    @things.post("/things", status_code=201)
    async def create_thing(thing: Thing, principal: Coordinator, key: IdempotencyKey) -> Thing:
        return thing

    @things.put("/things/{thing_id}", responses={409: {"description": "the thing is locked"}})
    async def put_thing(thing_id: int, thing: Thing, principal: Coordinator) -> Thing:
        return thing

    other = APIRouter(tags=["other"], dependencies=[PUBLIC])

    @other.get("/other")
    async def read_other() -> Other:
        return Other(size=1)

    app.include_router(things)
    app.include_router(other)
    return app


def _codes(document: dict[str, Any], method: str, path: str) -> list[str]:
    return sorted(document["paths"][path][method]["responses"])


def test_the_standard_errors_follow_the_routes_dependencies() -> None:
    document = _app().openapi()
    assert _codes(document, "get", "/things") == ["200", "401", "403"]
    assert _codes(document, "get", "/things/{thing_id}") == ["200", "401", "403", "404", "422"]
    assert _codes(document, "post", "/things") == ["201", "401", "403", "404", "409", "413", "422"]
    assert _codes(document, "get", "/things/search") == ["200", "401", "403", "404", "422"]
    assert _codes(document, "put", "/things/{thing_id}") == ["200", "401", "403", "404", "409", "413", "422"]
    assert _codes(document, "get", "/other") == ["200"]


def test_every_error_is_a_problem_and_a_routes_own_words_are_kept() -> None:
    document = _app().openapi()
    put = document["paths"]["/things/{thing_id}"]["put"]["responses"]
    assert put["409"] == {"description": "the thing is locked", "content": PROBLEM_CONTENT}
    assert put["422"]["description"].startswith("Invalid input")
    for item in document["paths"].values():
        for operation in item.values():
            for code, answer in operation["responses"].items():
                if code[0] in "45":
                    assert answer["content"] == PROBLEM_CONTENT
    schemas = document["components"]["schemas"]
    assert "Problem" in schemas
    assert "HTTPValidationError" not in schemas  # the framework's 422 body is never sent


def test_operation_ids_are_the_tag_and_the_function() -> None:
    ids = sorted(op["operationId"] for item in _app().openapi()["paths"].values() for op in item.values())
    assert ids == [
        "other_read_other",
        "things_and_stuff_create_thing",
        "things_and_stuff_get_thing",
        "things_and_stuff_list_things",
        "things_and_stuff_put_thing",
        "things_and_stuff_search_things",
    ]


def test_two_operations_with_one_id_are_refused() -> None:
    app = _app()
    again = APIRouter(tags=["other"], dependencies=[PUBLIC])

    @again.get("/other/again")
    async def read_other() -> Other:
        return Other(size=2)

    app.include_router(again)
    with pytest.raises(RuntimeError, match="operationId 'other_read_other'"):
        app.openapi()


def test_a_tagged_part_keeps_its_operations_and_the_schemas_they_refer_to() -> None:
    part = tagged(_app().openapi(), "other", "Other API", "only the other")
    assert list(part["paths"]) == ["/other"]
    assert sorted(part["components"]["schemas"]) == ["Other"]
    assert part["info"]["title"] == "Other API"

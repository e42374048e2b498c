"""The OpenAPI document says what the services really send, so an operator or a generated client
can rely on it (docs/openapi/, checked for drift by tests/contract/test_openapi_documents.py):

- every error a route can answer, as application/problem+json (RFC 9457), added once here from
  what the route depends on rather than by hand per route (:func:`standard_errors`): a token
  (``requires``) -> 401 and 403, a thing named (an id in the path or the query, or a body, which
  names what it acts on) -> 404, a body -> 413 and 422, a change (an ``Idempotency-Key`` or a
  write method) -> 409 and 422; 429 comes with every router
  (forlob_shared.service); what a route declares itself is kept;
- a stable, unique ``operationId`` per operation, ``<tag>_<function>`` in snake case (e.g.
  ``referrals_create_referral``), which a generated client names its methods by;
- a time of day as a local wall-clock time ("07:30", "07:30:00"), which OpenAPI's ``format:
  time`` (RFC 3339, with an offset) does not describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args
from uuid import UUID

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from forlob_shared.http.auth import RoleCheck
from forlob_shared.http.idempotency import HEADER as IDEMPOTENCY_HEADER

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; extra members (field, reason, errors, ...) say more",
    "properties": {
        "type": {"type": "string", "description": "https://forlob.dk/problems/<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "with invalid-input: each part of the request that does not match the schema",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "array", "items": {"type": "string"}},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}
LOCAL_TIME: dict[str, Any] = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "description": "a local time of day, HH:MM or HH:MM:SS, without an offset",
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

# What each standard error means, as the document says it.
ERRORS: dict[str, str] = {
    "401": "No valid bearer token: missing, expired, not signed by the configured issuer, or too long-lived",
    "403": "The token holds none of the roles this operation needs (x-roles)",
    "404": "Nothing of that id (in the path, the query or the body) in your organisation: unknown ids and "
    "other organisations' look the same",
    "409": "The request conflicts with the current state (e.g. the course has already ended); nothing changed",
    "413": "The body is larger than the service accepts",
    "422": "Invalid input: the request does not match the schema, breaks a rule, or reuses an "
    "Idempotency-Key for a different request; nothing changed",
}
WRITES = frozenset({"post", "put", "patch", "delete"})
# FastAPI's own schemas for its default 422 body, which the services never send.
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")


@dataclass(frozen=True)
class Operation:
    """What the document needs to know of one route and method."""

    method: str
    path: str
    tag: str
    name: str
    operation_id: str | None  # one the route gives itself
    authenticated: bool
    names_things: bool  # an id in the path or the query, or a body
    body: bool
    idempotency_key: bool

    @property
    def errors(self) -> tuple[str, ...]:
        """The status codes of the standard errors this operation can answer."""
        codes = set()
        if self.authenticated:
            codes |= {"401", "403"}
        if self.names_things or self.body:
            codes.add("404")
        if self.body:
            codes |= {"413", "422"}
        if self.idempotency_key or self.method in WRITES:
            codes |= {"409", "422"}
        return tuple(sorted(codes))


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def operations(app: FastAPI) -> dict[tuple[str, str], Operation]:
    """Every documented operation of the app by (method, path), as it is served."""
    found: dict[tuple[str, str], Operation] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.include_in_schema:
            continue
        dependant: Dependant = context.dependant
        parts = list(_dependants(dependant))
        tags = list(context.tags or ())
        for method in context.methods or ():
            operation = Operation(
                method=method.lower(),
                path=str(context.path_format),
                tag=str(tags[0]) if tags else "default",
                name=str(context.name),
                operation_id=context.operation_id,
                authenticated=any(isinstance(d.call, RoleCheck) for d in parts),
                names_things=any(
                    d.path_params or any(_is_id(q.field_info.annotation) for q in d.query_params) for d in parts
                ),
                body=context.body_field is not None,
                idempotency_key=any(p.alias == IDEMPOTENCY_HEADER for d in parts for p in d.header_params),
            )
            found[(operation.method, operation.path)] = operation
    return found


def _is_id(annotation: Any) -> bool:
    """A UUID, or an optional or a list of them: a query parameter naming a thing that may not exist."""
    return annotation is UUID or any(_is_id(arg) for arg in get_args(annotation))


def snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def operation_id(operation: Operation) -> str:
    return operation.operation_id or f"{snake(operation.tag)}_{snake(operation.name)}"


def operation_ids(app: FastAPI) -> dict[tuple[str, str], str]:
    """Each operation's id; an error if two operations would share one (a client could call only one)."""
    ids = {key: operation_id(operation) for key, operation in operations(app).items()}
    seen: dict[str, tuple[str, str]] = {}
    for key, name in ids.items():
        if name in seen:
            raise RuntimeError(f"operationId {name!r} names both {seen[name]} and {key}: rename one of the routes")
        seen[name] = key
    return ids


def standard_errors(operation: Operation, responses: dict[str, Any]) -> None:
    """Add the problem answers the operation can give to its ``responses``, keeping the ones the
    route declares itself (their description, their headers) but always as problem+json."""
    for code in operation.errors:
        answer = responses.setdefault(code, {"description": ERRORS[code]})
        if code == "422" and answer.get("description") == "Validation Error":  # FastAPI's default
            answer["description"] = ERRORS[code]
    for code, answer in responses.items():
        if code[:1] in {"4", "5"}:
            answer["content"] = PROBLEM_CONTENT


def document_problems(app: FastAPI) -> None:
    """Have ``app.openapi()`` describe every error answer as problem+json, add the standard
    errors and the operation ids, and describe local times."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        served = operations(app)
        ids = operation_ids(app)
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if (method, path) in served:
                    operation["operationId"] = ids[(method, path)]
                    standard_errors(served[(method, path)], operation.setdefault("responses", {}))
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in _FRAMEWORK_SCHEMAS:
            components.pop(name, None)
        components["Problem"] = PROBLEM_SCHEMA
        _local_times(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _local_times(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and value.get("type") == "string" and value.get("format") == "time":
                del value["format"]
                node[key] = {**value, **LOCAL_TIME, "description": value.get("description", LOCAL_TIME["description"])}
            else:
                _local_times(value)
    elif isinstance(node, list):
        for item in node:
            _local_times(item)


def tagged(document: dict[str, Any], tag: str, title: str, description: str) -> dict[str, Any]:
    """The part of ``document`` tagged ``tag`` as a document of its own (e.g. the partner API of
    the notifications service): its operations and the components they refer to, nothing else."""
    paths: dict[str, Any] = {}
    for path, item in document.get("paths", {}).items():
        kept = {method: op for method, op in item.items() if tag in op.get("tags", ())}
        if kept:
            paths[path] = kept
    schemas = document.get("components", {}).get("schemas", {})
    wanted: set[str] = set()
    todo = _refs(paths)
    while todo:
        name = todo.pop()
        if name not in wanted and name in schemas:
            wanted.add(name)
            todo |= _refs(schemas[name])
    info = {**document["info"], "title": title, "description": description}
    part: dict[str, Any] = {**document, "info": info, "paths": paths}
    part["components"] = {**document.get("components", {}), "schemas": {n: schemas[n] for n in sorted(wanted)}}
    return part


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found

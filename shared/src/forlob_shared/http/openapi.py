"""The OpenAPI document says what the services really send: a refused request (422) comes as
application/problem+json (RFC 9457), not as FastAPI's default validation body; and a time of day
is a local wall-clock time ("07:30", "07:30:00"), which OpenAPI's ``format: time`` (RFC 3339, with
an offset) does not describe."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; extra members (field, errors, ...) say more",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
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


def document_problems(app: FastAPI) -> None:
    """Have ``app.openapi()`` describe every 422 answer as problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                refused = operation.get("responses", {}).get("422")
                if refused is not None:
                    refused["content"] = PROBLEM_CONTENT
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
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

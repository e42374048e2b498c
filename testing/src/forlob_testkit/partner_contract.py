"""Holding a partner message, as it was on the wire, against the partner AsyncAPI document."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # the dev group brings it


def asyncapi_message(document: dict[str, Any], cloudevent_type: str) -> dict[str, Any]:
    """The document's message for this CloudEvent type (its headers pin ``type`` as a constant)."""
    for message in document["components"]["messages"].values():
        if message["headers"]["properties"]["type"]["const"] == cloudevent_type:
            return dict(message)
    raise AssertionError(f"the partner AsyncAPI document has no message of type {cloudevent_type}")


def check_against_asyncapi(document: dict[str, Any], headers: dict[str, Any], body: dict[str, Any]) -> None:
    """Raise if the message's headers or body break what the document says of its type."""
    message = asyncapi_message(document, str(body.get("type")))
    components = {"components": document["components"]}  # so that "#/components/..." resolves
    Draft202012Validator({**message["payload"], **components}).validate(body)
    Draft202012Validator({**message["headers"], **components}).validate(headers)

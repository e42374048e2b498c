"""Requests built from a service's own OpenAPI, valid except for one hostile value: every text
field, query and path parameter in turn gets a NUL character; every day and moment one near
year 1 or 9999; every integer query parameter a number past 64 bits.

A body starts from a known valid one (``VALID``, what the routes really accept, so the value
reaches the use case and the database) and else from the schema's own examples and defaults."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import uuid4

from forlob_testkit.scenario import DEVELOPMENT_COURSE, PROVIDER

from .conftest import PATH_VALUES, UNGUARDED

NUL = "a\x00b"
FAR_DAYS = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31")
FAR_MOMENTS = ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:30:00+01:00")
HUGE = (2**63, -(2**63) - 1, 2**64)

SCHEDULE = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(4)]
# Bodies the routes accept as they are (state aside), keyed "METHOD path".
VALID: dict[str, dict[str, Any]] = {
    "POST /referrals": {
        "programme_code": "RCA-UDV-13",
        "provider_org": PROVIDER,
        "participant": {"name": "Jens Hansen", "identity_number": "2110625629", "identity_scheme": "dk_cpr"},
        "goals": [{"text": "Stable attendance", "sub_goals": ["Arrive by 08:00"]}],
        "legal_basis": "LAB-32-1-2",
        "wished_start": "2026-12-07",
    },
    "PUT /programmes/{code}": DEVELOPMENT_COURSE,
    "POST /referrals/{referral_id}/start": {
        "start_date": "2026-11-30",
        "schedule": SCHEDULE,
        "contact_person_id": "kp-1",
        "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}]},
    },
    "PUT /staff/{staff_id}": {
        "role": "contact_person",
        "email": "kp-1@rca.example",
        "team_leader_id": "tl-1",
        "working_hours": [{"weekday": 0, "start": "08:00", "end": "16:00"}],
    },
    "POST /webhooks/subscriptions": {
        "url": "https://partner.example/hooks",
        "event_types": ["alert.raised"],
        "description": "the partner's case system",
    },
    "PATCH /webhooks/subscriptions/{subscription_id}": {
        "url": "https://partner.example/hooks2",
        "description": "the partner's case system",
    },
    "PUT /policies/{legal_basis}": {
        "notify_within_working_minutes": 120,
        "recipients": ["caseworker"],
        "notice_text": "Deltageren er udeblevet.",
    },
}


@dataclass(frozen=True)
class Request:
    method: str
    template: str  # the OpenAPI path, "/referrals/{referral_id}"
    path_parameters: dict[str, str]
    query: dict[str, Any]
    body: Any
    what: str  # which value is hostile, for the failure message

    @property
    def path(self) -> str:
        filled = self.template
        for name, value in self.path_parameters.items():
            filled = filled.replace("{" + name + "}", quote(value, safe=""))
        return filled

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.template} ({self.what})"


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _options(schema: dict[str, Any], doc: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema, doc)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return [o for o in (_resolve(o, doc) for o in options) if o.get("type") != "null"]
    return [schema]


_STRINGS = ("RCA-UDV-13", "kp-1", "LAB-32-1-2", "rca-aalborg", "contact the municipality", "x")


def example(schema: dict[str, Any], doc: dict[str, Any]) -> Any:
    """A value the schema allows, from its examples and defaults where it has them."""
    schema = _options(schema, doc)[0]
    for key in ("examples", "enum"):
        if schema.get(key):
            return copy.deepcopy(schema[key][0])
    if schema.get("default") is not None:
        return copy.deepcopy(schema["default"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example(sub, doc) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(schema.get("items", {}), doc)]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-11-30"
    if fmt == "date-time":
        return "2026-11-23T09:00:00+00:00"
    if fmt == "uuid":
        return str(uuid4())
    if fmt == "email":
        return "kp-1@rca.example"
    pattern = schema.get("pattern")
    for candidate in _STRINGS:
        if (not pattern or re.search(pattern, candidate)) and len(candidate) >= schema.get("minLength", 0):
            return candidate
    return "x" * max(1, schema.get("minLength", 1))


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _leaves(sub, (*path, index))
    else:
        yield path, value


def _replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(body)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]
    doc: dict[str, Any]

    def parameters(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def path_parameters(self, ids: dict[str, str], hostile: dict[str, str] | None = None) -> dict[str, str]:
        values = {}
        for p in self.parameters("path"):
            name = p["name"]
            value = (hostile or {}).get(name) or ids.get(name) or PATH_VALUES.get(name)
            values[name] = str(value or example(p["schema"], self.doc))
        return values

    def request(
        self, ids: dict[str, str], what: str, *, path: dict[str, str] | None = None, query: Any = None, body: Any = None
    ) -> Request:
        parameters = self.path_parameters(ids, path)
        return Request(self.method, self.path, parameters, {**self.query(), **(query or {})}, body, what)

    def query(self) -> dict[str, Any]:
        return {p["name"]: example(p["schema"], self.doc) for p in self.parameters("query") if p.get("required")}

    def body(self) -> Any:
        key = f"{self.method.upper()} {self.path}"
        if key in VALID:
            return copy.deepcopy(VALID[key])
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json")
        return None if content is None else example(content["schema"], self.doc)


def operations(doc: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, spec, doc)
        for path, item in doc["paths"].items()
        if not path.startswith(UNGUARDED) and path != "/inbox/stream"
        for method, spec in item.items()
    ]


def _string_like(schema: dict[str, Any], doc: dict[str, Any]) -> bool:
    return any(o.get("type") in ("string", None) and o.get("format") != "uuid" for o in _options(schema, doc))


def with_nul(op: Operation, ids: dict[str, str]) -> Iterator[Request]:
    """The operation's request with a NUL in one text value at a time."""
    body = op.body()
    for p in op.parameters("path"):
        if _string_like(p["schema"], op.doc):
            yield op.request(ids, f"path {p['name']}", path={p["name"]: NUL}, body=body)
    for p in op.parameters("query"):
        schema = _options(p["schema"], op.doc)[0]
        if schema.get("type") in ("string", "array") and schema.get("format") not in ("date", "date-time", "uuid"):
            value = [NUL] if schema.get("type") == "array" else NUL
            yield op.request(ids, f"query {p['name']}", query={p["name"]: value}, body=body)
    for path, value in _leaves(body):
        if isinstance(value, str):
            yield op.request(ids, f"body {path}", body=_replaced(body, path, NUL))
    if isinstance(body, dict):  # a key is text too
        yield op.request(ids, "a body key", body={**body, NUL: "x"})


def _far(schema: dict[str, Any], doc: dict[str, Any]) -> tuple[str, ...]:
    formats = {o.get("format") for o in _options(schema, doc)}
    return FAR_DAYS if "date" in formats else FAR_MOMENTS if "date-time" in formats else ()


def far_values(op: Operation, ids: dict[str, str]) -> Iterator[Request]:
    """The operation's request with a day or moment near year 1 or 9999, or a huge integer, in
    one place at a time."""
    body = op.body()
    for p in op.parameters("path"):
        for far in _far(p["schema"], op.doc):
            yield op.request(ids, f"path {p['name']}={far}", path={p["name"]: far}, body=body)
    for p in op.parameters("query"):
        values: tuple[Any, ...] = _far(p["schema"], op.doc)
        if not values and _options(p["schema"], op.doc)[0].get("type") == "integer":
            values = HUGE
        for far in values:
            yield op.request(ids, f"query {p['name']}={far}", query={p["name"]: far}, body=body)
    content = op.spec.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return
    for path, value in _leaves(body):
        sub = _schema_at(content["schema"], path, op.doc)
        far_ones: tuple[Any, ...] = _far(sub, op.doc) if sub is not None else ()
        if isinstance(value, int) and not isinstance(value, bool):
            far_ones = HUGE
        for far in far_ones:
            yield op.request(ids, f"body {path}={far}", body=_replaced(body, path, far))


def _schema_at(schema: dict[str, Any], path: tuple[Any, ...], doc: dict[str, Any]) -> dict[str, Any] | None:
    for key in path:
        found = None
        for option in _options(schema, doc):
            if isinstance(key, int) and "items" in option:
                found = option["items"]
            elif isinstance(key, str) and key in option.get("properties", {}):
                found = option["properties"][key]
            if found is not None:
                break
        if found is None:
            return None
        schema = found
    return schema

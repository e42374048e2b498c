"""The OpenAPI documents in docs/openapi/ are current (`make openapi` writes them), and say what
an operator and a generated client need: every error an operation can answer as problem+json,
a unique operation id fit for a method name, and a typed answer for every figure."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from forlob_attendance.main import spec as attendance
from forlob_notifications.main import spec as notifications
from forlob_referral.main import spec as referral
from forlob_reporting.main import spec as reporting
from forlob_shared.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from forlob_shared.http.openapi import PROBLEM_CONTENT
from forlob_shared.service_cli import openapi_document

DOCS = Path(__file__).resolve().parents[2] / "docs" / "openapi"
SPECS: dict[str, Any] = {
    "referral": referral,
    "attendance": attendance,
    "notifications": notifications,
    "reporting": reporting,
}
# document -> (service, tag)
DOCUMENTS: dict[str, tuple[str, str | None]] = {
    **{name: (name, None) for name in SPECS},
    "partners": ("notifications", "partners"),
}
OPERATION_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")
_built: dict[str, dict[str, Any]] = {}


def _document(name: str) -> dict[str, Any]:
    if name not in _built:
        service, tag = DOCUMENTS[name]
        _built[name] = openapi_document(SPECS[service](), tag=tag)
    return _built[name]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_committed_document_is_current(name: str) -> None:
    path = DOCS / f"{name}.json"
    assert path.exists(), f"{path} is missing: run `make openapi` and commit it"
    # Compared as the file is written, so a committed document is byte for byte what make writes.
    assert path.read_text() == json.dumps(_document(name), indent=2, sort_keys=True) + "\n", (
        f"{path} is out of date: run `make openapi`"
    )


def test_no_document_is_left_without_its_service() -> None:
    assert {p.stem for p in DOCS.glob("*.json")} == set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_operation_ids_are_unique_and_fit_for_a_method_name(name: str) -> None:
    ids = [op["operationId"] for _, _, op in _operations(_document(name))]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not OPERATION_ID.fullmatch(i)] == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_error_an_operation_can_answer_is_documented_as_a_problem(name: str) -> None:
    missing = []
    for method, path, op in _operations(_document(name)):
        codes = set(op["responses"])
        parameters = op.get("parameters", [])
        must = set()
        if "x-roles" in op:
            must |= {"401", "403"}
        if any(p["in"] == "path" for p in parameters):
            must.add("404")
        if "requestBody" in op:
            must |= {"404", "413", "422"}
        if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_HEADER for p in parameters):
            must |= {"409", "422"}
        if not path.startswith("/health/"):
            must.add("429")
        if must - codes:
            missing.append(f"{method.upper()} {path}: {sorted(must - codes)}")
        for code, answer in op["responses"].items():
            if code[0] in "45":
                assert answer["content"] == PROBLEM_CONTENT, f"{method.upper()} {path} {code}"
    assert missing == []


def test_the_partner_api_is_the_partner_part_of_the_notifications_api() -> None:
    partners, whole = _document("partners"), _document("notifications")
    for path, item in partners["paths"].items():
        assert item == {m: op for m, op in whole["paths"][path].items() if "partners" in op["tags"]}
    assert {"/partner/events", "/partner/referrals/{referral_id}"} <= set(partners["paths"])
    assert "Problem" in partners["components"]["schemas"]


def test_every_figure_answers_a_type() -> None:
    untyped = []
    for method, path, op in _operations(_document("reporting")):
        if not path.startswith(("/figures", "/statements/{referral_id}")) or path.endswith("{fmt}"):
            continue
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" not in schema:
            untyped.append(f"{method.upper()} {path}")
    assert untyped == []
    strict = _document("reporting")["components"]["schemas"]["FigureRow"]
    assert strict["additionalProperties"] is False

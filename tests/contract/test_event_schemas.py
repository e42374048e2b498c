"""The published event schemas in docs/events/ are current, and no change breaks them.

Run `make events` after changing the catalogue. A breaking change (a field removed or retyped, a
new required field) needs a new major version (`....v2`) published beside the old one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from forlob_shared.events.base import event_types, json_schema
from forlob_shared.events.compat import breaking_changes

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"


@pytest.mark.parametrize("routing_key", sorted(event_types()))
def test_published_schema_is_current_and_compatible(routing_key: str) -> None:
    current = json_schema(event_types()[routing_key])
    path = DOCS / f"{routing_key}.json"
    assert path.exists(), f"{path} is missing: run `make events` and commit it"
    published = json.loads(path.read_text())
    assert breaking_changes(published, current) == [], f"{routing_key} breaks its published schema"
    assert published == current, f"{path} is out of date: run `make events`"


def test_every_published_schema_still_has_its_event_type() -> None:
    # A published major version may only go once its consumers have moved; never silently.
    published = {p.stem for p in DOCS.glob("*.json")}
    assert published <= set(event_types()), f"published but gone from the catalogue: {published - set(event_types())}"


def _schema() -> dict[str, object]:
    return json_schema(event_types()["referral.received.v1"])


def test_check_fails_on_breaking_changes() -> None:
    removed = _schema()
    del removed["properties"]["programme_code"]  # type: ignore[attr-defined]
    retyped = _schema()
    retyped["properties"]["programme_code"] = {"type": "integer"}  # type: ignore[index]
    newly_required = _schema()
    newly_required["required"] = [*newly_required["required"], "legal_basis"]  # type: ignore[misc]
    assert breaking_changes(_schema(), removed) == ["programme_code: removed"]
    assert breaking_changes(_schema(), retyped) == ["programme_code: type changed from string to integer"]
    assert breaking_changes(_schema(), newly_required) == ["legal_basis: newly required"]


def test_check_passes_on_an_additive_change() -> None:
    added = copy.deepcopy(_schema())
    added["properties"]["weekly_hours_goal"] = {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None}  # type: ignore[index]
    assert breaking_changes(_schema(), added) == []


def test_make_events_refuses_a_breaking_change_to_a_published_major_and_says_which(tmp_path: Path) -> None:
    from forlob_shared.cli import BreakingChange, export_schemas, main

    export_schemas(tmp_path)  # as published
    published = tmp_path / "referral.received.v1.json"
    earlier = json.loads(published.read_text())
    earlier["properties"]["fax_number"] = {"type": "string"}  # a field this release no longer has
    earlier["properties"]["programme_code"] = {"type": "integer"}
    published.write_text(json.dumps(earlier))
    with pytest.raises(BreakingChange) as refused:
        export_schemas(tmp_path)
    assert "referral.received.v1.json: fax_number: removed" in str(refused.value)
    assert "referral.received.v1.json: programme_code: type changed from integer to string" in str(refused.value)
    assert json.loads(published.read_text()) == earlier  # nothing overwritten
    assert main(["events", "export", "--out", str(tmp_path)]) == 1

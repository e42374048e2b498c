"""The published partner contract (docs/events/partner/) is current, compatible, JSON Schema
2020-12, and by construction carries only pseudonymous ids and codes.

Run `make events` after changing a partner event type; a breaking change needs a new major
version (`.v2`) published beside the old one, as for internal events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from jsonschema import Draft202012Validator

from forlob_shared.events import PendingEvent, encode, event_types
from forlob_shared.events.compat import breaking_changes
from forlob_shared.partner import (
    PartnerEvent,
    ReferralRejected,
    partner_event_types,
    partner_json_schema,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events" / "partner"
TYPES = partner_event_types()
# Fields a partner event must never have: the provider's staff, a person's identity, free text.
FORBIDDEN_FIELDS = {
    "contact_person_id",
    "team_leader_id",
    "caseworker_id",
    "staff_id",
    "recipient_staff_id",
    "acknowledged_by",
    "escalated_to",
    "name",
    "identity_number",
    "note",
    "notes",
    "text",
    "summary",
    "description",
    "goals",
    "plan",
    # The provider's register and its support work with the participant (issue 21): a job's
    # employer, the participant's disclosure to it, who recorded or gave a result.
    "employer_id",
    "employer",
    "employer_name",
    "disclosure",
    "given_by",
    "recorded_by",
    # Referring on: who proposed, declined or withdrew a next step is the organisations' own
    # business, and the caseworker's reason for declining is not the provider's to tell back.
    "created_by",
    "proposed_by",
    "decided_by",
    "withdrawn_by",
    "decline_reason",
}
# Strings that are neither ids, codes, dates nor patterned: allowed by name, each for a reason.
FREE_STRINGS_ALLOWED = {"timezone"}  # an IANA zone name, e.g. Europe/Copenhagen


def _published(cls: type[PartnerEvent]) -> Path:
    return DOCS / f"{cls.name}.v{cls.version}.json"


@pytest.mark.parametrize("cloudevent_type", sorted(TYPES))
def test_published_partner_schema_is_current_compatible_and_2020_12(cloudevent_type: str) -> None:
    cls = TYPES[cloudevent_type]
    current = partner_json_schema(cls)
    path = _published(cls)
    assert path.exists(), f"{path} is missing: run `make events` and commit it"
    published = json.loads(path.read_text())
    assert breaking_changes(published, current) == [], f"{cloudevent_type} breaks its published schema"
    assert published == current, f"{path} is out of date: run `make events`"
    assert current["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(current)
    # Relative: it resolves against where the schema is served to that very URL (the dataschema).
    assert current["$id"] == path.name == cls.schema_file()
    served = partner_json_schema(cls, "https://api.forlob.example/notifications/")
    assert served["$id"] == f"https://api.forlob.example/notifications/partner/schemas/{path.name}"
    assert {**served, "$id": path.name} == current


def test_every_published_partner_schema_still_has_its_type() -> None:
    published = {p.name for p in DOCS.glob("*.json")}
    assert published == {_published(cls).name for cls in TYPES.values()}


def test_the_partner_contract_is_apart_from_the_internal_events() -> None:
    internal = {cls.cloudevent_type() for cls in event_types().values()}
    assert not internal & set(TYPES)
    for cloudevent_type, cls in TYPES.items():
        assert cloudevent_type == f"dk.forlob.partner.{cls.name}.v{cls.version}"
        assert cls.routing_key == f"partner.{cls.name}.v{cls.version}"  # all the partner exchange takes
        assert cls.aggregate() == "partner"  # one sequence series per referral for the whole contract


def _strings(schema: dict[str, Any], defs: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every string-typed leaf of a schema, with its path."""
    if "$ref" in schema:
        return _strings(defs[schema["$ref"].rsplit("/", 1)[1]], defs, path)
    found = []
    for option in schema.get("anyOf", []):
        found += _strings(option, defs, path)
    if schema.get("type") == "string":
        found.append((path, schema))
    for name, sub in schema.get("properties", {}).items():
        found += _strings(sub, defs, f"{path}.{name}")
    if "items" in schema:
        found += _strings(schema["items"], defs, f"{path}[]")
    return found


@pytest.mark.parametrize("cloudevent_type", sorted(TYPES))
def test_a_partner_event_holds_ids_and_codes_only(cloudevent_type: str) -> None:
    schema = partner_json_schema(TYPES[cloudevent_type])
    assert not FORBIDDEN_FIELDS & set(schema["properties"]), cloudevent_type
    for path, leaf in _strings(schema, schema.get("$defs", {})):
        constrained = "format" in leaf or "pattern" in leaf or "enum" in leaf or "const" in leaf
        assert constrained or path.rsplit(".", 1)[-1] in FREE_STRINGS_ALLOWED, f"{cloudevent_type}{path} is free text"


def test_a_code_cannot_carry_a_sentence() -> None:
    with pytest.raises(ValueError, match="reason_code"):
        ReferralRejected(
            referral_id=uuid4(),
            participant_id=uuid4(),
            programme_code="RCA-UDV-13",
            referring_org="jobcenter-aalborg",
            provider_org="rca-aalborg",
            reason_code="Jens Hansen is not in the target group",
            decided_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
        )


def test_on_the_wire_sequence_is_an_ordered_string_and_dataschema_is_set() -> None:
    event = ReferralRejected(
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        reason_code="not_target_group",
        decided_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    pending = PendingEvent(
        data=event,
        subject=str(event.referral_id),
        referring_org="jobcenter-aalborg",
        dataschema=event.schema_url("https://api.forlob.example"),
    )
    wire = [
        json.loads(encode(pending, source="forlob/notifications", sequence=n, time=datetime.now(UTC)))
        for n in (9, 10, 11)
    ]
    sequences = [w["sequence"] for w in wire]
    assert sequences == ["000000000009", "000000000010", "000000000011"]
    assert sequences == sorted(sequences)  # a plain string comparison orders them (the extension's rule)
    assert {w["dataschema"] for w in wire} == {"https://api.forlob.example/partner/schemas/referral.rejected.v1.json"}
    assert {w["type"] for w in wire} == {"dk.forlob.partner.referral.rejected.v1"}


def test_a_partner_event_without_its_dataschema_is_not_encoded() -> None:
    event = ReferralRejected(
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="RCA-UDV-13",
        referring_org="jobcenter-aalborg",
        provider_org="rca-aalborg",
        reason_code="not_target_group",
        decided_at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    pending = PendingEvent(data=event, subject=str(event.referral_id), referring_org="jobcenter-aalborg")
    with pytest.raises(ValueError, match="dataschema"):
        encode(pending, source="forlob/notifications", sequence=1, time=datetime.now(UTC))


def _properties(schema: Any) -> set[str]:
    """Every property name anywhere in a JSON document's schemas."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= _properties(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _properties(item)
    return found


def test_the_partner_apis_answers_hold_none_of_the_forbidden_fields_either() -> None:
    """What GET /partner/referrals/{id} and the feed answer (docs/openapi/partners.json): folded from
    the events, so no staff, identity, free text or decline reason there either; the open proposal
    is shown with its programme, relation and dates only."""
    document = json.loads((DOCS.parents[2] / "docs" / "openapi" / "partners.json").read_text())
    schemas = document["components"]["schemas"]
    assert not FORBIDDEN_FIELDS & _properties(schemas)
    assert set(schemas["OpenProposal"]["properties"]) == {
        "proposal_id",
        "next_programme_code",
        "next_provider_org",
        "relation",
        "planned_start",
        "proposed_at",
    }
    assert "open_proposal" in schemas["ReferralState"]["properties"]


def test_the_jobcentre_hears_its_decline_of_a_proposal_without_who_or_why() -> None:
    """programme.next_step_declined: the proposal, the referral, the organisations and when; the
    caseworker's staff id and the coded reason (course.next_step_declined.v1 has it) are not the
    partner's, and no next-step event has a field for a reason."""
    schema = partner_json_schema(TYPES["dk.forlob.partner.programme.next_step_declined.v1"])
    assert set(schema["properties"]) == {
        "referral_id",
        "participant_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "proposal_id",
        "declined_at",
    }
    assert set(schema["required"]) == set(schema["properties"])
    for cls in TYPES.values():
        if cls.name.startswith("programme.next_step_"):
            fields = set(partner_json_schema(cls)["properties"])
            assert not fields & {"reason", "reason_code", "decline_reason", "caseworker_id", "staff_id"}, cls.name

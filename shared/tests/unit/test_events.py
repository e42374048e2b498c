"""The event catalogue and the CloudEvents envelope: encode, decode, validation and the registry."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1.http import from_json as legacy_from_json
from pydantic import ValidationError

from forlob_shared.events import (
    CONTENT_TYPE,
    Envelope,
    EventData,
    InvalidEnvelope,
    PendingEvent,
    ReferralReceived,
    UnknownEventType,
    decode,
    encode,
    event_class,
    register,
)
from forlob_shared.events import base as events_base
from forlob_shared.events.base import event_class_for_type, event_types, json_schema

SOURCE = "/forlob/referral"
TIME = datetime(2026, 3, 2, 8, 15, 30, 123456, tzinfo=UTC)
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def referral_received(**overrides: Any) -> ReferralReceived:
    values: dict[str, Any] = {
        "referral_id": UUID("0b3f5c7e-1a2b-4c3d-8e9f-001122334455"),
        "participant_id": UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"),
        "programme_code": "AFKLARINGSFORLØB-13",
        "referring_org": "jobcenter-aalborg",
        "provider_org": "provider-nord",
        "received_at": datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
        "wished_start": date(2026, 3, 16),
        "wished_weekly_hours": 12.5,
        "legal_basis": "LAB-32-1-2",
    }
    values.update(overrides)
    return ReferralReceived(**values)


def pending(**overrides: Any) -> PendingEvent:
    data = referral_received()
    values: dict[str, Any] = {
        "data": data,
        "subject": f"referral/{data.referral_id}",
        "referring_org": "jobcenter-aalborg",
        "provider_org": "provider-nord",
    }
    values.update(overrides)
    return PendingEvent(**values)


def encoded(event: PendingEvent | None = None, **kwargs: Any) -> bytes:
    arguments: dict[str, Any] = {"source": SOURCE, "sequence": 3, "time": TIME, "traceparent": TRACEPARENT}
    arguments.update(kwargs)
    return encode(event or pending(), **arguments)


def document(**changes: Any) -> dict[str, Any]:
    """A valid envelope as a dict; a change to None removes the key."""
    doc: dict[str, Any] = json.loads(encoded())
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def as_bytes(doc: Any) -> bytes:
    return json.dumps(doc).encode()


# --- payloads and PendingEvent ----------------------------------------------------------------


def test_referral_received_identity() -> None:
    assert ReferralReceived.routing_key == "referral.received.v1"
    assert ReferralReceived.aggregate() == "referral"
    assert ReferralReceived.cloudevent_type() == "dk.forlob.referral.received.v1"


def test_event_data_is_frozen() -> None:
    data = referral_received()
    with pytest.raises(ValidationError):
        data.programme_code = "OTHER"  # type: ignore[misc]


def test_event_data_optional_fields_default_to_none() -> None:
    data = ReferralReceived(
        referral_id=uuid4(),
        participant_id=uuid4(),
        programme_code="P",
        referring_org="a",
        provider_org="b",
        received_at=TIME,
    )
    assert data.wished_start is None
    assert data.wished_weekly_hours is None
    assert data.legal_basis is None


def test_pending_event_defaults() -> None:
    first, second = (
        PendingEvent(data=referral_received(), subject="s"),
        PendingEvent(data=referral_received(), subject="s"),
    )
    assert isinstance(first.id, UUID)
    assert first.id != second.id
    assert first.referring_org is None
    assert first.provider_org is None
    assert first.aggregate_type == "referral"


# --- encode -----------------------------------------------------------------------------------


def test_content_type() -> None:
    assert CONTENT_TYPE == "application/cloudevents+json"


def test_encode_writes_a_structured_cloudevent() -> None:
    event = pending()
    doc = json.loads(encoded(event))
    assert doc["specversion"] == "1.0"
    assert doc["id"] == str(event.id)
    assert doc["source"] == SOURCE
    assert doc["type"] == "dk.forlob.referral.received.v1"
    assert doc["subject"] == event.subject
    assert doc["time"] == "2026-03-02T08:15:30.123456Z"
    assert doc["datacontenttype"] == "application/json"
    assert doc["sequence"] == 3
    assert doc["referringorg"] == "jobcenter-aalborg"
    assert doc["providerorg"] == "provider-nord"
    assert doc["traceparent"] == TRACEPARENT
    assert doc["data"] == {
        "referral_id": "0b3f5c7e-1a2b-4c3d-8e9f-001122334455",
        "participant_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "programme_code": "AFKLARINGSFORLØB-13",
        "referring_org": "jobcenter-aalborg",
        "provider_org": "provider-nord",
        "received_at": "2026-03-02T08:15:00Z",
        "wished_start": "2026-03-16",
        "wished_weekly_hours": 12.5,
        "legal_basis": "LAB-32-1-2",
        "outreach_case_id": None,
    }


def test_encode_writes_compact_utf8() -> None:
    body = encoded()
    assert isinstance(body, bytes)
    assert b", " not in body
    assert b'": ' not in body
    assert "FORLØB".encode() in body  # not \u00d8
    assert b"\\u00d8" not in body


def test_encode_converts_time_to_utc_with_z() -> None:
    copenhagen_summer = datetime(2026, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    doc = json.loads(encoded(time=copenhagen_summer))
    assert doc["time"] == "2026-06-01T07:00:00Z"


def test_encode_omits_absent_extensions() -> None:
    event = pending(referring_org=None, provider_org=None)
    doc = json.loads(encoded(event, traceparent=None))
    assert "referringorg" not in doc
    assert "providerorg" not in doc
    assert "traceparent" not in doc


# --- round trip -------------------------------------------------------------------------------


def test_encode_decode_round_trip() -> None:
    event = pending()
    envelope = decode(encoded(event))
    assert isinstance(envelope, Envelope)
    assert envelope.id == event.id
    assert envelope.source == SOURCE
    assert envelope.type == "dk.forlob.referral.received.v1"
    assert envelope.subject == event.subject
    assert envelope.time == TIME
    assert envelope.time.utcoffset() == timedelta(0)
    assert envelope.sequence == 3
    assert envelope.referringorg == "jobcenter-aalborg"
    assert envelope.providerorg == "provider-nord"
    assert envelope.traceparent == TRACEPARENT
    assert envelope.routing_key == "referral.received.v1"
    assert isinstance(envelope.data, ReferralReceived)
    assert envelope.data == event.data


def test_round_trip_without_optional_parts() -> None:
    data = referral_received(wished_start=None, wished_weekly_hours=None, legal_basis=None)
    event = PendingEvent(data=data, subject="referral/x")
    envelope = decode(encode(event, source=SOURCE, sequence=1, time=TIME))
    assert envelope.data == data
    assert envelope.referringorg is None
    assert envelope.providerorg is None
    assert envelope.traceparent is None
    assert envelope.sequence == 1


def test_envelope_is_frozen() -> None:
    envelope = decode(encoded())
    with pytest.raises(ValidationError):
        envelope.sequence = 4  # type: ignore[misc]


# --- the official CloudEvents SDK reads what we write -----------------------------------------


def test_cloudevents_sdk_reads_the_body() -> None:
    event = pending()
    body = encoded(event)
    ce = JSONFormat().read(None, body)
    assert ce.get_specversion() == "1.0"
    assert ce.get_id() == str(event.id)
    assert ce.get_source() == SOURCE
    assert ce.get_type() == "dk.forlob.referral.received.v1"
    assert ce.get_subject() == event.subject
    assert ce.get_time() == TIME
    assert ce.get_datacontenttype() == "application/json"
    assert ce.get_extension("sequence") == 3
    assert ce.get_extension("referringorg") == "jobcenter-aalborg"
    assert ce.get_extension("providerorg") == "provider-nord"
    assert ce.get_extension("traceparent") == TRACEPARENT
    assert ce.get_data() == json.loads(body)["data"]


def test_legacy_cloudevents_sdk_reads_the_body() -> None:
    event = pending()
    ce = legacy_from_json(encoded(event))
    assert ce["specversion"] == "1.0"
    assert ce["id"] == str(event.id)
    assert ce["source"] == SOURCE
    assert ce["type"] == "dk.forlob.referral.received.v1"
    assert ce["subject"] == event.subject
    assert datetime.fromisoformat(ce["time"]) == TIME
    assert ce["sequence"] == 3
    assert ce["referringorg"] == "jobcenter-aalborg"
    assert ce["providerorg"] == "provider-nord"
    assert ce["traceparent"] == TRACEPARENT
    assert ce.get_data()["participant_id"] == "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def test_decode_reads_what_the_cloudevents_sdk_writes() -> None:
    data = referral_received()
    event_id = str(uuid4())
    ce = CloudEvent(
        {
            "id": event_id,
            "source": "https://partner.example/system",
            "type": "dk.forlob.referral.received.v1",
            "subject": "referral/abc",
            "time": datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1))),
            "datacontenttype": "application/json",
            "sequence": 7,
            "referringorg": "jobcenter-aalborg",
        },
        data.model_dump(mode="json"),
    )
    envelope = decode(JSONFormat().write(ce))
    assert str(envelope.id) == event_id
    assert envelope.source == "https://partner.example/system"
    assert envelope.time == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert envelope.sequence == 7
    assert envelope.referringorg == "jobcenter-aalborg"
    assert envelope.providerorg is None
    assert envelope.data == data


# --- decode refuses what it cannot read -------------------------------------------------------


def test_invalid_envelope_is_a_value_error() -> None:
    assert issubclass(InvalidEnvelope, ValueError)


@pytest.mark.parametrize("body", [b"", b"not json", b"{", b'{"id": }', b"\xff\xfe\xfa\x00garbage"])
def test_decode_refuses_non_json(body: bytes) -> None:
    with pytest.raises(InvalidEnvelope, match="not JSON"):
        decode(body)


@pytest.mark.parametrize("body", [b"[]", b'[{"id": "x"}]', b'"a string"', b"42", b"null", b"true"])
def test_decode_refuses_json_that_is_not_an_object(body: bytes) -> None:
    with pytest.raises(InvalidEnvelope, match="not a JSON object"):
        decode(body)


@pytest.mark.parametrize("field", ["id", "source", "type", "subject", "time", "sequence", "specversion", "data"])
def test_decode_refuses_a_missing_attribute(field: str) -> None:
    with pytest.raises(InvalidEnvelope, match="not a CloudEvent") as excinfo:
        decode(as_bytes(document(**{field: None})))
    assert f"{field}: Field required" in str(excinfo.value)


def test_decode_refuses_an_id_that_is_not_a_uuid() -> None:
    with pytest.raises(InvalidEnvelope, match=r"not a CloudEvent: id: "):
        decode(as_bytes(document(id="event-1")))


@pytest.mark.parametrize("field", ["source", "type", "subject"])
def test_decode_refuses_empty_attributes(field: str) -> None:
    with pytest.raises(InvalidEnvelope, match=field):
        decode(as_bytes(document(**{field: ""})))


@pytest.mark.parametrize("version", ["0.3", "1.1", "2.0", "1"])
def test_decode_refuses_another_specversion(version: str) -> None:
    with pytest.raises(InvalidEnvelope, match=rf"unsupported specversion '{version}'"):
        decode(as_bytes(document(specversion=version)))


@pytest.mark.parametrize(
    "event_type",
    [
        "dk.forlob.referral.lost.v1",
        "dk.forlob.referral.received.v2",
        "referral.received.v1",  # a routing key is not a CloudEvents type
        "com.example.referral.received.v1",
    ],
)
def test_decode_refuses_an_unknown_type(event_type: str) -> None:
    with pytest.raises(InvalidEnvelope, match="unknown event type") as excinfo:
        decode(as_bytes(document(type=event_type)))
    assert event_type in str(excinfo.value)


def test_decode_refuses_data_that_does_not_match_the_schema() -> None:
    doc = document()
    doc["data"]["participant_id"] = "not-a-uuid"
    with pytest.raises(InvalidEnvelope) as excinfo:
        decode(as_bytes(doc))
    message = str(excinfo.value)
    assert message.startswith("data does not match dk.forlob.referral.received.v1")
    assert "participant_id" in message
    assert "UUID" in message


def test_decode_refuses_data_missing_a_required_field() -> None:
    doc = document()
    del doc["data"]["referral_id"]
    with pytest.raises(InvalidEnvelope, match=r"referral_id: Field required"):
        decode(as_bytes(doc))


def test_decode_summarises_many_data_errors() -> None:
    with pytest.raises(InvalidEnvelope) as excinfo:
        decode(as_bytes(document(data={})))
    message = str(excinfo.value)
    # Six required fields are missing: five are listed, then a count of the rest.
    assert message.count("Field required") == 5
    assert message.endswith("(+1 more)")


def test_decode_refuses_data_that_is_not_an_object() -> None:
    with pytest.raises(InvalidEnvelope, match="data"):
        decode(as_bytes(document(data=["not", "an", "object"])))


@pytest.mark.parametrize("sequence", [0, -1])
def test_decode_refuses_a_sequence_below_one(sequence: int) -> None:
    with pytest.raises(InvalidEnvelope, match=r"sequence: Input should be greater than or equal to 1"):
        decode(as_bytes(document(sequence=sequence)))


def test_decode_refuses_a_time_that_is_not_a_timestamp() -> None:
    with pytest.raises(InvalidEnvelope, match="time"):
        decode(as_bytes(document(time="yesterday")))


def test_decode_refuses_a_time_without_offset() -> None:
    with pytest.raises(InvalidEnvelope, match="time"):
        decode(as_bytes(document(time="2026-03-02T08:15:30")))


# --- forward compatibility --------------------------------------------------------------------


def test_decode_ignores_unknown_data_fields() -> None:
    doc = document()
    doc["data"]["added_in_a_later_minor"] = {"anything": [1, 2, 3]}
    envelope = decode(as_bytes(doc))
    assert envelope.data == referral_received()
    assert not hasattr(envelope.data, "added_in_a_later_minor")


def test_decode_ignores_unknown_extension_attributes() -> None:
    envelope = decode(as_bytes(document(partnerext="x", dataschema="https://forlob.dk/events/x.json")))
    assert envelope.sequence == 3


def test_decode_without_datacontenttype() -> None:
    envelope = decode(as_bytes(document(datacontenttype=None)))
    assert envelope.data == referral_received()


# --- registry and catalogue -------------------------------------------------------------------


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[EventData]]:
    """A copy of the registry, so test registrations vanish afterwards."""
    event_types()  # make sure the real catalogue is loaded first
    registry = dict(events_base._REGISTRY)
    monkeypatch.setattr(events_base, "_REGISTRY", registry)
    return registry


def test_catalogue_contains_referral_received() -> None:
    entries = event_types()
    assert entries["referral.received.v1"] is ReferralReceived
    assert list(entries) == sorted(entries)
    assert all(key == cls.routing_key for key, cls in entries.items())


def test_every_catalogue_entry_has_a_schema_and_a_type() -> None:
    for key, cls in event_types().items():
        assert cls.cloudevent_type() == "dk.forlob." + key
        assert cls.aggregate()
        assert event_class_for_type(cls.cloudevent_type()) is cls
        schema = json_schema(cls)
        assert schema["$id"] == f"https://forlob.dk/events/{key}.json"
        assert schema["title"] == "dk.forlob." + key


def test_package_exports_the_registry_function() -> None:
    import forlob_shared.events as events

    assert events.event_types is event_types
    assert "referral.received.v1" in events.event_types()


def test_catalogue_is_a_copy() -> None:
    event_types().clear()
    assert "referral.received.v1" in event_types()


def test_event_class_lookups() -> None:
    assert event_class("referral.received.v1") is ReferralReceived
    assert event_class_for_type("dk.forlob.referral.received.v1") is ReferralReceived
    with pytest.raises(UnknownEventType):
        event_class("referral.lost.v1")
    with pytest.raises(UnknownEventType):
        event_class_for_type("referral.received.v1")
    assert issubclass(UnknownEventType, LookupError)


@pytest.mark.parametrize(
    "key",
    [
        "referral.received",  # no version
        "referral.received.v0",  # versions start at 1
        "referral.received.1",
        "Referral.Received.v1",
        "referral-received.v1",
        "referral.received.v1.extra",
        "referral..v1",
        "",
    ],
)
def test_register_refuses_a_bad_routing_key(isolated_registry: dict[str, type[EventData]], key: str) -> None:
    before = dict(isolated_registry)

    class Bad(EventData):
        routing_key = key
        value: int = 0

    with pytest.raises(ValueError, match=r"is not <aggregate>\.<event>\.v<major>"):
        register(Bad)
    assert isolated_registry == before


def test_register_refuses_a_second_class_for_a_key(isolated_registry: dict[str, type[EventData]]) -> None:
    class Impostor(EventData):
        routing_key = "referral.received.v1"
        value: int = 0

    with pytest.raises(ValueError, match="registered twice"):
        register(Impostor)
    assert isolated_registry["referral.received.v1"] is ReferralReceived


def test_registering_the_same_class_again_is_harmless(isolated_registry: dict[str, type[EventData]]) -> None:
    assert register(ReferralReceived) is ReferralReceived
    assert isolated_registry["referral.received.v1"] is ReferralReceived


def test_a_registered_event_can_be_encoded_and_decoded(isolated_registry: dict[str, type[EventData]]) -> None:
    @register
    class ParticipantPaused(EventData):
        routing_key = "participant.paused.v2"
        participant_id: UUID
        reason_code: str

    assert isolated_registry["participant.paused.v2"] is ParticipantPaused
    assert event_types()["participant.paused.v2"] is ParticipantPaused
    data = ParticipantPaused(participant_id=uuid4(), reason_code="sick")
    envelope = decode(encode(PendingEvent(data=data, subject="p/1"), source=SOURCE, sequence=1, time=TIME))
    assert envelope.type == "dk.forlob.participant.paused.v2"
    assert envelope.routing_key == "participant.paused.v2"
    assert envelope.data == data


def test_json_schema_of_referral_received() -> None:
    schema = json_schema(ReferralReceived)
    assert schema["$id"] == "https://forlob.dk/events/referral.received.v1.json"
    assert schema["title"] == "dk.forlob.referral.received.v1"
    assert schema["description"] == ReferralReceived.description
    assert schema["type"] == "object"
    assert set(schema["required"]) == {
        "referral_id",
        "participant_id",
        "programme_code",
        "referring_org",
        "provider_org",
        "received_at",
    }
    assert schema["properties"]["participant_id"]["format"] == "uuid"
    assert "description" in schema["properties"]["participant_id"]
    assert "routing_key" not in schema["properties"]
    json.dumps(schema)  # serialisable as it is


def test_json_schema_is_fresh_each_time() -> None:
    schema = json_schema(ReferralReceived)
    schema["title"] = "changed"
    assert json_schema(ReferralReceived)["title"] == "dk.forlob.referral.received.v1"

"""The partner AsyncAPI document (docs/asyncapi/partners.json) is current, names what a partner
needs to connect, and says of every partner type exactly what the wire carries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from forlob_shared.partner import partner_event_types
from forlob_shared.partner.asyncapi import example_message, message_key, partner_asyncapi
from forlob_testkit.partner_contract import asyncapi_message, check_against_asyncapi

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "asyncapi" / "partners.json"
TYPES = partner_event_types()


def test_the_partner_asyncapi_document_is_current() -> None:
    assert DOCUMENT.exists(), f"{DOCUMENT} is missing: run `make events`"
    assert json.loads(DOCUMENT.read_text()) == partner_asyncapi(), f"{DOCUMENT} is out of date: run `make events`"


def test_it_names_the_server_vhost_security_and_queue() -> None:
    document = partner_asyncapi()
    assert document["asyncapi"] == "3.0.0"
    for server in document["servers"].values():
        assert (server["protocol"], server["pathname"]) == ("amqp", "/partner.{org}")  # the partner's own vhost
        assert "org" in server["variables"]
        assert server["security"] == [{"$ref": "#/components/securitySchemes/partnerUser"}]
    assert document["components"]["securitySchemes"]["partnerUser"]["type"] == "userPassword"
    feed = document["channels"]["partnerFeed"]
    assert feed["bindings"]["amqp"]["queue"]["name"] == "partner.{org}.events"
    assert document["operations"]["receivePartnerEvents"]["bindings"]["amqp"]["deliveryMode"] == 2  # persistent
    assert set(feed["messages"]) == {message_key(cls) for cls in TYPES.values()}


@pytest.mark.parametrize("cloudevent_type", sorted(TYPES))
def test_each_message_is_the_wire_of_its_type(cloudevent_type: str) -> None:
    document = partner_asyncapi()
    cls = TYPES[cloudevent_type]
    message = asyncapi_message(document, cloudevent_type)
    assert message["contentType"] == "application/cloudevents+json"
    assert message["payload"]["allOf"][1]["properties"]["type"] == {"const": cloudevent_type}
    dataschema = message["payload"]["allOf"][1]["properties"]["dataschema"]
    # Under any deployment's public API address, the type's own schema file and no other's.
    for api in ("https://api.forlob.example", "https://forlob.kommune.dk/notifications/", "http://127.0.0.1:8003"):
        assert re.fullmatch(dataschema["pattern"], cls.schema_url(api))
    for other in TYPES.values():
        if other is not cls:
            assert not re.search(dataschema["pattern"], other.schema_url("https://api.forlob.example"))
    assert not re.search(dataschema["pattern"], "https://forlob.dk/partner/events/" + cls.schema_file())
    published = ROOT / "docs" / "events" / "partner" / cls.schema_file()
    assert json.loads(published.read_text())["$id"] == cls.schema_file()  # dataschema names a published schema
    # The document's example, and a message encoded as the outbox does, both hold.
    for example in message["examples"]:
        check_against_asyncapi(document, example["headers"], example["payload"])
    headers, body = example_message(cls, sequence=42)
    check_against_asyncapi(document, headers, body)
    wrong = {**body, "sequence": 42}  # the integer of the internal events is not the contract's
    with pytest.raises(Exception, match="is not of type 'string'"):
        check_against_asyncapi(document, headers, wrong)

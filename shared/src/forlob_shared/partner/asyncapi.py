"""The partner contract as one AsyncAPI 3.0 document (docs/asyncapi/partners.json), for a
partner's developer: the broker and its vhost, how to sign in, the queue to read, and every
message with its envelope, headers, ``data`` schema and an example.

It describes the wire exactly as the outbox writes it (forlob_shared.events.envelope.encode with
a partner event): tests hold each message on the wire against it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any, get_args
from uuid import UUID

from pydantic.json_schema import models_json_schema

from forlob_shared.events.envelope import CONTENT_TYPE, PendingEvent, encode
from forlob_shared.partner.base import SCHEMA_PATH, SEQUENCE_DIGITS, PartnerEvent, partner_event_types

# Each partner's own vhost (forlob_shared.ops.partners.partner_vhost): its queue and nothing else.
VHOST = "partner.{org}"
_ORG_VARIABLE = {"org": {"description": "your organisation's id, e.g. jobcenter-aalborg"}}
SOURCE = "forlob/notifications"
# The examples' public API address: a deployment's own is FORLOB_NOTIFICATIONS_PUBLIC_API_URL,
# and its events' ``dataschema`` are under it (the document says so; docs/partners.md).
EXAMPLE_API_URL = "https://api.forlob.example"
_SCHEMAS = "#/components/schemas/"

# Example values by field name, where a field's type alone does not say what a real one looks like.
_EXAMPLE_VALUES: dict[str, Any] = {
    "referral_id": "5b0c1f43-3c0e-4b8a-9f59-0d1c2a7e6b11",
    "participant_id": "c1e4a0d2-8f3b-4d6e-a1b2-3c4d5e6f7a80",
    "programme_code": "RCA-UDV-13",
    "referring_org": "jobcenter-aalborg",
    "provider_org": "rca-aalborg",
    "legal_basis": "LAB-32-1-2",
    "reason_code": "not_target_group",
    "previous_state": "accepted",
    "rule": "consecutive_days",
    "reason": "unexplained",
    "how": "reached",
    "timezone": "Europe/Copenhagen",
    "change": "extended",
    "outcome": "ordinary_employment",
    "position": 2,
    "wished_weekly_hours": 16.0,
    "minutes_missed": 136,
    "agreed_minutes": 240,
    "agreed_weekly_minutes": 1200,
    "previous_weekly_minutes": 960,
    "unexcused_absences": 2,
    "contact_attempts": 1,
    "kind": "ordinary",
    "weekly_hours": 15.0,
    "phase": "employed_with_support",
    "previous_phase": "search",
    "recommendation": "flex_job",
    "resources": ["work_experience", "social_skills"],
    "challenges": ["health", "adaptability"],
    "meetings_held": 11,
    "work_trials": 2,
    "specialist_assessments": 1,
    "next_programme_code": "RCA-UDV-13",
    "next_provider_org": "rca-aalborg",
    "relation": "overlap",
    "agreed_schedule": [{"weekday": d, "start": "08:00:00", "end": "12:00:00"} for d in range(5)],
}
_EXAMPLE_ID = UUID("8d2f6a1c-4b3e-4f5a-9c8d-7e6f5a4b3c2d")
_EXAMPLE_TIME = datetime(2026, 12, 1, 9, 16, 5, tzinfo=UTC)


def message_key(cls: type[PartnerEvent]) -> str:
    return f"{cls.name}.v{cls.version}"


def example(cls: type[PartnerEvent]) -> PartnerEvent:
    """A valid instance of the type, for the document's examples."""
    values: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if name in _EXAMPLE_VALUES:
            values[name] = _EXAMPLE_VALUES[name]
            continue
        kinds = {field.annotation, *get_args(field.annotation)}
        if UUID in kinds:
            values[name] = UUID("0f6b2c9e-1d2a-4e3b-8c7d-6e5f4a3b2c1d")
        elif datetime in kinds:
            values[name] = _EXAMPLE_TIME
        elif date in kinds:
            values[name] = date(2026, 12, 1)
        elif time in kinds:
            values[name] = time(8)
        elif bool in kinds:
            values[name] = False
    return cls.model_validate(values)


def example_message(cls: type[PartnerEvent], sequence: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """(AMQP headers, body) of the example, as the relay publishes it."""
    import json

    event = example(cls)
    pending = PendingEvent(
        data=event,
        subject=str(event.referral_id),
        referring_org=event.referring_org,
        provider_org=event.provider_org,
        id=_EXAMPLE_ID,
        dataschema=cls.schema_url(EXAMPLE_API_URL),
    )
    body = json.loads(encode(pending, source=SOURCE, sequence=sequence, time=_EXAMPLE_TIME))
    headers = {
        "type": cls.cloudevent_type(),
        "subject": pending.subject,
        "content-type": CONTENT_TYPE,
        "referringorg": event.referring_org,
        "providerorg": event.provider_org,
    }
    return headers, body


def _envelope() -> dict[str, Any]:
    org = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}
    return {
        "type": "object",
        "description": "A CloudEvent 1.0 in structured JSON mode: the whole AMQP message body.",
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "sequence",
            "dataschema",
            "referringorg",
            "providerorg",
            "data",
        ],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid", "description": "the event's id; skip one you have handled"},
            "source": {"const": SOURCE},
            "type": {"type": "string", "description": "dk.forlob.partner.<name>.v<major>: constant per message"},
            "subject": {"type": "string", "format": "uuid", "description": "the referral (referral_id)"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "sequence": {
                "type": "string",
                "pattern": f"^[0-9]{{{SEQUENCE_DIGITS}}}$",
                "description": "CloudEvents sequence extension: the referral's partner events counted from "
                "000000000001 without gaps, one series per subject and source; compare as strings",
            },
            "dataschema": {
                "type": "string",
                "format": "uri",
                "description": "the URL of the JSON Schema (2020-12) of data: <public API address>"
                f"{SCHEMA_PATH}<name>.v<major>.json, which answers GET with that schema (no token)",
            },
            "referringorg": {**org, "description": "the referring organisation (you)"},
            "providerorg": {**org, "description": "the provider running the programme"},
            "traceparent": {"type": "string", "description": "W3C trace context, when there is one"},
            "sourceversion": {
                "type": "string",
                "description": "the release of the service that published the event (its version); for diagnosis only",
            },
            "data": {"type": "object"},
        },
    }


def _dataschema(cls: type[PartnerEvent]) -> dict[str, Any]:
    """The type's ``dataschema``: its file under the deployment's public API address, which
    this document cannot know; the schema is also in docs/events/partner/ under that file name."""
    file = cls.schema_file()
    return {
        "pattern": "^https?://[^?#]+" + re.escape(SCHEMA_PATH + file) + "$",
        "description": f"<public API address>{SCHEMA_PATH}{file}, e.g. {cls.schema_url(EXAMPLE_API_URL)}",
    }


def _headers(cls: type[PartnerEvent]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "AMQP headers repeating the CloudEvent's attributes, to route without parsing the body",
        "required": ["type", "subject", "referringorg", "providerorg"],
        "properties": {
            "type": {"const": cls.cloudevent_type()},
            "subject": {"type": "string", "format": "uuid"},
            "referringorg": {"type": "string"},
            "providerorg": {"type": "string"},
            "content-type": {"const": CONTENT_TYPE},
        },
    }


def partner_asyncapi() -> dict[str, Any]:
    types = list(partner_event_types().values())
    _, definitions = models_json_schema([(cls, "serialization") for cls in types], ref_template=_SCHEMAS + "{model}")
    schemas: dict[str, Any] = {"PartnerCloudEvent": _envelope(), **definitions.get("$defs", {})}
    messages: dict[str, Any] = {}
    for cls in types:
        headers, body = example_message(cls)
        messages[message_key(cls)] = {
            "name": cls.cloudevent_type(),
            "title": cls.name,
            "summary": cls.description,
            "contentType": CONTENT_TYPE,
            "headers": _headers(cls),
            "payload": {
                "allOf": [
                    {"$ref": _SCHEMAS + "PartnerCloudEvent"},
                    {
                        "properties": {
                            "type": {"const": cls.cloudevent_type()},
                            "dataschema": _dataschema(cls),
                            "data": {"$ref": _SCHEMAS + cls.__name__},
                        }
                    },
                ]
            },
            "bindings": {"amqp": {"messageType": cls.cloudevent_type(), "bindingVersion": "0.3.0"}},
            "examples": [{"name": cls.name, "headers": headers, "payload": body}],
        }
    message_refs = {key: {"$ref": f"#/components/messages/{key}"} for key in messages}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Forløb partner contract",
            "version": "1.0.0",
            "description": (
                "What a referring organisation (a jobcentre's case system) hears about the referrals it made: "
                "the referral's lifecycle, the course and its results, and the notices its legal basis requires. "
                "Pseudonymous ids and codes only: no names, identity numbers, provider staff or free text. "
                "The same events come by webhook (Standard Webhooks; the body's data is the message's data). "
                "Every message is also kept, as it was sent, for at least 90 days: a partner that was away (or "
                "new) replays them over HTTP from the notifications service, GET /partner/events?after=<cursor> "
                "or ?since=<RFC 3339 time>, and reads one referral's state at GET /partner/referrals/{id} "
                "(role partner_system; its OpenAPI is at /openapi.json). Each message's dataschema is the URL at "
                "which that service serves the JSON Schema of its data, "
                f"<public API address>{SCHEMA_PATH}<name>.v<major>.json, without a token; the address is the "
                "deployment's, so this document gives it as a pattern "
                f"and its examples use {EXAMPLE_API_URL}. See docs/partners.md."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "production": {
                "host": "{host}",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "pathname": f"/{VHOST}",
                "title": "The provider's RabbitMQ, your organisation's own vhost (amqps where the operator offers TLS)",
                "variables": {
                    "host": {"description": "the broker's host and port, as the operator gives them"},
                    **_ORG_VARIABLE,
                },
                "security": [{"$ref": "#/components/securitySchemes/partnerUser"}],
            },
            "local": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "pathname": f"/{VHOST}",
                "title": "make up on a developer's machine",
                "variables": _ORG_VARIABLE,
                "security": [{"$ref": "#/components/securitySchemes/partnerUser"}],
            },
        },
        "channels": {
            "partnerFeed": {
                "address": "partner.{org}.events",
                "title": "The organisation's own partner queue",
                "description": (
                    "A quorum queue bound to the headers exchange forlob.partners with x-match all, "
                    "referringorg <org>; forlob.partners takes only the partner contract's routing keys "
                    "(partner.#) from forlob.events. A shovel moves each event, confirmed, into the queue of "
                    "this name in the vhost partner.<org>, your own: read it there as the user partner-<org>, "
                    "which has rights in that vhost alone, to read this queue."
                ),
                "parameters": {"org": {"description": "your organisation's id, e.g. jobcenter-aalborg"}},
                "messages": message_refs,
                "bindings": {
                    "amqp": {
                        "is": "queue",
                        "queue": {
                            "name": "partner.{org}.events",
                            "durable": True,
                            "exclusive": False,
                            "autoDelete": False,
                            "vhost": VHOST,
                        },
                        "bindingVersion": "0.3.0",
                    }
                },
            }
        },
        "operations": {
            "receivePartnerEvents": {
                "action": "receive",
                "channel": {"$ref": "#/channels/partnerFeed"},
                "summary": "Consume, acknowledge after handling; delivery is at least once (skip a known id)",
                "messages": [{"$ref": f"#/channels/partnerFeed/messages/{key}"} for key in messages],
                "bindings": {"amqp": {"ack": True, "deliveryMode": 2, "bindingVersion": "0.3.0"}},
            }
        },
        "components": {
            "securitySchemes": {
                "partnerUser": {
                    "type": "userPassword",
                    "description": "user partner-<org>; the password `forlob partners add <org>` printed",
                }
            },
            "schemas": schemas,
            "messages": messages,
        },
    }

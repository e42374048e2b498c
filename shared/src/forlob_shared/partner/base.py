"""The building blocks of the published partner contract.

Partner events are what a referring organisation (a jobcentre's case system) is entitled to
hear: a referral's lifecycle, its course and results, and the notices its legal basis requires.
They are a contract of their own, apart from the internal events the services use among
themselves: their own models, their own registry, their own versions. An internal event never
becomes a partner event by being published; notifications translates it.

On the wire a partner event is a CloudEvent like any other (the outbox writes it), with three
differences a partner relies on:

- its type is ``dk.forlob.partner.<name>.v<major>`` and its routing key ``partner.<name>.v<major>``,
  which is all the partner exchange lets through;
- ``sequence`` is a string (the CloudEvents sequence extension's type), zero-padded so that
  comparing two as strings orders them, counting one series per ``subject`` (the referral) and
  ``source``;
- ``dataschema`` names the JSON Schema (2020-12) of its ``data``: a URL under the deployment's
  public API address (``<api>/partner/schemas/<name>.v<major>.json``), which the notifications
  service answers with that schema, so the URL on the wire is one that resolves.

Only pseudonymous ids and codes: a field is an id (UUID), an organisation id, a date or time, a
number or a code matching :data:`CODE`; no field may hold a name, an identity number, a provider
staff id or free text.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, TypeVar
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import TYPE_PREFIX, EventData

PARTNER_ROUTING_PREFIX = "partner."
PARTNER_TYPE_PREFIX = TYPE_PREFIX + PARTNER_ROUTING_PREFIX  # dk.forlob.partner.
# Where the notifications API serves the schemas, under the deployment's public API address.
SCHEMA_PATH = "/partner/schemas/"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Twelve digits: a referral would need a trillion partner events to outgrow it.
SEQUENCE_DIGITS = 12

# Coded values only: lower-case words joined by '_' (no spaces, so no sentences).
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
OrgId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="an organisation's id")]
CatalogueCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="a code from a catalogue, e.g. 'RCA-UDV-13'")
]


def wire_sequence(sequence: int) -> str:
    """The ``sequence`` extension as the partner contract writes it."""
    return f"{sequence:0{SEQUENCE_DIGITS}d}"


class PartnerEvent(EventData):
    """The ``data`` of one partner event type: always about one referral, its ``subject``."""

    # One series of sequence numbers per referral for all of the contract's events.
    aggregate_type = "partner"
    name: ClassVar[str]  # "referral.accepted": the webhook type and the middle of the CloudEvent type
    version: ClassVar[int] = 1

    referral_id: UUID = Field(description="the referral; also the CloudEvent's subject")
    participant_id: UUID = Field(description="pseudonymous id of the participant at this provider")
    programme_code: CatalogueCode
    referring_org: OrgId
    provider_org: OrgId

    @classmethod
    def partner_type(cls) -> str:
        """The type a webhook subscribes to, and the ``type`` of a webhook's body."""
        return cls.name

    # Encoding refuses one without its ``dataschema``: the contract promises every event names it.
    needs_dataschema: ClassVar[bool] = True

    @classmethod
    def schema_file(cls) -> str:
        """The schema's file name: its ``$id`` relative to where it is served, and its name in
        docs/events/partner/."""
        return f"{cls.name}.v{cls.version}.json"

    @classmethod
    def schema_url(cls, api_url: str) -> str:
        """The ``dataschema``: where the API at ``api_url`` (the deployment's public address)
        serves the type's schema."""
        return f"{api_url.rstrip('/')}{SCHEMA_PATH}{cls.schema_file()}"

    @classmethod
    def envelope_attributes(cls, sequence: int) -> dict[str, Any]:
        return {"sequence": wire_sequence(sequence)}


_REGISTRY: dict[str, type[PartnerEvent]] = {}

P = TypeVar("P", bound=type[PartnerEvent])


def partner_event(cls: P) -> P:
    """Class decorator: add a type to the partner contract (never to the internal catalogue)."""
    cls.routing_key = f"{PARTNER_ROUTING_PREFIX}{cls.name}.v{cls.version}"
    if cls.routing_key in _REGISTRY and _REGISTRY[cls.routing_key] is not cls:
        raise ValueError(f"partner event type {cls.routing_key} defined twice")
    _REGISTRY[cls.routing_key] = cls
    return cls


def partner_event_types() -> dict[str, type[PartnerEvent]]:
    """Every type of the partner contract, by CloudEvent type."""
    from forlob_shared.partner import events  # noqa: F401  (importing defines them)

    return {cls.cloudevent_type(): cls for _, cls in sorted(_REGISTRY.items())}


def partner_event_class(cloudevent_type: str) -> type[PartnerEvent]:
    try:
        return partner_event_types()[cloudevent_type]
    except KeyError:
        raise LookupError(f"not a partner event type: {cloudevent_type}") from None


def partner_schema_class(file: str) -> type[PartnerEvent]:
    """The type whose schema file (``<name>.v<major>.json``) this is."""
    for cls in partner_event_types().values():
        if cls.schema_file() == file:
            return cls
    raise LookupError(f"no partner event schema {file}")


def partner_json_schema(cls: type[PartnerEvent], api_url: str | None = None) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the type's ``data``, as ``dataschema`` names it.

    Served by an API (``api_url``), its ``$id`` is the URL it is served at; without one (the file
    in docs/events/partner/) it is the file's name, a relative reference that resolves against
    wherever the schema was fetched from to that same URL."""
    schema = cls.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": cls.schema_url(api_url) if api_url is not None else cls.schema_file(),
        **schema,
        "title": cls.cloudevent_type(),
        "description": cls.description,
    }


def is_partner_event(body: bytes) -> bool:
    """Whether a message body is one of the partner contract's events (by its CloudEvents type),
    for readers of the history stream, which carries both kinds."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    kind = document.get("type") if isinstance(document, dict) else None
    return isinstance(kind, str) and kind.startswith(PARTNER_TYPE_PREFIX)

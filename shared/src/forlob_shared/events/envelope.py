"""The CloudEvents 1.0 envelope in structured JSON mode.

One byte form is written by the outbox and read by every consumer and partner, so the
``cloudevents`` SDK (or any JSON reader) can take a Forløb message as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from forlob_shared.events.base import EventData, event_class_for_type

CONTENT_TYPE = "application/cloudevents+json"
SPEC_VERSION = "1.0"

D = TypeVar("D", bound=EventData)


class InvalidEnvelope(ValueError):
    """A message that is not a readable Forløb CloudEvent; it goes to the dead-letter queue."""


@dataclass(frozen=True)
class PendingEvent:
    """An event an application function emits; the outbox gives it its sequence and time."""

    data: EventData
    subject: str
    referring_org: str | None = None
    provider_org: str | None = None
    id: UUID = field(default_factory=uuid4)
    # The URL of the JSON Schema of ``data`` (CloudEvents ``dataschema``): deployment-dependent
    # (the partner contract's schemas are served under the public API address), so the emitter
    # names it, not the type.
    dataschema: str | None = None
    # The trace context it is written under, when not the current one (a sweep's absence is
    # written under its course's: forlob_shared.tracing).
    traceparent: str | None = None
    # The fact this event states (CloudEvents extension ``factid``), when one fact is published
    # as several majors of its type during a breaking change (forlob_shared.events.majors): every
    # major's message carries the same one, and a consumer applies the fact once.
    fact_id: UUID | None = None

    @property
    def aggregate_type(self) -> str:
        return self.data.aggregate()

    @property
    def partition_key(self) -> str:
        return self.data.partition_key(self.subject)


class Envelope(BaseModel, Generic[D]):
    """A parsed CloudEvent with its validated ``data``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID
    source: str
    type: str
    subject: str
    time: AwareDatetime
    sequence: int = Field(ge=1)
    # CloudEvents' partitioning extension: what a consumer keeps in order (the course); events
    # written before it existed lack it, and the subject stands in (:attr:`lane_key`).
    partitionkey: str | None = None
    referringorg: str | None = None
    providerorg: str | None = None
    traceparent: str | None = None
    # The release of the publishing service (its version, docs/operations.md "Releases"); events
    # written before releases were stamped lack it.
    sourceversion: str | None = None
    # One fact published as several majors of its type carries one ``factid`` in each
    # (forlob_shared.events.majors); an event without it is a fact of its own.
    factid: UUID | None = None
    data: D

    @property
    def fact_id(self) -> UUID:
        """What the inbox records: the fact, whichever major's message brought it."""
        return self.factid or self.id

    @property
    def lane_key(self) -> str:
        return self.partitionkey or self.subject

    @property
    def routing_key(self) -> str:
        return self.data.routing_key


class _RawEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    specversion: str
    id: UUID
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    time: AwareDatetime  # RFC 3339 demands an offset; a naive time is unreadable, not "local"
    datacontenttype: str = "application/json"
    sequence: int = Field(ge=1)
    partitionkey: str | None = None
    referringorg: str | None = None
    providerorg: str | None = None
    traceparent: str | None = None
    sourceversion: str | None = None
    factid: UUID | None = None
    data: dict[str, Any]


def encode(
    event: PendingEvent,
    *,
    source: str,
    sequence: int,
    time: datetime,
    traceparent: str | None = None,
    source_version: str | None = None,
) -> bytes:
    """The event's CloudEvent; ``source_version`` (the publishing release) goes in the
    ``sourceversion`` extension attribute."""
    if event.dataschema is None and event.data.needs_dataschema:
        raise ValueError(f"{event.data.cloudevent_type()} is published with its dataschema: name it in the event")
    document: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": str(event.id),
        "source": source,
        "type": event.data.cloudevent_type(),
        "subject": event.subject,
        "time": time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        **event.data.envelope_attributes(sequence),
        **({"dataschema": event.dataschema} if event.dataschema is not None else {}),
        "partitionkey": event.partition_key,
        "data": event.data.model_dump(mode="json"),
    }
    if event.referring_org:
        document["referringorg"] = event.referring_org
    if event.provider_org:
        document["providerorg"] = event.provider_org
    if traceparent:
        document["traceparent"] = traceparent
    if source_version:
        document["sourceversion"] = source_version
    if event.fact_id is not None:
        document["factid"] = str(event.fact_id)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def decode(body: bytes) -> Envelope[EventData]:
    """Parse and validate a message body; raise :class:`InvalidEnvelope` with the reason."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEnvelope(f"body is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidEnvelope("body is not a JSON object")
    try:
        raw = _RawEnvelope.model_validate(document)
    except ValidationError as exc:
        raise InvalidEnvelope(f"not a CloudEvent: {_summary(exc)}") from None
    if raw.specversion != SPEC_VERSION:
        raise InvalidEnvelope(f"unsupported specversion {raw.specversion!r}")
    try:
        cls = event_class_for_type(raw.type)
    except LookupError:
        raise InvalidEnvelope(f"unknown event type {raw.type!r}") from None
    try:
        data = cls.model_validate(raw.data)
    except ValidationError as exc:
        raise InvalidEnvelope(f"data does not match {raw.type}: {_summary(exc)}") from None
    # Every field was validated above: construct without validating it all a second time.
    return Envelope[EventData].model_construct(
        id=raw.id,
        source=raw.source,
        type=raw.type,
        subject=raw.subject,
        time=raw.time,
        sequence=raw.sequence,
        partitionkey=raw.partitionkey,
        referringorg=raw.referringorg,
        providerorg=raw.providerorg,
        traceparent=raw.traceparent,
        sourceversion=raw.sourceversion,
        factid=raw.factid,
        data=data,
    )


def _summary(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
    more = f" (+{exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return "; ".join(parts) + more


def new_event_id() -> UUID:
    return uuid4()

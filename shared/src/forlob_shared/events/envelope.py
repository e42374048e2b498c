"""The CloudEvents 1.0 envelope in structured JSON mode.

One byte form is written by the outbox and read by every consumer and partner, so the
``cloudevents`` SDK (or any JSON reader) can take a Forløb message as it is.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, Union
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from forlob_shared.events.base import TYPE_PREFIX, EventData, event_class_for_type, registered

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
    """Parse and validate a message body; raise :class:`InvalidEnvelope` with the reason.

    A body goes first through one validation of its JSON bytes, envelope and data together
    (:func:`_wire`): that is what a valid event costs. Whatever that pass does not accept as it
    stands (a broken body, an unknown or newly registered type, any exception) is decoded again
    step by step, which gives the same result and the reason it is refused: the fast pass only
    ever returns what the steps would, and leaves every refusal to them.
    """
    wire = _wire()
    if wire is not None:
        adapter, registry = wire
        try:
            raw = adapter.validate_json(body)
        except Exception:  # noqa: BLE001  (the steps below refuse it, with the reason, or read it)
            pass
        else:
            # The class the union chose is the one the registry names now (a test may have
            # swapped the registry since the union was built).
            if registry.get(raw.type.removeprefix(TYPE_PREFIX)) is type(raw.data):
                return _envelope(raw, raw.data)
    return _decode_in_steps(body)


def _decode_in_steps(body: bytes) -> Envelope[EventData]:
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
    return _envelope(raw, data)


_ENVELOPE = Envelope[EventData]  # parametrised once: per message it cost as much as a field's validation


def _envelope(raw: _RawEnvelope, data: EventData) -> Envelope[EventData]:
    # Every field was validated already; validating them again as Python values (data is kept
    # as the instance it is) costs less than model_construct's walk over the fields in Python.
    return _ENVELOPE.model_validate(
        {
            "id": raw.id,
            "source": raw.source,
            "type": raw.type,
            "subject": raw.subject,
            "time": raw.time,
            "sequence": raw.sequence,
            "partitionkey": raw.partitionkey,
            "referringorg": raw.referringorg,
            "providerorg": raw.providerorg,
            "traceparent": raw.traceparent,
            "sourceversion": raw.sourceversion,
            "factid": raw.factid,
            "data": data,
        }
    )


_Wire = tuple[TypeAdapter[Any], Mapping[str, type[EventData]]]
_wire_cache: list[tuple[Mapping[str, type[EventData]], int, _Wire | None]] = []


def _wire() -> _Wire | None:
    """The fast pass's validator: a union of one model per registered type (the envelope with its
    ``type`` fixed and ``data`` that type's class), chosen by ``type``; built again when the
    registry grew or was replaced. None while nothing is registered."""
    registry = registered()
    if _wire_cache and _wire_cache[0][0] is registry and _wire_cache[0][1] == len(registry):
        return _wire_cache[0][2]
    models = [_wire_model(key, cls) for key, cls in registry.items()]
    adapter: TypeAdapter[Any] | None = None
    if len(models) == 1:
        adapter = TypeAdapter(models[0])
    elif models:
        # Built at run time from the registry: a type form no checker can follow, hence Any.
        union: Any = Annotated[Union[tuple(models)], Field(discriminator="type")]  # noqa: UP007
        adapter = TypeAdapter(union)
    wire = (adapter, registry) if adapter is not None else None
    _wire_cache[:] = [(registry, len(registry), wire)]
    return wire


@functools.cache
def _wire_model(key: str, cls: type[EventData]) -> type[_RawEnvelope]:
    version: Any = Literal[SPEC_VERSION]  # another specversion: the steps say which
    named: Any = Literal[TYPE_PREFIX + key]
    return create_model(
        f"_Wire_{key.replace('.', '_')}",
        __base__=_RawEnvelope,
        specversion=(version, ...),
        type=(named, ...),
        data=(cls, ...),
    )


def _summary(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:5]]
    more = f" (+{exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return "; ".join(parts) + more


def new_event_id() -> UUID:
    return uuid4()

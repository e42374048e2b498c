"""What leaves the process in a span, and which spans are kept (imported only when traces are on).

:class:`ScrubbingExporter` wraps the real exporter: every span is copied without what could name
a person (see :func:`scrubbed_span`) before the exporter sees it. :class:`NoOrphanClients` wraps
the configured sampler: a database statement that runs outside any span (the relay's polling, a
periodic job's round) would otherwise be a trace of its own, every second, telling nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, get_current_span
from opentelemetry.util.types import Attributes

from forlob_shared.redaction import WITHHELD, scrub_value

# Attributes that may carry what a person typed or who they are: never exported.
_DROPPED_PREFIXES = (
    "http.request.header.",
    "http.response.header.",
    "db.statement.parameters",
    "db.query.parameter.",
    "messaging.message.body",
    "enduser.",
    "user.",
    "client.address",
    "net.peer.ip",
    "http.client_ip",
    "user_agent.",
    "http.user_agent",
)
_DROPPED = frozenset({"url.query", "http.query"})
# Full URLs and paths: a server span's become its route template; any other keeps no query string.
_URLS = frozenset({"url.full", "http.url", "http.target", "url.path"})
_ROUTE = "http.route"


def _scrub_attributes(attributes: Attributes, kind: SpanKind) -> dict[str, Any]:
    source: Mapping[str, Any] = attributes or {}
    route = source.get(_ROUTE)
    kept: dict[str, Any] = {}
    for key, value in source.items():
        if key in _DROPPED or key.startswith(_DROPPED_PREFIXES):
            continue
        if key in _URLS:
            if kind is SpanKind.SERVER:
                if route is None:
                    continue  # no template to show (a 404): the path itself may name someone
                value = route
            elif isinstance(value, str):
                value = value.split("?", 1)[0].split("#", 1)[0]
        kept[key] = _scrub(value)
    return kept


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_value(value)
    if isinstance(value, tuple | list):
        return tuple(_scrub(v) for v in value)
    return value


def _event_attributes(name: str, attributes: Attributes) -> dict[str, Any]:
    source: Mapping[str, Any] = attributes or {}
    if name == "exception" and not source.get("forlob.described"):
        # A library recorded it with str(exc): the text of a database or validation error quotes
        # the values it was given. Its type says what happened; the service's log says the rest.
        return {"exception.type": source.get("exception.type", ""), "exception.message": WITHHELD}
    return {k: _scrub(v) for k, v in source.items() if k != "exception.stacktrace"}


def scrubbed_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of ``span`` with only what may leave the process."""
    from opentelemetry.sdk.trace import Event

    events = [
        Event(event.name, _event_attributes(event.name, event.attributes), event.timestamp) for event in span.events
    ]
    links = [Link(link.context, _scrub_attributes(link.attributes, SpanKind.INTERNAL)) for link in span.links]
    name = span.name
    if span.kind is SpanKind.SERVER and span.attributes and _ROUTE not in span.attributes:
        name = str(span.attributes.get("http.request.method") or span.attributes.get("http.method") or "HTTP")
    return ReadableSpan(
        name=scrub_value(name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=_scrub_attributes(span.attributes, span.kind),
        events=events,
        links=links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingExporter(SpanExporter):
    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrubbed_span(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.inner.force_flush(timeout_millis)


class NoOrphanClients(Sampler):
    """The configured sampler, except that a database statement with no parent span is dropped."""

    def __init__(self, inner: Sampler) -> None:
        self.inner = inner

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        orphan = not get_current_span(parent_context).get_span_context().is_valid
        if orphan and kind is SpanKind.CLIENT and attributes and "db.system" in attributes:
            return SamplingResult(Decision.DROP)
        return self.inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoOrphanClients({self.inner.get_description()})"


def otlp_exporter(environ: Mapping[str, str]) -> SpanExporter:
    """OTLP over HTTP/protobuf; endpoint, headers, timeout and compression from ``OTEL_EXPORTER_OTLP_*``."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    protocol = (
        environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or ""
    ).strip()
    if protocol and protocol != "http/protobuf":
        logging.getLogger("forlob.tracing").warning(
            "OTEL_EXPORTER_OTLP_PROTOCOL=%s is not supported here: exporting with http/protobuf", protocol
        )
    return OTLPSpanExporter()

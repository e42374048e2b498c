"""Traces with OpenTelemetry: set up once per process, only by the standard ``OTEL_*`` variables.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``, or ``OTEL_TRACES_EXPORTER=otlp``)
is set, and never with ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none``: then the SDK is
not even imported, no exporter runs, and the service's own span points (:func:`consuming`,
:func:`span_under`) are a flag test. On, the process gets a tracer provider exporting OTLP over
HTTP/protobuf in batches (endpoint, headers, timeouts, sampler and resource as the ``OTEL_*``
variables say; ``OTEL_SERVICE_NAME`` defaults to ``forlob-<service>``), and the kept
instrumentations: FastAPI (:func:`instrument_app`, per app), httpx, asyncpg and aio-pika.

The context travels in each event's ``traceparent`` (the CloudEvents distributed-tracing
extension): the outbox row keeps the context of the transaction that wrote it (a request's
server span, a consumer's process span), the relay publishes under it (aio-pika's PRODUCER span,
whose own context also goes into the AMQP headers), and the consumer processes each event in a
CONSUMER span that is a child of the event's ``traceparent`` and links to the publish.

No personal data leaves in a span: every span passes :class:`ScrubbingExporter` on its way out,
which keeps a server span's path as its route template, drops query strings, request and
response headers, statement parameters and message bodies, withholds the text of exceptions the
libraries recorded (an error's text may quote the values it was given) and scrubs every string
of the shapes of identity numbers and secrets (:func:`forlob_shared.redaction.scrub_value`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from forlob_shared import logging as forlob_logging
from forlob_shared.redaction import describe_error

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from forlob_shared.events.envelope import Envelope

TRACER = "forlob"
# Probes and scrapes answer every few seconds and tell nothing about a course.
EXCLUDED_URLS = "/health/live,/health/ready,/metrics"

_provider: TracerProvider | None = None
_propagator = TraceContextTextMapPropagator()


def tracing_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the ``OTEL_*`` variables ask for traces (see the module's first paragraph)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    endpoint = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return bool(endpoint) or exporter == "otlp"


def tracing_enabled() -> bool:
    return _provider is not None


def configure_tracing(
    service: str, *, exporter: SpanExporter | None = None, environ: Mapping[str, str] = os.environ
) -> bool:
    """Set up traces for this process once, if the environment asks for them (or a test hands in
    ``exporter``, whose spans are then exported one by one as they end); returns whether they are on.
    """
    global _provider
    if _provider is not None:
        return True
    if exporter is None and not tracing_configured(environ):
        return False
    from opentelemetry.instrumentation.aio_pika import AioPikaInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from forlob_shared.tracing_export import NoOrphanClients, ScrubbingExporter, otlp_exporter

    attributes: dict[str, str] = {"service.namespace": "forlob"}
    if not environ.get("OTEL_SERVICE_NAME") and "service.name=" not in environ.get("OTEL_RESOURCE_ATTRIBUTES", ""):
        attributes["service.name"] = f"forlob-{service}"
    # The sampler OTEL_TRACES_SAMPLER names (parent-based always-on by default), less the
    # database statements that run outside any span (the relay's polls, the sweeps' rounds).
    sampler = TracerProvider(shutdown_on_exit=False).sampler
    provider = TracerProvider(resource=Resource.create(attributes), sampler=NoOrphanClients(sampler))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(ScrubbingExporter(exporter)))
    else:
        provider.add_span_processor(BatchSpanProcessor(ScrubbingExporter(otlp_exporter(environ))))
    trace.set_tracer_provider(provider)
    _provider = provider
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    AsyncPGInstrumentor(capture_parameters=False).instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    AioPikaInstrumentor().instrument(tracer_provider=provider)
    forlob_logging.use_span_context(True)
    return True


def flush_traces(timeout_millis: int = 5_000) -> None:
    """Export what has ended (a command line tool's last spans, before it exits)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis)


def instrument_app(app: FastAPI) -> None:
    """A server span per request (route template as its name), when traces are on."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=_provider, excluded_urls=EXCLUDED_URLS, exclude_spans=["receive", "send"]
    )


def context_of(traceparent: str | None) -> otel_context.Context:
    """A context whose parent is ``traceparent`` (an empty one, a new trace, when it is not valid)."""
    if not traceparent:
        return otel_context.Context()
    return _propagator.extract({"traceparent": traceparent}, context=otel_context.Context())


def span_context_of(traceparent: str | None) -> trace.SpanContext | None:
    ctx = trace.get_current_span(context_of(traceparent)).get_span_context()
    return ctx if ctx.is_valid else None


@contextlib.contextmanager
def attached(traceparent: str | None) -> Iterator[None]:
    """Make ``traceparent`` the current context (the relay publishes each row under its own)."""
    if _provider is None or not traceparent:
        yield
        return
    token = otel_context.attach(context_of(traceparent))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextlib.contextmanager
def span_under(
    traceparent: str | None,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, str | int | bool] | None = None,
    links: Sequence[str | None] = (),
) -> Iterator[Span | None]:
    """A span, child of ``traceparent`` (a root one when there is none), current while it runs.

    An exception ends it with an error status and an ``exception`` event that says only what
    :func:`~forlob_shared.redaction.describe_error` says (never the values an error quotes).
    """
    if _provider is None:
        yield None
        return
    tracer = trace.get_tracer(TRACER)
    span_links = [Link(c) for c in (span_context_of(t) for t in links) if c is not None]
    with tracer.start_as_current_span(
        name,
        context=context_of(traceparent),
        kind=kind,
        attributes=dict(attributes or {}),
        links=span_links,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            span.add_event(
                "exception",
                {
                    "exception.type": type(exc).__name__,
                    "exception.message": describe_error(exc) if isinstance(exc, Exception) else "",
                    "forlob.described": True,
                },
            )
            raise


@contextlib.contextmanager
def consuming(envelopes: Sequence[Envelope[Any]], consumer: str, queue: str) -> Iterator[None]:
    """The CONSUMER span in which ``consumer`` applies ``envelopes``: one event's is a child of
    its ``traceparent``; a batch function's run of several is a root span linked to each."""
    if _provider is None:
        yield
        return
    attributes: dict[str, str | int | bool] = {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": queue,
        "messaging.consumer.group.name": consumer,
    }
    if len(envelopes) == 1:
        envelope = envelopes[0]
        attributes |= {"messaging.message.id": str(envelope.id), "cloudevents.event_type": envelope.type}
        name, parent, links = f"process {envelope.routing_key}", envelope.traceparent, []
    else:
        attributes["messaging.batch.message_count"] = len(envelopes)
        name, parent, links = f"process {consumer}", None, [e.traceparent for e in envelopes]
    with span_under(parent, name, kind=SpanKind.CONSUMER, attributes=attributes, links=links):
        yield


__all__ = [
    "EXCLUDED_URLS",
    "attached",
    "configure_tracing",
    "consuming",
    "context_of",
    "flush_traces",
    "instrument_app",
    "span_context_of",
    "span_under",
    "tracing_configured",
    "tracing_enabled",
]

"""Spans for tests: recorded in this process (fast tier), or received over OTLP from the services
running as processes (flows).

- :func:`recorded_spans`: traces on in this process, once, with an exporter
  that records only while a test holds it, so the tests after it pay nothing for what it kept.
- :class:`OtlpReceiver` (fixture ``otlp_receiver``): an OTLP/HTTP endpoint (protobuf, as the
  services' exporter sends, or JSON) on a port of its own, collecting every span it is sent with
  its service's name; hand ``receiver.env()`` to ``start_system``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from forlob_shared.tracing import configure_tracing

_KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


class SpanRecorder(SpanExporter):
    """Keeps what it is sent while ``recording``; drops it otherwise."""

    def __init__(self) -> None:
        self.recording = False
        self._spans: list[ReadableSpan] = []
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.recording:
            with self._lock:
                self._spans.extend(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.recording = False

    @property
    def spans(self) -> list[ReadableSpan]:
        with self._lock:
            return list(self._spans)

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans if s.name == name]

    def clear(self) -> None:
        with self._lock:
            self._spans.clear()


_recorder: SpanRecorder | None = None


@contextlib.contextmanager
def recorded_spans() -> Iterator[SpanRecorder]:
    """Traces on for the rest of this process (a tracer provider is set once), recorded meanwhile."""
    global _recorder
    if _recorder is None:
        recorder = SpanRecorder()
        if not configure_tracing("test", exporter=recorder):  # pragma: no cover
            raise RuntimeError("traces could not be turned on")
        _recorder = recorder
    _recorder.clear()
    _recorder.recording = True
    try:
        yield _recorder
    finally:
        _recorder.recording = False
        _recorder.clear()


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]
    links: tuple[str, ...] = ()  # the linked spans' ids

    def __str__(self) -> str:
        return f"{self.service}: {self.kind} {self.name!r} {self.span_id} <- {self.parent_span_id or '-'}"


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return tuple(_value(v) for v in any_value.array_value.values)
    return getattr(any_value, kind) if kind else None


def _spans_of(request: ExportTraceServiceRequest) -> list[ReceivedSpan]:
    received = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        service = str(resource.get("service.name", ""))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                received.append(
                    ReceivedSpan(
                        service=service,
                        name=span.name,
                        kind=_KINDS.get(span.kind, str(span.kind)),
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        attributes={a.key: _value(a.value) for a in span.attributes},
                        links=tuple(link.span_id.hex() for link in span.links),
                    )
                )
    return received


@dataclass
class OtlpReceiver:
    port: int = 0
    spans: list[ReceivedSpan] = field(default_factory=list)
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **more: str) -> dict[str, str]:
        """What turns traces on in a service process and points them here (every span sampled,
        exported within a fraction of a second)."""
        return {
            "OTEL_EXPORTER_OTLP_ENDPOINT": self.endpoint,
            "OTEL_TRACES_SAMPLER": "parentbased_always_on",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            **more,
        }

    def received(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self.spans)

    def add(self, body: bytes, content_type: str) -> None:
        request = ExportTraceServiceRequest()
        if content_type.startswith("application/json"):
            from google.protobuf import json_format  # type: ignore[import-untyped]

            json_format.Parse(body, request)
        else:
            request.ParseFromString(body)
        with self._lock:
            self.requests += 1
            self.spans.extend(_spans_of(request))


@contextlib.contextmanager
def running_otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            if self.path != "/v1/traces":
                self.send_error(404)
                return
            content_type = self.headers.get("content-type") or "application/x-protobuf"
            try:
                receiver.add(body, content_type)
            except Exception:  # noqa: BLE001  (not an OTLP request: refused, as a collector would)
                self.send_error(400)
                return
            json_answer = content_type.startswith("application/json")
            answer = b"{}" if json_answer else ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/json" if json_answer else "application/x-protobuf")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="otlp-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    with running_otlp_receiver() as receiver:
        yield receiver


def as_json(spans: Sequence[ReceivedSpan]) -> str:
    """The spans for a failed assertion's message."""
    return json.dumps([str(s) for s in spans], indent=1)

"""Traces in one process, with the in-memory recorder: off unless the OTEL_* variables ask; the
outbox row keeps the context of the transaction that wrote it, the relay publishes under it, the
consumer continues it in a CONSUMER span; and no span carries what could name a person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from forlob_shared.clock import ManualClock
from forlob_shared.events import ReferralReceived
from forlob_shared.events.envelope import PendingEvent, decode
from forlob_shared.logging import current_traceparent
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.messaging.relay import OutboxRelay, RelayConfig
from forlob_shared.messaging.topology import Topology
from forlob_shared.tracing import consuming, instrument_app, span_under, tracing_configured
from forlob_testkit.traces import SpanRecorder, recorded_spans

NOW = datetime(2026, 11, 30, 8, 16, tzinfo=UTC)
CPR = "2110625629"
NAME = "Jens Hansen"
PHONE = "+4512345678"
EMAIL = "jens@example.dk"


@pytest.fixture
def spans() -> Iterator[SpanRecorder]:
    with recorded_spans() as recorder:
        yield recorder


def _hex(value: int, width: int) -> str:
    return f"{value:0{width}x}"


def _traceparent_of(span: Any) -> str:
    context = span.get_span_context() if hasattr(span, "get_span_context") else span.context
    return f"00-{_hex(context.trace_id, 32)}-{_hex(context.span_id, 16)}-{int(context.trace_flags):02x}"


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "referral"}, False),  # a name alone exports nothing
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_traces_are_on_only_when_the_otel_variables_ask(environ: dict[str, str], on: bool) -> None:
    assert tracing_configured(environ) is on


def _referral_received() -> ReferralReceived:
    return ReferralReceived.model_validate(
        {
            "referral_id": str(uuid4()),
            "participant_id": str(uuid4()),
            "programme_code": "RCA-UDV-13",
            "provider_org": "rca-aalborg",
            "referring_org": "jobcenter-aalborg",
            "legal_basis": "LAB-32-1-2",
            "received_at": NOW.isoformat(),
        }
    )


# The outbox insert's arrays, and the columns the relay reads them back as.
_ARRAYS = ("event_ids", "aggregate_types", "aggregate_ids", "sequences", "routing_keys", "headers", "bodies")
_COLUMNS = ("event_id", "aggregate_type", "aggregate_id", "aggregate_sequence", "routing_key", "headers", "body")


class _Session:
    """What OutboxWriter.write asks of a session: the sequence reservation, then the insert."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def execute(self, statement: Any, params: Any = None) -> Any:
        if isinstance(params, dict) and "lasts" in params:  # the reservation: arrays of the keys
            reserved = list(zip(params["aggregate_types"], params["aggregate_ids"], params["lasts"], strict=True))
            return type("Result", (), {"all": lambda self: reserved})()
        if isinstance(params, dict) and "event_ids" in params:  # the insert: an array per column
            for values in zip(*(params[c] for c in _ARRAYS), strict=True):
                row = dict(zip(_COLUMNS, values, strict=True))
                row["headers"] = json.loads(row["headers"])  # as the relay reads the jsonb back
                self.rows.append(row)
        return None


async def _written_under_current_context() -> dict[str, Any]:
    session = _Session()
    event = PendingEvent(_referral_received(), subject=str(uuid4()), referring_org="jobcenter-aalborg")
    await OutboxWriter("forlob/referral", ManualClock(NOW)).write(session, [event])  # type: ignore[arg-type]
    [row] = session.rows
    return row


async def test_one_trace_runs_from_the_request_through_the_outbox_and_relay_to_the_consumer(
    spans: SpanRecorder,
) -> None:
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("POST /referrals", kind=SpanKind.SERVER) as request:
        row = await _written_under_current_context()
    written_under = _traceparent_of(request)
    # The row keeps the context of the transaction that wrote it: in the event and for the relay.
    assert row["headers"]["traceparent"] == written_under
    assert json.loads(row["body"])["traceparent"] == written_under

    # The relay publishes each row under its own context (aio-pika's span is a child of it).
    seen: list[str | None] = []

    class _Exchange:
        async def publish(self, message: Any, routing_key: str, **kwargs: Any) -> None:
            seen.append(current_traceparent())

    relay = OutboxRelay(RelayConfig(dsn="", broker_url="", topology=Topology()))
    await relay._publish(_Exchange(), {**row, "position": 1})  # type: ignore[arg-type]
    assert seen == [written_under]

    # The consumer processes it in a CONSUMER span, a child of the row's context, and what it
    # writes is written under that span: the next service continues the same trace.
    envelope = decode(row["body"])
    with consuming([envelope], "attendance.programme", "attendance.programme"):
        handed_on = current_traceparent()
    [process] = [s for s in spans.spans if s.kind is SpanKind.CONSUMER]
    assert process.parent is not None
    assert process.parent.span_id == request.get_span_context().span_id
    assert process.context.trace_id == request.get_span_context().trace_id
    assert process.name == f"process {envelope.routing_key}"
    assert process.attributes is not None
    assert process.attributes["messaging.message.id"] == str(envelope.id)
    assert handed_on == _traceparent_of(process)


async def test_a_batch_is_processed_in_a_span_linked_to_each_event(spans: SpanRecorder) -> None:
    tracer = trace.get_tracer("test")
    parents = []
    bodies = []
    for name in ("first", "second"):
        with tracer.start_as_current_span(name) as parent:
            bodies.append((await _written_under_current_context())["body"])
            parents.append(parent.get_span_context())
    with consuming([decode(b) for b in bodies], "reporting.read-model", "reporting.read-model"):
        pass
    [batch] = [s for s in spans.spans if s.kind is SpanKind.CONSUMER]
    assert batch.parent is None
    assert {link.context.span_id for link in batch.links} == {p.span_id for p in parents}


async def test_the_in_memory_consumer_continues_the_trace_as_the_real_one_does(spans: SpanRecorder) -> None:
    from forlob_shared.messaging.subscription import Subscription
    from forlob_testkit.fakes import FakeStore, FakeUnitOfWork
    from forlob_testkit.in_memory.consumer import InMemoryConsumer

    handled: list[str | None] = []

    async def on_received(envelope: Any, uow: Any) -> None:
        handled.append(current_traceparent())

    subscription: Subscription[Any] = Subscription(purpose="count", handlers={ReferralReceived: on_received})
    store = FakeStore()
    consumer = InMemoryConsumer([subscription], lambda: FakeUnitOfWork(store, ManualClock(NOW)), service="reporting")
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    await consumer.deliver(consumer.envelope(_referral_received(), traceparent=parent))
    [process] = [s for s in spans.spans if s.kind is SpanKind.CONSUMER]
    assert process.parent is not None
    assert _hex(process.parent.span_id, 16) == "b7ad6b7169203331"
    assert str(handled[0]).split("-")[1] == "0af7651916cd43dd8448eb211c80319c"


def _everything(recorder: SpanRecorder) -> str:
    return json.dumps(
        [
            {
                "name": s.name,
                "attributes": dict(s.attributes or {}),
                "events": [{"name": e.name, **dict(e.attributes or {})} for e in s.events],
            }
            for s in recorder.spans
        ],
        default=str,
    )


async def test_no_span_attribute_names_a_person(spans: SpanRecorder) -> None:
    app = FastAPI()

    @app.get("/people/{who}")
    async def person(who: str) -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/people/{who}/fail")
    async def fail(who: str) -> dict[str, str]:
        raise RuntimeError(f"duplicate key value: identity_number={who}, name={NAME}")

    instrument_app(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        query = {"name": NAME, "phone": PHONE, "email": EMAIL}
        headers = {"x-name": NAME, "cookie": f"who={CPR}", "user-agent": f"agent {EMAIL}"}
        assert (await client.get(f"/people/{CPR}", params=query, headers=headers)).status_code == 200
        assert (await client.post(f"/people/{CPR}/fail", headers=headers)).status_code == 500
        assert (await client.get(f"/no-such/{CPR}", params=query)).status_code == 404

    tracer = trace.get_tracer("test")
    # What a database and an HTTP client instrumentation record, at their most talkative.
    statement_attributes = {
        "db.system": "postgresql",
        "db.statement": "SELECT * FROM personal WHERE identity_number = $1",
        "db.statement.parameters": f"('{CPR}',)",
    }
    with (
        span_under(None, "a use case"),
        tracer.start_as_current_span("SELECT forlob", kind=SpanKind.CLIENT, attributes=statement_attributes) as db_span,
    ):
        db_span.record_exception(ValueError(f"invalid input for {CPR} / {NAME}"))
    # A statement outside any span (the relay's polling) is no trace of its own.
    with tracer.start_as_current_span("SELECT orphan", kind=SpanKind.CLIENT, attributes=statement_attributes):
        pass
    with tracer.start_as_current_span(
        "GET",
        kind=SpanKind.CLIENT,
        attributes={"url.full": f"http://referral:8001/lookup?email={EMAIL}&cpr={CPR}", "http.request.method": "GET"},
    ):
        pass
    # The service's own spans say what describe_error says of an error.
    with pytest.raises(RuntimeError), span_under(None, "job"):
        raise RuntimeError(f"failed for {CPR}")

    text = _everything(spans)
    for secret in (CPR, NAME, "Jens", PHONE, "12345678", EMAIL, "jens%40example"):
        assert secret not in text, secret
    server = [s for s in spans.spans if s.kind is SpanKind.SERVER]
    routes = {str((s.attributes or {}).get("http.route")) for s in server}
    assert {"/people/{who}", "/people/{who}/fail"} <= routes
    for span in server:
        attributes = dict(span.attributes or {})
        for key in ("http.target", "url.path", "http.url", "url.full"):
            if key in attributes:
                assert attributes[key] == attributes.get("http.route"), (key, attributes)
        assert not any(key.startswith("http.request.header.") for key in attributes)
    [outgoing] = [s for s in spans.spans if s.name == "GET" and s.kind is SpanKind.CLIENT]
    assert (outgoing.attributes or {})["url.full"] == "http://referral:8001/lookup"
    [statement] = [s for s in spans.spans if s.name == "SELECT forlob"]
    assert "db.statement.parameters" not in (statement.attributes or {})
    assert [e.attributes for e in statement.events] == [
        {"exception.type": "ValueError", "exception.message": "message withheld: it may quote the values sent"}
    ]
    assert not spans.named("SELECT orphan")

"""The composition root every service shares: one function builds the FastAPI app, the
service's consumers on their broker connection, the database engine and the outbox relay, all
inside the app's lifespan (nothing is built at import time).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import aio_pika
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from forlob_shared import metrics
from forlob_shared.clock import Clock, OffsetFileClock, SystemClock
from forlob_shared.db import UnitOfWork, create_engine, create_session_factory
from forlob_shared.events.base import EventData
from forlob_shared.http.auth import PUBLIC, TokenVerifier, declare_access
from forlob_shared.http.inputs import TextGuard
from forlob_shared.http.limits import RequestLimits
from forlob_shared.http.openapi import PROBLEM_CONTENT, document_problems
from forlob_shared.http.problems import install_problem_handlers
from forlob_shared.http.ratelimit import WRITES_LIMIT, RateLimits, install_rate_limits
from forlob_shared.logging import bind_trace, get_logger, unbind_trace
from forlob_shared.messaging.consumer import CANARY_HEADER, ConsumerConfig, EventConsumer, Subscription
from forlob_shared.messaging.consumer_connection import ConsumerConnection
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.messaging.redelivery import RedeliveryInjection
from forlob_shared.messaging.relay import OutboxRelay, RelayConfig
from forlob_shared.messaging.topology import Topology
from forlob_shared.redaction import describe_error
from forlob_shared.settings import ServiceSettings

U = TypeVar("U", bound=UnitOfWork)
log = get_logger("forlob.service")


@dataclass(frozen=True)
class ServiceSpec(Generic[U]):
    """What makes one service itself; everything else is shared."""

    name: str
    title: str
    description: str
    settings_cls: type[ServiceSettings]
    uow_class: type[U]
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription[U]] = ()
    publishes: Sequence[type[EventData]] = ()  # what the service emits, for its AsyncAPI document
    redelivery: RedeliveryInjection | None = None  # a consumer fault only the test kit injects
    version: str = "0.1.0"


@dataclass
class Runtime(Generic[U]):
    spec: ServiceSpec[U]
    settings: ServiceSettings
    clock: Clock
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    outbox: OutboxWriter
    topology: Topology
    token_verifier: TokenVerifier
    rate_limits: RateLimits
    consumers: list[EventConsumer[U]] = field(default_factory=list)
    consuming: ConsumerConnection = field(init=False)  # set by build_runtime, over the consumers
    relay: OutboxRelay | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    consumers_healthy: bool = True
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def uow(self) -> U:
        return self.spec.uow_class(self.session_factory, self.outbox)

    def relay_config(self) -> RelayConfig:
        s = self.settings
        return RelayConfig(
            dsn=s.asyncpg_dsn,
            broker_url=s.broker_url,
            topology=self.topology,
            source=f"forlob/{self.spec.name}",
            batch_size=s.relay_batch_size,
            poll_interval=s.relay_poll_interval,
            confirm_timeout=s.relay_confirm_timeout,
            max_attempts=s.relay_max_attempts,
        )


def build_topology(settings: ServiceSettings) -> Topology:
    return Topology(prefix=settings.name_prefix, delivery_limit=settings.delivery_limit)


def build_runtime(spec: ServiceSpec[U], settings: ServiceSettings, clock: Clock | None = None) -> Runtime[U]:
    clock = clock or (OffsetFileClock(settings.clock_offset_file) if settings.clock_offset_file else SystemClock())
    engine = create_engine(settings)
    topology = build_topology(settings)
    runtime = Runtime(
        spec=spec,
        settings=settings,
        clock=clock,
        engine=engine,
        session_factory=create_session_factory(engine),
        outbox=OutboxWriter(source=f"forlob/{spec.name}", clock=clock),
        topology=topology,
        token_verifier=TokenVerifier(settings),
        rate_limits=RateLimits.from_settings(settings, clock),
    )
    config = ConsumerConfig(
        service=spec.name,
        topology=topology,
        prefetch=settings.prefetch,
        batch_size=settings.consumer_batch,
        delivery_limit=settings.delivery_limit,
        backoff_max=settings.retry_backoff_max,
        stopping=runtime.stopping,
        redelivery=spec.redelivery,
    )
    runtime.consumers = [EventConsumer(config, subscription, runtime.uow) for subscription in spec.subscriptions]
    runtime.consuming = ConsumerConnection(
        settings.broker_url, runtime.consumers, name=f"forlob-{spec.name} consumers", graceful_timeout=15.0
    )
    return runtime


async def declare_topology(runtime: Runtime[Any]) -> None:
    await _declare(runtime.settings.broker_url, runtime)


async def _declare(url: str, runtime: Runtime[Any]) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await runtime.topology.declare_core(channel)
        for consumer in runtime.consumers:
            await runtime.topology.declare_consumer_queue(channel, consumer.queue, consumer.subscription.routing_keys)


async def start_runtime(runtime: Runtime[Any], *, with_relay: bool) -> None:
    await declare_topology(runtime)
    await runtime.consuming.start()
    if with_relay:
        runtime.relay = OutboxRelay(runtime.relay_config())
        runtime.tasks.append(asyncio.create_task(runtime.relay.run(runtime.stopping), name="outbox-relay"))
    if runtime.consumers:
        runtime.tasks.append(
            asyncio.create_task(
                _consumer_watchdog(runtime, runtime.settings.watchdog_interval), name="consumer-watchdog"
            )
        )


async def stop_runtime(runtime: Runtime[Any]) -> None:
    runtime.stopping.set()
    # The consumers settle the batches in hand (graceful timeout) so that their acks are sent.
    with contextlib.suppress(Exception):
        await runtime.consuming.stop()
    for task in runtime.tasks:
        task.cancel()
    await asyncio.gather(*runtime.tasks, return_exceptions=True)
    await runtime.engine.dispose()


async def _consumer_watchdog(runtime: Runtime[Any], interval: float = 10.0) -> None:
    """Make sure every consumer really receives messages; reconnect the broker if one does not.

    A robust connection reconnects but may not restore its consumers (aio-pika#231, #563;
    faststream#2758), and after a server-sent cancellation aio-pika 10 restores a consumer that
    the broker counts but that never hands a message to its callback (seen here with 10.2.1).
    So the watchdog checks each queue's consumer count and, while a consumer is idle, sends a
    canary straight into its queue; a missing consumer, or a canary not taken within three
    intervals, reconnects the broker (unacknowledged messages return to their queues). If that
    fails the service reports itself not live, so an orchestrator restarts it.
    """
    connection: aio_pika.abc.AbstractConnection | None = None
    canaries: dict[str, tuple[str, float]] = {}
    while not runtime.stopping.is_set():
        await _sleep(runtime.stopping, interval)
        if runtime.stopping.is_set():
            break
        try:
            if connection is None or connection.is_closed:
                connection = await aio_pika.connect(runtime.settings.broker_url)
            channel = await connection.channel()
            try:
                reason = await _check_consumers(runtime, channel, canaries, time.monotonic(), 3 * interval)
            finally:
                await channel.close()
        except Exception as exc:  # noqa: BLE001  (broker unreachable: the robust connection is on it)
            log.info("watchdog.check_failed", error=describe_error(exc))
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
                connection = None
            continue
        if reason is None:
            runtime.consumers_healthy = True
            continue
        log.warning("watchdog.reconnecting_broker", reason=reason)
        canaries.clear()
        try:
            await runtime.consuming.reconnect()
            runtime.consumers_healthy = True
        except Exception as exc:  # noqa: BLE001
            runtime.consumers_healthy = False
            log.error("watchdog.reconnect_failed", error=describe_error(exc))
    if connection is not None:
        with contextlib.suppress(Exception):
            await connection.close()


async def _check_consumers(
    runtime: Runtime[Any],
    channel: aio_pika.abc.AbstractChannel,
    canaries: dict[str, tuple[str, float]],
    now: float,
    canary_timeout: float,
) -> str | None:
    """Why the broker connection needs renewing, or None if every consumer works.

    ``now`` and the consumers' ``last_activity`` are both ``time.monotonic()`` readings.
    """
    for consumer in runtime.consumers:
        queue = await channel.declare_queue(consumer.queue, passive=True)
        dlq_name = runtime.topology.dead_letter_queue(consumer.queue)
        dlq = await channel.declare_queue(dlq_name, passive=True)
        metrics.QUEUE_READY.labels(consumer.queue).set(queue.declaration_result.message_count or 0)
        metrics.QUEUE_CONSUMERS.labels(consumer.queue).set(queue.declaration_result.consumer_count or 0)
        metrics.DEAD_LETTER_DEPTH.labels(dlq_name).set(dlq.declaration_result.message_count or 0)
        if not queue.declaration_result.consumer_count:
            metrics.CONSUMERS_RESTORED.labels(consumer.queue).inc()
            return f"no consumer on {consumer.queue}"
        pending = canaries.get(consumer.queue)
        if pending is not None:
            token, sent_at = pending
            if consumer.canary_seen == token:
                del canaries[consumer.queue]
            elif consumer.in_flight == 0 and consumer.last_activity < sent_at and now - sent_at > canary_timeout:
                metrics.CONSUMERS_RESTORED.labels(consumer.queue).inc()
                return f"canary not consumed from {consumer.queue}"
            continue
        if consumer.in_flight == 0 and now - consumer.last_activity >= canary_timeout / 3:
            token = uuid.uuid4().hex
            await channel.default_exchange.publish(
                aio_pika.Message(b"", headers={CANARY_HEADER: token}), routing_key=consumer.queue
            )
            canaries[consumer.queue] = (token, now)
    return None


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


# Any route may answer 429: the caller's changing requests or identity reads over their rate, or
# the address refused after too many failed authentications (docs/security.md, "Rate limits").
TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": "Too many requests: a rate limit; try again after Retry-After seconds",
    "content": PROBLEM_CONTENT,
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}


def create_app(
    spec: ServiceSpec[U],
    settings: ServiceSettings | None = None,
    clock: Clock | None = None,
    *,
    with_relay: bool | None = None,
) -> FastAPI:
    """The service's ASGI app; engine, broker, consumers and relay start in its lifespan."""
    settings = settings or spec.settings_cls()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(spec, settings, clock)
        app.state.runtime = runtime
        await start_runtime(runtime, with_relay=settings.relay_in_process if with_relay is None else with_relay)
        log.info("service.started", port=settings.port, prefix=settings.name_prefix)
        try:
            yield
        finally:
            await stop_runtime(runtime)
            log.info("service.stopped")

    app = FastAPI(title=spec.title, description=spec.description, version=spec.version, lifespan=lifespan)
    install_problem_handlers(app)
    document_problems(app)
    _install_trace_middleware(app)
    # Added first, so it runs inside RequestLimits and reads a body whose size is already bounded.
    app.add_middleware(TextGuard)
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    install_rate_limits(app)
    _install_operational_routes(app)
    for router in spec.routers:
        # Every changing request is limited per caller (docs/security.md, "Rate limits").
        app.include_router(router, dependencies=[WRITES_LIMIT], responses={429: TOO_MANY_REQUESTS})
    declare_access(app)  # refuses a route that does not say who may call it
    return app


def _install_trace_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def trace(request: Request, call_next: Callable[[Request], Any]) -> Response:
        handle = bind_trace(request.headers.get("traceparent"))
        try:
            response: Response = await call_next(request)
            return response
        finally:
            unbind_trace(handle)


def _install_operational_routes(app: FastAPI) -> None:
    # Orchestrators and Prometheus call these without a token; they name no organisation.
    ops = APIRouter(tags=["operations"], dependencies=[PUBLIC])

    @ops.get("/health/live", summary="The process runs and its consumers are attached")
    async def live(request: Request) -> JSONResponse:
        runtime: Runtime[Any] = request.app.state.runtime
        ok = runtime.consumers_healthy
        return JSONResponse({"status": "ok" if ok else "consumers-lost"}, status_code=200 if ok else 503)

    @ops.get("/health/ready", summary="The database and the broker answer")
    async def ready(request: Request) -> JSONResponse:
        runtime: Runtime[Any] = request.app.state.runtime
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(3):
                async with runtime.engine.connect() as connection:
                    await connection.execute(sa.text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"unavailable: {type(exc).__name__}"
        checks["broker"] = "ok" if await runtime.consuming.connected(timeout=2) else "unavailable"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not-ready", "checks": checks}, status_code=200 if ok else 503
        )

    @ops.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(ops)

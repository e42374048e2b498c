"""What a service is (its spec) and what it runs on (its runtime), built before anything runs.

A :class:`ServiceSpec` declares a service: its settings class, its unit of work, its *parts*
(what it derives from its settings: the use cases' options, in-process objects), its routes, its
subscriptions (a function of its parts) and its background tasks. :func:`build_runtime` builds
all of it from the settings and an injected clock, in one go, before any consumer starts or any
route answers: nothing is filled in later. :func:`start_runtime` then starts consumers, relay,
watchdog and background tasks; :func:`stop_runtime` stops them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from forlob_shared.clock import Clock, SystemClock
from forlob_shared.db import UnitOfWork, create_engine, create_session_factory
from forlob_shared.events.base import EventData
from forlob_shared.http.auth import TokenVerifier
from forlob_shared.http.ratelimit import RateLimits
from forlob_shared.logging import get_logger
from forlob_shared.messaging.consumer import ConsumerConfig, EventConsumer, Subscription
from forlob_shared.messaging.consumer_connection import ConsumerConnection
from forlob_shared.messaging.nodes import BrokerNodes
from forlob_shared.messaging.outbox import OutboxWriter
from forlob_shared.messaging.redelivery import RedeliveryInjection
from forlob_shared.messaging.relay import OutboxRelay, RelayConfig
from forlob_shared.messaging.topology import Topology
from forlob_shared.redaction import describe_error
from forlob_shared.release import release_version
from forlob_shared.settings import ServiceSettings
from forlob_shared.wake import Wakes
from forlob_shared.watchdog import consumer_watchdog

UowT = TypeVar("UowT", bound=UnitOfWork)
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
PartsT = TypeVar("PartsT")

log = get_logger("forlob.service")

# How long a stopping service gives its background tasks to finish the round in hand.
STOP_GRACE = 5.0


def _always(settings: ServiceSettings) -> bool:
    return True


def no_parts(settings: ServiceSettings) -> None:
    """For a service whose use cases take nothing derived from its settings."""


def no_subscriptions(parts: object) -> Sequence[Subscription[Any]]:
    return ()


@dataclass(frozen=True)
class Background(Generic[UowT, SettingsT, PartsT]):
    """A task the service runs beside its consumers while it serves (a sweep, a dispatcher).

    ``run`` gets the runtime and returns once ``runtime.stopping`` is set (sleep with
    :func:`forlob_shared.background.pause`); ``enabled`` says from the settings whether this
    process runs it at all.
    """

    name: str
    run: Callable[[Runtime[UowT, SettingsT, PartsT]], Awaitable[None]]
    enabled: Callable[[SettingsT], bool] = _always


@dataclass(frozen=True)
class ServiceSpec(Generic[UowT, SettingsT, PartsT]):
    """What makes one service itself; everything else is shared."""

    name: str
    title: str
    description: str
    settings_cls: type[SettingsT]
    uow_class: type[UowT]
    migrations_dir: Path
    # What the service derives from its settings, built once before anything runs.
    parts: Callable[[SettingsT], PartsT]
    routers: Sequence[APIRouter] = ()
    # Read-only routes anyone may call without a token (each marked PUBLIC): no caller, so no
    # per-caller limit; only GET (service.create_app refuses anything else).
    public_routers: Sequence[APIRouter] = ()
    # Webhooks an outside provider posts, without a token but signed (each marked PUBLIC and
    # verifying its own signature: 401 otherwise, counted against the address like any 401).
    signed_routers: Sequence[APIRouter] = ()
    subscriptions: Callable[[PartsT], Sequence[Subscription[UowT]]] = no_subscriptions
    background: Sequence[Background[UowT, SettingsT, PartsT]] = ()
    publishes: Sequence[type[EventData]] = ()  # what the service emits, for its AsyncAPI document
    redelivery: RedeliveryInjection | None = None  # a consumer fault only the test kit injects
    version: str = "0.1.0"

    def subscriptions_for(self, settings: SettingsT) -> Sequence[Subscription[UowT]]:
        """The subscriptions as a service with ``settings`` runs them (queues, routing keys)."""
        return self.subscriptions(self.parts(settings))


@dataclass
class Runtime(Generic[UowT, SettingsT, PartsT]):
    spec: ServiceSpec[UowT, SettingsT, PartsT]
    settings: SettingsT
    parts: PartsT
    clock: Clock
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    outbox: OutboxWriter
    topology: Topology
    token_verifier: TokenVerifier
    rate_limits: RateLimits
    stopping: asyncio.Event
    consumers: list[EventConsumer[UowT]] = field(default_factory=list)
    consuming: ConsumerConnection = field(init=False)  # set by build_runtime, over the consumers
    relay: OutboxRelay | None = None
    consumers_healthy: bool = True
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # One wake per key: what a committed unit of work rings and a periodic job sleeps on.
    wakes: Wakes = field(default_factory=Wakes)

    def uow(self) -> UowT:
        return self.spec.uow_class(self.session_factory, self.outbox, self.wakes)

    def relay_config(self) -> RelayConfig:
        s = self.settings
        return RelayConfig(
            dsn=s.asyncpg_dsn,
            broker_url=s.broker_url,
            broker_nodes=s.broker_urls,
            topology=self.topology,
            source=f"forlob/{self.spec.name}",
            batch_size=s.relay_batch_size,
            poll_interval=s.relay_poll_interval,
            confirm_timeout=s.relay_confirm_timeout,
            max_attempts=s.relay_max_attempts,
        )


def build_topology(settings: ServiceSettings) -> Topology:
    return Topology(
        prefix=settings.name_prefix, delivery_limit=settings.delivery_limit, replicas=settings.queue_replicas
    )


def build_runtime(
    spec: ServiceSpec[UowT, SettingsT, PartsT], settings: SettingsT, clock: Clock | None = None
) -> Runtime[UowT, SettingsT, PartsT]:
    """Everything the service runs on, from its settings: parts, consumers, engine; nothing started."""
    clock = clock or SystemClock()
    engine = create_engine(settings)
    topology = build_topology(settings)
    parts = spec.parts(settings)
    runtime = Runtime(
        spec=spec,
        settings=settings,
        parts=parts,
        clock=clock,
        engine=engine,
        session_factory=create_session_factory(engine),
        outbox=OutboxWriter(
            source=f"forlob/{spec.name}",
            clock=clock,
            source_version=release_version(spec.name),
            emits=settings.event_majors,
        ),
        topology=topology,
        token_verifier=TokenVerifier(settings),
        rate_limits=RateLimits.from_settings(settings, clock),
        stopping=asyncio.Event(),
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
    runtime.consumers = [EventConsumer(config, subscription, runtime.uow) for subscription in spec.subscriptions(parts)]
    runtime.consuming = ConsumerConnection(
        settings.broker_urls, runtime.consumers, name=f"forlob-{spec.name} consumers", graceful_timeout=15.0
    )
    return runtime


async def declare_topology(runtime: Runtime[UowT, SettingsT, PartsT]) -> None:
    connection = await BrokerNodes(runtime.settings.broker_urls).connect()
    async with connection:
        channel = await connection.channel()
        await runtime.topology.declare_core(channel)
        for consumer in runtime.consumers:
            await runtime.topology.declare_consumer_queue(channel, consumer.queue, consumer.subscription.routing_keys)


async def start_runtime(runtime: Runtime[UowT, SettingsT, PartsT], *, with_relay: bool) -> None:
    await declare_topology(runtime)
    await runtime.consuming.start()
    if with_relay:
        runtime.relay = OutboxRelay(runtime.relay_config())
        runtime.tasks.append(asyncio.create_task(runtime.relay.run(runtime.stopping), name="outbox-relay"))
    if runtime.consumers:
        runtime.tasks.append(asyncio.create_task(_watch_consumers(runtime), name="consumer-watchdog"))
    for task in runtime.spec.background:
        if task.enabled(runtime.settings):
            runtime.tasks.append(asyncio.create_task(_run_background(task, runtime), name=task.name))


async def _watch_consumers(runtime: Runtime[UowT, SettingsT, PartsT]) -> None:
    def healthy(value: bool) -> None:
        runtime.consumers_healthy = value

    await consumer_watchdog(
        runtime.settings.broker_urls,
        runtime.consumers,
        runtime.consuming,
        runtime.topology,
        runtime.stopping,
        healthy,
        runtime.settings.watchdog_interval,
    )


async def _run_background(task: Background[UowT, SettingsT, PartsT], runtime: Runtime[UowT, SettingsT, PartsT]) -> None:
    try:
        await task.run(runtime)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        # A background task is written not to fail (it logs and retries); if it does, say so.
        log.error("background.failed", task=task.name, error=describe_error(exc))
        raise


async def stop_runtime(runtime: Runtime[UowT, SettingsT, PartsT]) -> None:
    runtime.stopping.set()
    # The consumers settle the batches in hand (graceful timeout) so that their acks are sent.
    with contextlib.suppress(Exception):
        await runtime.consuming.close()
    if runtime.tasks:
        # Every task returns once stopping is set; one still in a round gets a moment to finish it.
        _, late = await asyncio.wait(runtime.tasks, timeout=STOP_GRACE)
        for task in late:
            task.cancel()
        await asyncio.gather(*runtime.tasks, return_exceptions=True)
    await runtime.engine.dispose()

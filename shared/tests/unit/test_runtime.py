"""The service spec and its runtime, built without a server: parts from the settings first, then
the subscriptions and background tasks over them, on the injected clock; the routes' typed
dependencies; the stop-aware pause every loop sleeps with."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI

from forlob_shared.background import pause, pause_unless_woken
from forlob_shared.clock import ManualClock, SystemClock
from forlob_shared.db import UnitOfWork
from forlob_shared.events import Envelope, ProgrammeEnded
from forlob_shared.http.deps import runtime_dependency, unit_of_work
from forlob_shared.messaging.consumer import Subscription
from forlob_shared.periodic import periodic
from forlob_shared.runtime import Runtime, ServiceSpec, build_runtime, no_parts
from forlob_shared.settings import ServiceSettings
from forlob_testkit.wait import eventually

CLOSED = "127.0.0.1:9"  # nothing listens: building a runtime must not connect


class _Settings(ServiceSettings):
    service_name = "demo"
    greeting_minutes: int = 7


class _OtherSettings(ServiceSettings):
    service_name = "other"


@dataclass(frozen=True)
class _Parts:
    minutes: int


def _settings(**values: Any) -> _Settings:
    return _Settings(
        database_url=f"postgresql://postgres@{CLOSED}/demo", broker_url=f"amqp://guest:guest@{CLOSED}/", **values
    )


built: list[int] = []


def _parts(settings: _Settings) -> _Parts:
    built.append(settings.greeting_minutes)
    return _Parts(settings.greeting_minutes)


def _subscriptions(parts: _Parts) -> Sequence[Subscription[UnitOfWork]]:
    async def on_ended(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        del envelope, uow

    return [Subscription(purpose=f"every-{parts.minutes}-minutes", handlers={ProgrammeEnded: on_ended})]


async def _job(runtime: Runtime[UnitOfWork, _Settings, _Parts], now: datetime) -> None:
    del runtime, now


def _spec() -> ServiceSpec[UnitOfWork, _Settings, _Parts]:
    return ServiceSpec(
        name="demo",
        title="Demo",
        description="a service for the runtime's tests",
        settings_cls=_Settings,
        uow_class=UnitOfWork,
        migrations_dir=Path("."),
        parts=_parts,
        subscriptions=_subscriptions,
        background=[
            periodic("often", _job, lambda settings: 60.0),
            periodic("never", _job, lambda settings: None),
        ],
    )


NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


async def test_the_runtime_builds_its_parts_from_the_settings_once_and_its_consumers_over_them() -> None:
    built.clear()
    runtime = build_runtime(_spec(), _settings(greeting_minutes=12), ManualClock(NOW))
    try:
        assert built == [12]
        assert runtime.parts == _Parts(12)
        assert [c.subscription.purpose for c in runtime.consumers] == ["every-12-minutes"]
        assert runtime.clock.now() == NOW  # the injected clock, also the outbox's
        assert not runtime.tasks  # built, nothing started
        assert not runtime.stopping.is_set()
    finally:
        await runtime.engine.dispose()


async def test_the_clock_is_the_systems_unless_one_is_injected() -> None:
    runtime = build_runtime(_spec(), _settings())
    try:
        assert isinstance(runtime.clock, SystemClock)
    finally:
        await runtime.engine.dispose()


def test_a_spec_gives_its_subscriptions_for_settings_and_which_background_tasks_run() -> None:
    spec = _spec()
    assert [s.purpose for s in spec.subscriptions_for(_settings(greeting_minutes=3))] == ["every-3-minutes"]
    assert {task.name: task.enabled(_settings()) for task in spec.background} == {"often": True, "never": False}
    assert no_parts(_settings()) is None


async def _call(runtime: Runtime[Any, Any, Any], app: FastAPI) -> httpx.Response:
    app.state.runtime = runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.get("/")


# Module-level, as the services' api/deps.py write them: FastAPI resolves the annotations here.
DemoRuntime = Annotated[
    Runtime[UnitOfWork, _Settings, _Parts], Depends(runtime_dependency(UnitOfWork, _Settings, _Parts))
]
OtherRuntime = Annotated[
    Runtime[UnitOfWork, _OtherSettings, None], Depends(runtime_dependency(UnitOfWork, _OtherSettings, type(None)))
]
UoW = Annotated[UnitOfWork, Depends(unit_of_work(UnitOfWork))]


async def test_routes_get_the_runtime_and_a_unit_of_work_typed() -> None:
    runtime = build_runtime(_spec(), _settings(greeting_minutes=5))
    app = FastAPI()

    @app.get("/")
    async def route(rt: DemoRuntime, uow: UoW) -> dict[str, object]:
        return {"minutes": rt.parts.minutes, "setting": rt.settings.greeting_minutes, "uow": type(uow).__name__}

    try:
        response = await _call(runtime, app)
        assert response.json() == {"minutes": 5, "setting": 5, "uow": "UnitOfWork"}
    finally:
        await runtime.engine.dispose()


async def test_a_route_of_another_service_is_refused_its_runtime() -> None:
    runtime = build_runtime(_spec(), _settings())
    app = FastAPI()

    @app.get("/")
    async def route(rt: OtherRuntime) -> None:
        del rt

    try:
        with pytest.raises(TypeError, match="not a service with _OtherSettings"):
            await _call(runtime, app)
    finally:
        await runtime.engine.dispose()


async def test_pause_ends_when_told_to_stop_and_says_so() -> None:
    stop = asyncio.Event()
    assert await pause(stop, 0) is False
    sleeping = asyncio.create_task(pause(stop, 3600))
    await asyncio.sleep(0)
    stop.set()
    assert await asyncio.wait_for(sleeping, timeout=5) is True
    assert await pause(stop, 3600) is True  # already stopped: no wait at all


async def test_pause_unless_woken_ends_on_the_wake_up() -> None:
    stop, wake = asyncio.Event(), asyncio.Event()
    sleeping = asyncio.create_task(pause_unless_woken(stop, wake, 3600))
    await asyncio.sleep(0)
    wake.set()
    await asyncio.wait_for(sleeping, timeout=5)
    assert not stop.is_set()


class _Session:
    """Stands in for the database session: what a unit of work calls on it, and when."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    async def commit(self) -> None:
        self.calls.append("commit")

    async def rollback(self) -> None:
        self.calls.append("rollback")

    async def close(self) -> None:
        self.calls.append("close")


async def test_the_runtimes_units_of_work_ring_its_wakes_after_their_commit_never_after_a_rollback() -> None:
    runtime = build_runtime(_spec(), _settings(), ManualClock(NOW))
    calls: list[str] = []
    runtime.session_factory = lambda: _Session(calls)  # type: ignore[assignment,return-value]
    wake = runtime.wakes.wake("often")
    assert runtime.wakes.wake("often") is wake  # the runtime holds one wake per key
    try:
        async with runtime.uow() as uow:
            uow.wake_after_commit("often", NOW + timedelta(minutes=5))
            await uow.rollback()
        async with runtime.uow() as uow:
            uow.wake_after_commit("often", NOW + timedelta(minutes=5))  # left without a commit
        assert wake.due is None
        assert "commit" not in calls

        class _Watched(UnitOfWork):
            async def commit(self) -> None:
                rung_at_commit.append(wake.due)
                await super().commit()

        rung_at_commit: list[datetime | None] = []
        async with _Watched(runtime.session_factory, runtime.outbox, runtime.wakes) as uow:
            uow.wake_after_commit("often", NOW + timedelta(minutes=5))
            await uow.commit()
        assert rung_at_commit == [None]  # not before the commit
        assert wake.take() == NOW + timedelta(minutes=5)  # after it
    finally:
        await runtime.engine.dispose()


async def test_a_periodic_task_with_a_wake_runs_when_its_key_is_rung_in_the_runtime() -> None:
    runs: list[datetime] = []

    async def job(runtime: Runtime[UnitOfWork, _Settings, _Parts], now: datetime) -> None:
        runs.append(now)

    task = periodic("woken", job, lambda settings: 3600.0, wake="woken")
    runtime = build_runtime(_spec(), _settings(), ManualClock(NOW))
    running = asyncio.create_task(task.run(runtime))

    async def ran(times: int) -> bool:
        return len(runs) >= times

    try:
        await eventually(lambda: ran(1), what="the first run")
        runtime.wakes.ring("often", NOW)  # another key: not this task's
        runtime.wakes.ring("woken", NOW)
        await eventually(lambda: ran(2), what="the run the ring brings, an hour early")
        assert runs == [NOW, NOW]
    finally:
        runtime.stopping.set()
        await asyncio.wait_for(running, timeout=5)
        await runtime.engine.dispose()

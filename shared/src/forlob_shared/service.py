"""The composition root every service shares: one function builds the FastAPI app; the runtime
(forlob_shared.runtime: engine, consumers, relay, background tasks) is built and started in the
app's lifespan (nothing is built at import time) from the settings and the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from forlob_shared.clock import Clock
from forlob_shared.http.access import AccessLog
from forlob_shared.http.auth import PUBLIC, declare_access
from forlob_shared.http.deps import current_runtime
from forlob_shared.http.inputs import TextGuard
from forlob_shared.http.limits import RequestLimits
from forlob_shared.http.openapi import PROBLEM_CONTENT, document_problems
from forlob_shared.http.problems import install_problem_handlers
from forlob_shared.http.ratelimit import WRITES_LIMIT, install_rate_limits
from forlob_shared.logging import get_logger
from forlob_shared.release import release_version
from forlob_shared.runtime import (
    Background,
    PartsT,
    Runtime,
    ServiceSpec,
    SettingsT,
    UowT,
    build_runtime,
    build_topology,
    declare_topology,
    start_runtime,
    stop_runtime,
)
from forlob_shared.tracing import instrument_app

__all__ = [
    "TOO_MANY_REQUESTS",
    "Background",
    "Runtime",
    "ServiceSpec",
    "build_runtime",
    "build_topology",
    "create_app",
    "declare_topology",
    "start_runtime",
    "stop_runtime",
]

log = get_logger("forlob.service")

# Any route may answer 429: the caller's changing requests or identity reads over their rate, or
# the address refused after too many failed authentications (docs/security.md, "Rate limits").
TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": "Too many requests: a rate limit; try again after Retry-After seconds",
    "content": PROBLEM_CONTENT,
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}

# A signed route's own 401: the sender's signature (not a bearer token) is missing or does not verify.
SIGNATURE_REFUSED: dict[str, Any] = {
    "description": "The sender's signature is missing or does not verify; nothing was recorded",
    "content": PROBLEM_CONTENT,
}


def create_app(
    spec: ServiceSpec[UowT, SettingsT, PartsT],
    settings: SettingsT | None = None,
    clock: Clock | None = None,
    *,
    with_relay: bool | None = None,
) -> FastAPI:
    """The service's ASGI app; the runtime is built and started in its lifespan.

    ``clock`` is the service's one source of time (the system's when None): tests hand in a
    ManualClock, the test kit's processes a clock they can move (forlob_testkit.serve).
    """
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
    # Added first, so it runs inside RequestLimits and reads a body whose size is already bounded.
    app.add_middleware(TextGuard)
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    install_rate_limits(app)
    _install_operational_routes(app)
    for router in spec.routers:
        # Every changing request is limited per caller (docs/security.md, "Rate limits").
        app.include_router(router, dependencies=[WRITES_LIMIT], responses={429: TOO_MANY_REQUESTS})
    for router in spec.public_routers:
        _refuse_public_changes(router)
        # No caller to charge, but an address over its failed authentications is refused here too.
        app.include_router(router, responses={429: TOO_MANY_REQUESTS})
    for router in spec.signed_routers:
        # No token, so no caller to charge per write: the route verifies the sender's signature,
        # and an address over its failed authentications is refused before any work.
        app.include_router(router, responses={401: SIGNATURE_REFUSED, 429: TOO_MANY_REQUESTS})
    declare_access(app)  # refuses a route that does not say who may call it
    # Outside the others: a request refused by a limit is counted and logged too.
    app.add_middleware(AccessLog)
    instrument_app(app)  # with traces on, the server span is around all of it
    return app


def _refuse_public_changes(router: APIRouter) -> None:
    # Writes are limited per caller, and a route without a token has none to limit.
    for route in router.routes:
        methods = getattr(route, "methods", None) or set()
        if methods - {"GET", "HEAD"}:
            raise ValueError(f"public route {getattr(route, 'path', route)} must be read-only, not {sorted(methods)}")


class Health(BaseModel):
    status: str = Field(description="ok | consumers-lost (live); ready | not-ready (ready)")
    service: str = Field(description="which service answered (referral, attendance, notifications or reporting)")
    checks: dict[str, str] | None = Field(default=None, description="ready: 'ok' or why not, per server")


HEALTH: dict[int | str, dict[str, Any]] = {
    200: {"model": Health},
    503: {"model": Health, "description": "Not healthy: the orchestrator restarts (live) or routes around it (ready)"},
}


def _install_operational_routes(app: FastAPI) -> None:
    # Orchestrators and Prometheus call these without a token; they name no organisation.
    ops = APIRouter(tags=["operations"], dependencies=[PUBLIC], responses=HEALTH)

    @ops.get("/health/live", summary="The process runs and its consumers are attached")
    async def live(request: Request) -> JSONResponse:
        runtime = current_runtime(request)
        ok = runtime.consumers_healthy
        body = {
            "status": "ok" if ok else "consumers-lost",
            "service": runtime.spec.name,
            "version": release_version(runtime.spec.name),
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    @ops.get("/health/ready", summary="The database and the broker answer")
    async def ready(request: Request) -> JSONResponse:
        runtime = current_runtime(request)
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
            {"status": "ready" if ok else "not-ready", "service": runtime.spec.name, "checks": checks},
            status_code=200 if ok else 503,
        )

    @ops.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(ops)

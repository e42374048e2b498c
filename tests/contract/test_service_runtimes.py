"""Each service's runtime is built whole from its settings before anything consumes or serves:
its parts (the use cases' options, the course policy) come from the settings at build time, the
consumers are built over them, and nothing of it reads the environment but the settings class.
Built here with every server address at a closed port: building connects to nothing."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

from forlob_attendance.application.courses import CoursePolicy
from forlob_notifications.application.options import Options
from forlob_shared.clock import ManualClock
from forlob_shared.runtime import Runtime, build_runtime

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "127.0.0.1:9"
SERVICES = ("referral", "attendance", "notifications", "reporting")
BACKGROUND = {
    "referral": {"seat-offers", "retention", "outreach-overdue", "sms-send"},
    "attendance": {"attendance-sweep", "attendance-detect", "idempotency-keys"},
    "notifications": {
        "change-listener",
        "dispatchers",
        "escalation-sweep",
        "alert-gauges",
        "partner-feed-retention",
        "idempotency-keys",
    },
    "reporting": set(),
}


def _runtime(service: str, **settings: Any) -> Runtime[Any, Any, Any]:
    spec = import_module(f"forlob_{service}.main").spec()
    values = {"database_url": f"postgresql://postgres@{CLOSED}/x", "broker_url": f"amqp://guest:guest@{CLOSED}/"}
    clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    return build_runtime(spec, spec.settings_cls(**values, **settings), clock)


@pytest.mark.parametrize("service", SERVICES)
async def test_the_runtime_is_built_whole_from_the_settings(service: str) -> None:
    runtime = _runtime(service)
    try:
        assert runtime.spec.name == service
        assert isinstance(runtime.settings, runtime.spec.settings_cls)
        assert [c.subscription.purpose for c in runtime.consumers] == [
            s.purpose for s in runtime.spec.subscriptions_for(runtime.settings)
        ]
        assert {task.name for task in runtime.spec.background} == BACKGROUND[service]
    finally:
        await runtime.engine.dispose()


async def test_notifications_options_come_from_its_settings_before_it_consumes() -> None:
    runtime = _runtime("notifications", public_web_url="https://forlob.example", dispatch_batch_size=17)
    try:
        assert runtime.parts.options == Options.of(runtime.settings)
        assert runtime.parts.options.web_url == "https://forlob.example"
        assert runtime.parts.options.batch_size == 17
        assert not runtime.parts.listener.connected.is_set()  # built, not yet listening
    finally:
        await runtime.engine.dispose()


async def test_attendance_course_policy_comes_from_its_settings() -> None:
    runtime = _runtime("attendance", absence_grace_minutes=25, materialise_days_ahead=21)
    try:
        assert runtime.parts == CoursePolicy(default_grace_minutes=25, days_ahead=21)
    finally:
        await runtime.engine.dispose()


async def test_background_tasks_follow_their_settings() -> None:
    runtime = _runtime("attendance", periodic_enabled=False)
    notifications = _runtime("notifications", background_tasks=False)
    try:
        assert [t.name for t in runtime.spec.background if t.enabled(runtime.settings)] == []
        running = {t.name for t in notifications.spec.background if t.enabled(notifications.settings)}
        assert running == {"change-listener", "alert-gauges"}
    finally:
        await runtime.engine.dispose()
        await notifications.engine.dispose()


# Operator tools read the environment for what the command line may also give; no service does.
ENVIRONMENT_READERS_ALLOWED = {
    "shared/src/forlob_shared/ops/broker_admin.py",
    # Traces are configured by the standard OTEL_* variables, which the OpenTelemetry SDK reads
    # itself; this module only asks whether they turn traces on at all (docs/operations.md).
    "shared/src/forlob_shared/tracing.py",
}


def test_no_product_module_reads_the_environment_but_through_its_settings() -> None:
    readers = set()
    for path in [*(ROOT / "shared" / "src").rglob("*.py"), *(ROOT / "services").glob("*/src/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
                readers.add(str(path.relative_to(ROOT)))
    assert readers - ENVIRONMENT_READERS_ALLOWED == set()

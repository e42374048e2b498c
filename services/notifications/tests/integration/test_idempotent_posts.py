"""Idempotency-Key on notifications' POSTs against PostgreSQL: a retried visit start is one visit
(one overdue alert, not two), a retried subscription is one subscription, and a retried secret
rotation answers the same new secret and keeps the old one signing, where a second rotation would
have dropped the secret the partner still holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from forlob_shared.http.idempotency_retention import forget_expired_keys

pytestmark = pytest.mark.servers


async def _twice(world: Any, path: str, headers: dict[str, str], key: str, body: Any = None) -> Any:
    keyed = headers | {"Idempotency-Key": key}
    first = await world.client.post(path, json=body, headers=keyed)
    assert first.status_code in (200, 201), first.text
    again = await world.client.post(path, json=body, headers=keyed)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    return first.json()


async def test_a_visit_started_twice_with_its_key_is_one_visit(world: Any) -> None:
    me = world.auth(world.provider, "kp-1", "contact_person")
    body = {"kind": "home", "planned_end": (world.clock.now() + timedelta(hours=1)).isoformat()}
    visit = await _twice(world, "/visits", me, "visit-1", body)
    assert await world.scalar("SELECT count(*) FROM visits") == 1
    other = await world.client.post(
        "/visits", json=body | {"kind": "street"}, headers=me | {"Idempotency-Key": "visit-1"}
    )
    assert other.status_code == 422, other.text
    assert other.json()["reason"] == "idempotency-key-reused"
    ended = await _twice(world, f"/visits/{visit['id']}/end", me, "end-1")
    assert ended["ended_by"] == "kp-1"


async def test_a_subscription_and_its_rotation_retried_with_their_keys(world: Any) -> None:
    await world.put_staff(world.jobcentre, "admin-1", role="admin", email="it@jobcenter.example")
    admin = world.auth(world.jobcentre, "admin-1", "admin")
    body = {"url": "https://hooks.jobcenter.example/forlob", "event_types": ["attendance.agreement_breached"]}
    created = await _twice(world, "/webhooks/subscriptions", admin, "subscribe-1", body)
    assert await world.scalar("SELECT count(*) FROM webhook_subscriptions") == 1
    original = created["secret"]

    route = f"/webhooks/subscriptions/{created['id']}/rotate-secret"
    rotated = await _twice(world, route, admin, "rotate-1")
    assert rotated["secret"] != original
    [row] = await world.rows("SELECT secret, previous_secret FROM webhook_subscriptions")
    # rotated once, not twice: the partner's original secret still signs beside the new one
    assert (row["secret"], row["previous_secret"]) == (rotated["secret"], original)


async def test_keys_are_forgotten_after_their_days(world: Any) -> None:
    me = world.auth(world.provider, "kp-1", "contact_person")
    body = {"kind": "home", "planned_end": (world.clock.now() + timedelta(hours=1)).isoformat()}
    await _twice(world, "/visits", me, "visit-old", body)
    runtime = world.service.runtime
    days = runtime.settings.idempotency_key_days
    assert await forget_expired_keys(runtime, world.clock.now() + timedelta(days=days, minutes=1)) == 1
    assert await world.scalar("SELECT count(*) FROM idempotency_keys") == 0

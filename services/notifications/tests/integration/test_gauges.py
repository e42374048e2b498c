"""Operators see open and overdue alerts on /metrics, which answers without a token and so
names no organisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from forlob_notifications.application.gauges import ALERTS_OPEN, ALERTS_OVERDUE, ORGS_OVERDUE, update_gauges

MONDAY_0900 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Copenhagen


async def test_open_and_overdue_alerts_are_counted_and_exported(world: Any) -> None:
    course = await world.start_course(escalation_minutes=30)
    world.clock.set(MONDAY_0900)
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")

    counts = await update_gauges(world.service.runtime, MONDAY_0900)
    assert counts.open == {world.provider: 1}
    assert counts.overdue == {world.provider: 0}

    late = alert["due_at"] + timedelta(minutes=1)  # the escalation job has not run yet
    counts = await update_gauges(world.service.runtime, late)
    assert counts.overdue == {world.provider: 1}
    assert ALERTS_OVERDUE._value.get() == 1
    assert ORGS_OVERDUE._value.get() == 1
    anonymous = await world.client.get("/metrics")  # no token: anyone who reaches the port
    assert anonymous.status_code == 200
    alert_samples = [
        sample
        for family in text_string_to_metric_families(anonymous.text)
        if family.name.startswith("forlob_alerts_")
        for sample in family.samples
    ]
    assert {(s.name, s.value) for s in alert_samples} >= {("forlob_alerts_open", 1), ("forlob_alerts_overdue", 1)}
    # (The registry is the process's: in a test run it also holds the other services' metrics.)
    assert all(sample.labels == {} for sample in alert_samples), alert_samples
    assert world.provider not in "".join(line for line in anonymous.text.splitlines() if "forlob_alerts" in line)

    contact = world.auth(world.provider, "kp-1", "contact_person")
    acknowledged = await world.client.post(f"/alerts/{alert['id']}/acknowledge", headers=contact)
    assert acknowledged.status_code == 200, acknowledged.text
    counts = await update_gauges(world.service.runtime, late)
    assert counts.open == {}
    assert ALERTS_OPEN._value.get() == 0  # back to zero, not left at 1
    assert ALERTS_OVERDUE._value.get() == ORGS_OVERDUE._value.get() == 0

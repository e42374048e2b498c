"""Operators see open and overdue alerts on /metrics, which answers without a token and so
names no organisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

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
    assert "\nforlob_alerts_open 1.0\n" in anonymous.text
    assert "\nforlob_alerts_overdue 1.0\n" in anonymous.text
    assert world.provider not in anonymous.text
    assert world.jobcentre not in anonymous.text

    contact = world.auth(world.provider, "kp-1", "contact_person")
    acknowledged = await world.client.post(f"/alerts/{alert['id']}/acknowledge", headers=contact)
    assert acknowledged.status_code == 200, acknowledged.text
    counts = await update_gauges(world.service.runtime, late)
    assert counts.open == {}
    assert ALERTS_OPEN._value.get() == 0  # back to zero, not left at 1
    assert ALERTS_OVERDUE._value.get() == ORGS_OVERDUE._value.get() == 0

"""The expand migration 0003 lets the previous release and this one share the schema: rows
written the old way (no note) read back fine, and the new way stores the note."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

MONDAY_0900 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


async def test_old_writes_and_new_notes_live_side_by_side(world: Any) -> None:
    course = await world.start_course()
    world.clock.set(MONDAY_0900)
    first, second = world.absence(course), world.absence(course)
    await world.publish(first)
    await world.publish(second)
    old = await world.alert_for(f"absence:{first.absence_id}")
    new = await world.alert_for(f"absence:{second.absence_id}")
    contact = world.auth(world.provider, "kp-1", "contact_person")

    # Release N acknowledges with an UPDATE that names only the columns it knows.
    async with world.service.runtime.engine.begin() as connection:
        await connection.execute(
            sa.text(
                "UPDATE alerts SET state = 'acknowledged', acknowledged_by = 'kp-1', acknowledged_at = now(),"
                " due_at = NULL WHERE id = :i"
            ),
            {"i": old["id"]},
        )
    # Release N+1 acknowledges with a note.
    answer = await world.client.post(
        f"/alerts/{new['id']}/acknowledge", json={"note": "called, back tomorrow"}, headers=contact
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["acknowledgement_note"] == "called, back tomorrow"

    both = {a["id"]: a for a in (await world.client.get("/inbox", headers=contact)).json()}
    assert both[str(old["id"])]["state"] == "acknowledged"
    assert both[str(old["id"])]["acknowledgement_note"] is None
    assert both[str(new["id"])]["acknowledgement_note"] == "called, back tomorrow"

    too_long = await world.client.post(f"/alerts/{old['id']}/acknowledge", json={"note": "x" * 501}, headers=contact)
    assert too_long.status_code == 422

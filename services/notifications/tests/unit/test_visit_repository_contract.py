"""The visit repository's contract (and the alerts' lookup by cause prefix), held by the SQL
repositories and their in-memory twins alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from forlob_notifications.domain.alerts import Alert, AlertKind, AlertState
from forlob_notifications.domain.visits import Visit, start_visit
from forlob_shared.events.visits import VisitKind
from forlob_testkit.in_memory.notifications_world import MONDAY_9, UowFactory

NOW = MONDAY_9
GRACE = timedelta(minutes=15)


def a_visit(minutes: int = 60, **changes: Any) -> Visit:
    visit = start_visit(
        org=changes.pop("org", "rca"),
        staff_id=changes.pop("staff_id", "kp-1"),
        kind=VisitKind.HOME,
        planned_end=NOW + timedelta(minutes=minutes),
        colleague_id=changes.pop("colleague_id", None),
        now=NOW,
        grace=GRACE,
    )
    for name, value in changes.items():
        setattr(visit, name, value)
    return visit


def an_alert(cause_key: str, **changes: Any) -> Alert:
    values: dict[str, Any] = {
        "id": uuid4(),
        "org": "rca",
        "kind": AlertKind.VISIT_OVERDUE,
        "cause_key": cause_key,
        "cause_event_id": uuid4(),
        "recipient_staff_id": "tl-1",
        "provider_org": "rca",
        "raised_at": NOW,
        "occurred_at": NOW,
        "facts": {"visit_staff_id": "kp-1"},
    }
    return Alert(**(values | changes))


async def store_alerts(new_uow: UowFactory, *alerts: Alert) -> None:
    async with new_uow() as uow:
        for alert in alerts:
            assert await uow.alerts.add(alert)
        await uow.commit()


async def store(new_uow: UowFactory, *visits: Visit) -> None:
    async with new_uow() as uow:
        for visit in visits:
            await uow.visits.add(visit)
        await uow.commit()


async def test_a_visit_comes_back_as_it_was_stored_and_only_to_its_organisation(new_uow: UowFactory) -> None:
    visit = a_visit(colleague_id="kp-2", alerted=["tl-1", "kp-2"], overdue_at=NOW + timedelta(minutes=75))
    await store(new_uow, visit)
    async with new_uow() as uow:
        assert await uow.visits.get(visit.id, "rca") == visit
        assert await uow.visits.get(visit.id, "elsewhere") is None
        assert await uow.visits.get(uuid4(), "rca") is None


async def test_open_visits_are_the_organisations_not_ended_the_earliest_planned_end_first(
    new_uow: UowFactory,
) -> None:
    later, sooner = a_visit(90), a_visit(30)
    ended = a_visit(40, ended_at=NOW + timedelta(minutes=10), ended_by="kp-1")
    elsewhere = a_visit(20, org="elsewhere")
    await store(new_uow, later, sooner, ended, elsewhere)
    async with new_uow() as uow:
        assert [v.id for v in await uow.visits.open_of("rca", 10)] == [sooner.id, later.id]
        assert [v.id for v in await uow.visits.open_of("rca", 1)] == [sooner.id]


async def test_overdue_visits_are_past_their_grace_not_ended_and_not_found_before(new_uow: UowFactory) -> None:
    due, not_yet = a_visit(30), a_visit(60)
    found_before = a_visit(10, overdue_at=NOW + timedelta(minutes=25))
    ended = a_visit(20, ended_at=NOW + timedelta(minutes=5))
    await store(new_uow, due, not_yet, found_before, ended)
    at = NOW + timedelta(minutes=45)  # 30 + 15: due exactly now
    async with new_uow() as uow:
        assert [v.id for v in await uow.visits.overdue(at, 10)] == [due.id]
        due.overdue_at = at
        due.alerted = ["tl-1"]
        await uow.visits.save(due)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.visits.overdue(at, 10) == []
        stored = await uow.visits.get(due.id, "rca")
        assert stored is not None
        assert (stored.overdue_at, stored.alerted) == (at, ["tl-1"])


async def test_open_alerts_are_found_by_the_prefix_of_their_cause_oldest_first(new_uow: UowFactory) -> None:
    visit = uuid4()
    first = an_alert(cause_key=f"visit_overdue:{visit}:tl-1", raised_at=NOW)
    second = an_alert(cause_key=f"visit_overdue:{visit}:kp-2", raised_at=NOW + timedelta(seconds=1))
    closed = an_alert(cause_key=f"visit_overdue:{visit}:tl-2", state=AlertState.CLOSED, closed_at=NOW)
    another = an_alert(cause_key=f"visit_overdue:{uuid4()}:tl-1")
    # LIKE's wildcards in a prefix are taken as they are, not as patterns
    odd = an_alert(cause_key="meeting_overdue:a_b:2026-11-20")
    look_alike = an_alert(cause_key="meeting_overdue:aXb:2026-11-20")
    await store_alerts(new_uow, first, second, closed, another, odd, look_alike)
    async with new_uow() as uow:
        found = await uow.alerts.open_by_cause_prefix(f"visit_overdue:{visit}:")
        assert [a.id for a in found] == [first.id, second.id]
        assert [a.id for a in await uow.alerts.open_by_cause_prefix("meeting_overdue:a_b:")] == [odd.id]
        assert await uow.alerts.open_by_cause_prefix("nothing:") == []

"""The alert repository's contract, held by the SQL repository and its in-memory twin alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from forlob_notifications.domain.alerts import UNASSIGNED, Alert, AlertKind, AlertState
from forlob_shared.clock import ManualClock
from forlob_testkit.in_memory.notifications_world import MONDAY_9, UowFactory

NOW = MONDAY_9


def an_alert(**changes: Any) -> Alert:
    values: dict[str, Any] = {
        "id": uuid4(),
        "org": "rca",
        "kind": AlertKind.ABSENCE,
        "cause_key": f"absence:{uuid4()}",
        "cause_event_id": uuid4(),
        "recipient_staff_id": "kp-1",
        "provider_org": "rca",
        "referring_org": "jc",
        "referral_id": uuid4(),
        "participant_id": uuid4(),
        "programme_code": "P",
        "occurred_at": NOW - timedelta(minutes=15),
        "raised_at": NOW,
        "due_at": NOW + timedelta(minutes=30),
        "notice_due_at": NOW + timedelta(hours=2),
        "facts": {"absence_id": str(uuid4())},
    }
    values.update(changes)
    return Alert(**values)


async def store(new_uow: UowFactory, *alerts: Alert) -> None:
    async with new_uow() as uow:
        for alert in alerts:
            assert await uow.alerts.add(alert)
        await uow.commit()


async def test_an_alert_comes_back_as_it_was_stored(new_uow: UowFactory) -> None:
    alert = an_alert(facts={"absence_id": "a", "window_end": NOW.isoformat()}, contact_attempts=2)
    await store(new_uow, alert)
    async with new_uow() as uow:
        assert await uow.alerts.get(alert.id, "rca") == alert
        assert await uow.alerts.by_cause(alert.cause_key) == alert


async def test_one_cause_gives_one_alert(new_uow: UowFactory) -> None:
    first = an_alert()
    await store(new_uow, first)
    async with new_uow() as uow:
        assert not await uow.alerts.add(an_alert(cause_key=first.cause_key, recipient_staff_id="other"))
        await uow.commit()
    async with new_uow() as uow:
        found = await uow.alerts.by_cause(first.cause_key)
    assert found is not None
    assert found.id == first.id
    assert found.recipient_staff_id == "kp-1"


async def test_another_organisation_does_not_find_the_alert(new_uow: UowFactory) -> None:
    alert = an_alert()
    await store(new_uow, alert)
    async with new_uow() as uow:
        assert await uow.alerts.get(alert.id, "jc") is None
        assert await uow.alerts.get(uuid4(), "rca") is None


async def test_nothing_survives_without_a_commit(new_uow: UowFactory) -> None:
    alert = an_alert()
    async with new_uow() as uow:
        await uow.alerts.add(alert)
    async with new_uow() as uow:
        assert await uow.alerts.by_cause(alert.cause_key) is None


async def test_a_change_is_kept_only_when_saved(new_uow: UowFactory) -> None:
    alert = an_alert()
    await store(new_uow, alert)
    async with new_uow() as uow:
        found = await uow.alerts.get(alert.id, "rca", for_update=True)
        assert found is not None
        found.acknowledge("kp-1", NOW, "called")
        await uow.commit()  # not saved
    async with new_uow() as uow:
        unchanged = await uow.alerts.get(alert.id, "rca")
        assert unchanged is not None
        assert unchanged.state is AlertState.OPEN
        unchanged.acknowledge("kp-1", NOW, "called")
        await uow.alerts.save(unchanged)
        await uow.commit()
    async with new_uow() as uow:
        saved = await uow.alerts.get(alert.id, "rca")
    assert saved is not None
    assert saved.state is AlertState.ACKNOWLEDGED
    assert (saved.acknowledged_by, saved.acknowledgement_note) == ("kp-1", "called")


async def test_the_inbox_holds_what_is_addressed_or_escalated_to_the_person_newest_first(
    new_uow: UowFactory,
) -> None:
    mine_old = an_alert(raised_at=NOW - timedelta(hours=2))
    mine_new = an_alert(raised_at=NOW)
    escalated_to_me = an_alert(recipient_staff_id="kp-2", escalated_to="kp-1", raised_at=NOW - timedelta(hours=1))
    someone_elses = an_alert(recipient_staff_id="kp-2")
    other_org = an_alert(org="other")
    await store(new_uow, mine_old, mine_new, escalated_to_me, someone_elses, other_org)
    async with new_uow() as uow:
        mine = await uow.alerts.inbox("rca", "kp-1", states=None, kinds=None, since=None, limit=10)
        everyone = await uow.alerts.inbox("rca", None, states=None, kinds=None, since=None, limit=10)
    assert [a.id for a in mine] == [mine_new.id, escalated_to_me.id, mine_old.id]
    assert {a.id for a in everyone} == {mine_old.id, mine_new.id, escalated_to_me.id, someone_elses.id}


async def test_the_inbox_filters_by_state_kind_and_time_and_keeps_the_limit(new_uow: UowFactory) -> None:
    absence = an_alert(raised_at=NOW - timedelta(hours=3))
    breach = an_alert(kind=AlertKind.BREACH, raised_at=NOW - timedelta(hours=2))
    closed = an_alert(state=AlertState.CLOSED, raised_at=NOW - timedelta(hours=1))
    await store(new_uow, absence, breach, closed)
    async with new_uow() as uow:

        async def ids(**query: Any) -> list[UUID]:
            values: dict[str, Any] = {"states": None, "kinds": None, "since": None, "limit": 10, **query}
            return [a.id for a in await uow.alerts.inbox("rca", "kp-1", **values)]

        assert await ids(states=["open"]) == [breach.id, absence.id]
        assert await ids(states=["closed", "acknowledged"]) == [closed.id]
        assert await ids(kinds=["breach"]) == [breach.id]
        assert await ids(since=NOW - timedelta(hours=2)) == [closed.id, breach.id]
        assert await ids(limit=1) == [closed.id]


async def test_alerts_raised_at_once_come_in_one_order_by_id(new_uow: UowFactory) -> None:
    together = [an_alert(id=UUID(int=n)) for n in (3, 1, 2)]
    await store(new_uow, *together)
    async with new_uow() as uow:
        found = await uow.alerts.inbox("rca", "kp-1", states=None, kinds=None, since=None, limit=10)
    assert [a.id.int for a in found] == [1, 2, 3]


async def test_due_are_open_alerts_past_their_escalation_time_earliest_first(new_uow: UowFactory) -> None:
    late = an_alert(due_at=NOW - timedelta(minutes=5))
    later = an_alert(due_at=NOW - timedelta(minutes=10))
    on_time = an_alert(due_at=NOW)
    not_yet = an_alert(due_at=NOW + timedelta(seconds=1))
    acknowledged = an_alert(due_at=NOW - timedelta(hours=1), state=AlertState.ACKNOWLEDGED)
    never = an_alert(due_at=None)
    await store(new_uow, late, later, on_time, not_yet, acknowledged, never)
    async with new_uow() as uow:
        due = await uow.alerts.due(NOW, 10)
        first = await uow.alerts.due(NOW, 1)
    assert [a.id for a in due] == [later.id, late.id, on_time.id]
    assert [a.id for a in first] == [later.id]


async def test_notices_are_due_for_unclosed_alerts_past_the_deadline_not_yet_told(new_uow: UowFactory) -> None:
    due = an_alert(notice_due_at=NOW - timedelta(minutes=1))
    acknowledged = an_alert(notice_due_at=NOW - timedelta(minutes=2), state=AlertState.ACKNOWLEDGED)
    told = an_alert(notice_due_at=NOW - timedelta(minutes=3), notice_sent_at=NOW - timedelta(minutes=1))
    closed = an_alert(notice_due_at=NOW - timedelta(minutes=3), state=AlertState.CLOSED)
    not_yet = an_alert(notice_due_at=NOW + timedelta(minutes=1))
    await store(new_uow, due, acknowledged, told, closed, not_yet)
    async with new_uow() as uow:
        found = await uow.alerts.notice_due(NOW, 10)
    assert [a.id for a in found] == [acknowledged.id, due.id]


async def test_unassigned_are_the_open_alerts_of_those_courses_without_a_recipient(new_uow: UowFactory) -> None:
    course, other = uuid4(), uuid4()
    waiting = an_alert(referral_id=course, recipient_staff_id=UNASSIGNED, raised_at=NOW)
    earlier = an_alert(referral_id=course, recipient_staff_id=UNASSIGNED, raised_at=NOW - timedelta(minutes=1))
    assigned = an_alert(referral_id=course)
    closed = an_alert(referral_id=course, recipient_staff_id=UNASSIGNED, state=AlertState.CLOSED)
    elsewhere = an_alert(referral_id=other, recipient_staff_id=UNASSIGNED)
    await store(new_uow, waiting, earlier, assigned, closed, elsewhere)
    async with new_uow() as uow:
        assert [a.id for a in await uow.alerts.unassigned(course)] == [earlier.id, waiting.id]
        both = await uow.alerts.unassigned_of([course, other])
        assert {a.id for a in both} == {earlier.id, waiting.id, elsewhere.id}
        assert await uow.alerts.unassigned_of([]) == []


async def test_unresolved_absences_are_a_courses_unclosed_absences_from_a_time_on(new_uow: UowFactory) -> None:
    course = uuid4()
    before = an_alert(referral_id=course, occurred_at=NOW - timedelta(days=1))
    on_the_day = an_alert(referral_id=course, occurred_at=NOW)
    acknowledged = an_alert(referral_id=course, occurred_at=NOW + timedelta(days=1), state=AlertState.ACKNOWLEDGED)
    closed = an_alert(referral_id=course, occurred_at=NOW + timedelta(days=1), state=AlertState.CLOSED)
    a_breach = an_alert(referral_id=course, occurred_at=NOW + timedelta(days=1), kind=AlertKind.BREACH)
    other_course = an_alert(occurred_at=NOW + timedelta(days=1))
    await store(new_uow, before, on_the_day, acknowledged, closed, a_breach, other_course)
    async with new_uow() as uow:
        found = await uow.alerts.unresolved_absences(course, occurred_from=NOW)
    assert [a.id for a in found] == [on_the_day.id, acknowledged.id]


async def test_a_rollback_forgets_what_the_unit_of_work_did(new_uow: UowFactory, clock: ManualClock) -> None:
    kept, dropped = an_alert(), an_alert()
    await store(new_uow, kept)
    async with new_uow() as uow:
        await uow.alerts.add(dropped)
        await uow.rollback()
        assert await uow.alerts.by_cause(dropped.cause_key) is None
        assert await uow.alerts.by_cause(kept.cause_key) is not None

"""Escalation's working time skips the provider's declared closures, as attendance announces them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from forlob_shared.events import DeclaredClosure, ProviderCalendarChanged
from forlob_testkit.wait import eventually

# Friday 27 November 2026, 15:50 in Copenhagen: ten working minutes left of the week.
FRIDAY_1550 = datetime(2026, 11, 27, 14, 50, tzinfo=UTC)
# Tuesday 1 December 2026, 08:00 Copenhagen: the first working moment after a staff day on Monday.
TUESDAY_0800 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
STAFF_DAY = DeclaredClosure(
    closure_id="c-1", first_day=date(2026, 11, 30), last_day=date(2026, 11, 30), reason="staff_day"
)


async def _stored(world: Any, changed_at: datetime) -> bool:
    found = await world.scalar("SELECT changed_at FROM provider_calendars WHERE provider_org = :o", o=world.provider)
    return found == changed_at


async def test_a_declared_closure_counts_no_working_time_before_escalation(world: Any) -> None:
    course = await world.start_course(escalation_minutes=30)
    announced = FRIDAY_1550 - timedelta(days=3)
    calendar = ProviderCalendarChanged(
        provider_org=world.provider, closures=[STAFF_DAY], customary_worked=[], changed_at=announced
    )
    await world.publish(calendar, subject=world.provider)
    await eventually(lambda: _stored(world, announced), what="the provider's calendar")
    # An older announcement delivered late (before the staff day was declared) changes nothing.
    older = ProviderCalendarChanged(
        provider_org=world.provider, closures=[], customary_worked=[], changed_at=announced - timedelta(days=1)
    )
    async with world.uow() as uow:
        await uow.calendars.record(older)
        await uow.commit()
    assert await _stored(world, announced)

    world.clock.set(FRIDAY_1550)
    absence = world.absence(course)
    await world.publish(absence)
    alert = await world.alert_for(f"absence:{absence.absence_id}")
    # 10 minutes on Friday, the weekend and Monday's staff day count nothing, 20 more on Tuesday.
    assert alert["due_at"] == TUESDAY_0800 + timedelta(minutes=20)

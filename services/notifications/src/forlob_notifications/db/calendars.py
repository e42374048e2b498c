"""Providers' calendars, by session: the functions the event handlers call (the repository is
:class:`forlob_notifications.db.repositories.CalendarRepository`, ``uow.calendars``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.repositories.calendars import CalendarRepository
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.events import ProviderCalendarChanged


async def record(session: AsyncSession, event: ProviderCalendarChanged) -> None:
    await CalendarRepository(session).record(event)


async def with_closures(session: AsyncSession, org: str, calendar: ProviderCalendar) -> ProviderCalendar:
    return await CalendarRepository(session).with_closures(org, calendar)

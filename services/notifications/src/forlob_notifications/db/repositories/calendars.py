"""Providers' calendars as attendance announces them: closures and customary closures worked."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_notifications.db.models import ProviderCalendarRow
from forlob_shared.calendar import Closure, ProviderCalendar
from forlob_shared.events import DeclaredClosure, ProviderCalendarChanged


class CalendarRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, event: ProviderCalendarChanged) -> None:
        """Keep the newest announcement: an older one delivered late changes nothing."""
        values = {
            "provider_org": event.provider_org,
            "closures": [c.model_dump(mode="json") for c in event.closures],
            "customary_worked": list(event.customary_worked),
            "changed_at": event.changed_at,
        }
        stmt = pg_insert(ProviderCalendarRow).values(**values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["provider_org"],
                set_={k: stmt.excluded[k] for k in ("closures", "customary_worked", "changed_at")},
                where=ProviderCalendarRow.changed_at <= stmt.excluded.changed_at,
            )
        )

    async def with_closures(self, org: str, calendar: ProviderCalendar) -> ProviderCalendar:
        """``calendar`` (the course's country and zone) with what ``org`` declared."""
        row = await self.session.scalar(sa.select(ProviderCalendarRow).where(ProviderCalendarRow.provider_org == org))
        if row is None:
            return calendar
        return declared(calendar, row.closures, row.customary_worked)


def declared(calendar: ProviderCalendar, closures: list[dict[str, object]], worked: list[str]) -> ProviderCalendar:
    """A calendar with a provider's announcement as stored (closures as their event JSON)."""
    found = []
    for raw in closures:
        c = DeclaredClosure.model_validate(raw)
        found.append(Closure(c.first_day, c.last_day, c.reason, c.start, c.end))
    return calendar.declared(tuple(found), frozenset(worked))

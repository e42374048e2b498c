"""The attendance service's use cases on the in-memory unit of work, for its fast tests: courses
started from programme events, a clock the test moves, and what was published."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from forlob_attendance.application.breaches import check_breaches
from forlob_attendance.application.courses import CoursePolicy, start_course
from forlob_attendance.application.registration import CheckInEntry, Registered, check_in, check_out
from forlob_attendance.application.slots import materialise_ahead
from forlob_attendance.application.summaries import summarise_weeks
from forlob_attendance.application.sweep import sweep_absences
from forlob_attendance.db.models import SlotRow
from forlob_shared.clock import ManualClock
from forlob_shared.events import ProgrammeStarted
from forlob_shared.http.auth import Principal
from forlob_shared.wake import Wakes
from forlob_testkit.attendance import PROVIDER, local, programme_started
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.attendance import FakeAttendanceUnitOfWork

WORKSHOP_LEAD = Principal(staff_id="wl-1", org=PROVIDER, roles=frozenset({"workshop_lead"}))
CONTACT_PERSON = Principal(staff_id="cp-1", org=PROVIDER, roles=frozenset({"contact_person"}))
COORDINATOR = Principal(staff_id="co-1", org=PROVIDER, roles=frozenset({"coordinator"}))
OTHER_PROVIDER = Principal(staff_id="wl-9", org="aspa-odense", roles=frozenset({"workshop_lead", "coordinator"}))


@dataclass
class Centre:
    """One provider's attendance in memory."""

    clock: ManualClock = field(default_factory=lambda: ManualClock(local(date(2026, 1, 1), 0)))
    store: FakeStore = field(default_factory=FakeStore)
    policy: CoursePolicy = field(default_factory=lambda: CoursePolicy(days_ahead=14))
    # The runtime's wake-ups, shared by every unit of work of the centre as by a service's.
    wakes: Wakes = field(default_factory=Wakes)

    def uow(self) -> FakeAttendanceUnitOfWork:
        return FakeAttendanceUnitOfWork(self.store, self.clock, self.wakes)

    async def start(self, event: ProgrammeStarted | None = None, **kwargs: Any) -> ProgrammeStarted:
        """Start a course as its programme.started event would; the clock moves on to 05:00 local on
        its first day if it stands before that."""
        event = event or programme_started(**kwargs)
        if self.clock.now() < local(event.start_date, 5):
            self.clock.set(local(event.start_date, 5))
        await self.apply(start_course, event, self.policy)
        return event

    async def apply(self, use_case: Any, *args: Any) -> None:
        """Run a programme-event use case as the consumer does: inside a unit of work it entered
        and commits (after the use case, whether or not the use case commits itself)."""
        async with self.uow() as uow:
            await use_case(uow, *args)
            await uow.commit()

    def at(self, instant: datetime) -> None:
        self.clock.set(instant)

    async def materialise(self, days_ahead: int = 14) -> int:
        return (await materialise_ahead(self.uow(), self.clock.now(), days_ahead))[1]

    async def sweep(self, batch: int = 50_000) -> int:
        return await sweep_absences(self.uow(), self.clock.now(), batch)

    async def check_breaches(self) -> int:
        return (await check_breaches(self.uow(), self.clock.now()))[1]

    async def summarise(self) -> int:
        return (await summarise_weeks(self.uow(), self.clock.now()))[1]

    async def check_in(
        self, participant_id: UUID, at: datetime | None = None, staff: Principal = WORKSHOP_LEAD
    ) -> Registered:
        return await check_in(self.uow(), staff, CheckInEntry(participant_id, at))

    async def check_out(
        self, participant_id: UUID, at: datetime | None = None, staff: Principal = WORKSHOP_LEAD
    ) -> Registered:
        return await check_out(self.uow(), staff, participant_id, at)

    def events(self, routing_key: str | None = None) -> list[Any]:
        return [e for e in self.store.published if routing_key is None or e.data.routing_key == routing_key]

    def data(self, routing_key: str) -> list[Any]:
        return [e.data for e in self.events(routing_key)]

    def slots(self, referral_id: UUID, day: date | None = None) -> list[SlotRow]:
        rows: dict[UUID, SlotRow] = self.store.table("slots")
        found = [s for s in rows.values() if s.referral_id == referral_id and (day is None or s.day == day)]
        return sorted(found, key=lambda s: (s.day, s.window_start))

    def slot(self, referral_id: UUID, day: date) -> SlotRow:
        (only,) = self.slots(referral_id, day)
        return only

    def snapshot(self) -> str:
        """Everything held, to show that a refused request changed nothing."""
        parts = {}
        for name, table in sorted(self.store.tables.items()):
            items = table.values() if isinstance(table, dict) else table
            parts[name] = sorted(repr(_plain(item)) for item in items)
        return repr((parts, len(self.store.published)))


def _plain(item: Any) -> Any:
    if hasattr(item, "__table__"):
        return {c.key: getattr(item, c.key, None) for c in item.__table__.columns}
    return item

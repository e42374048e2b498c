"""The attendance service's repositories and unit of work in memory, for the fast test tier.

Each twin satisfies the same Protocol as its SQL original (``forlob_attendance.application.ports``)
and passes the same contract tests (``services/attendance/tests/unit/test_repositories_contract.py``).
Rows are the service's mapped classes used as plain objects, and a twin hands out the stored
object itself, as the database session's identity map does: a use case changes a row it read and
the change is kept when it commits (the fake unit of work puts everything back on a rollback).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import (
    AbsenceReportRow,
    BreachRow,
    ClosureRow,
    ContactAttemptRow,
    CourseRow,
    SlotRow,
    WeekSummaryRow,
)
from forlob_attendance.db.repository import closure_of, to_domain, windows_json
from forlob_attendance.domain.course import Course, Declared, provider_calendar
from forlob_attendance.domain.schedule import ScheduleVersion
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.events import AbsenceDetected, PendingEvent, TimeWindow
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.attendance_internships import InMemoryEmployers, InMemoryInternships
from forlob_testkit.in_memory.attendance_sms import InMemorySms, ask_question
from forlob_testkit.in_memory.erasure import InMemoryErasureRegister
from forlob_testkit.in_memory.idempotency import FakeIdempotentUnitOfWork


def _key(referral_id: UUID) -> str:
    return str(referral_id)  # PostgreSQL orders uuids as their lower-case hex text


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """The values as PostgreSQL gives them back: a timestamptz comes back in UTC."""
    return {k: v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else v for k, v in values.items()}


def _windows(raw: Sequence[dict[str, Any]]) -> tuple[TimeWindow, ...]:
    return tuple(TimeWindow.model_validate(w) for w in raw)


class InMemoryCourses:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, CourseRow] = store.table("courses")
        self._schedules: dict[tuple[UUID, date], list[dict[str, Any]]] = store.table("schedule_versions")
        self._flagged: set[UUID] = store.table("breach_checks", set)
        self._closures: dict[UUID, ClosureRow] = store.table("closures")
        self._worked: dict[tuple[str, str], tuple[datetime, str]] = store.table("customary_openings")

    async def row(self, referral_id: UUID, *, lock: bool = False) -> CourseRow | None:
        return self._rows.get(referral_id)

    async def rows_of_participant(self, participant_id: UUID, org: str, *, lock: bool = False) -> list[CourseRow]:
        found = [r for r in self._rows.values() if r.participant_id == participant_id and r.provider_org == org]
        return sorted(found, key=lambda r: r.start_date)

    async def versions(self, referral_id: UUID) -> tuple[ScheduleVersion, ...]:
        return tuple(
            ScheduleVersion(day, _windows(windows))
            for (rid, day), windows in sorted(self._schedules.items(), key=lambda item: item[0][1])
            if rid == referral_id
        )

    async def declared(self, orgs: Iterable[str]) -> dict[str, Declared]:
        found: dict[str, Declared] = {}
        for org in sorted(set(orgs)):
            closures = sorted((c for c in self._closures.values() if c.provider_org == org), key=lambda c: c.first_day)
            opened = frozenset(code for (o, code) in self._worked if o == org)
            found[org] = (tuple(closure_of(c) for c in closures), opened)
        return found

    async def calendar(self, row: CourseRow) -> ProviderCalendar:
        closures, open_on = (await self.declared([row.provider_org]))[row.provider_org]
        return provider_calendar(row.country, row.timezone).declared(closures, open_on)

    async def course(self, row: CourseRow) -> Course:
        return to_domain(row, await self.versions(row.referral_id), await self.calendar(row))

    async def start(self, courses: Sequence[dict[str, Any]], schedules: Sequence[dict[str, Any]]) -> set[UUID]:
        started: set[UUID] = set()
        for values in courses:
            if values["referral_id"] in self._rows:
                continue  # ON CONFLICT DO NOTHING
            defaults = {"shape": "timetabled", "cadence_kind": None, "cadence_max_days": None}
            defaults |= {"cadence_reminded_due": None, "cadence_checked_on": None, "traceparent": None}
            self._rows[values["referral_id"]] = CourseRow(**(defaults | _stored(values)))
            started.add(values["referral_id"])
        if len(started) == len(courses):
            for schedule in schedules:
                self._schedules[(schedule["referral_id"], schedule["effective_from"])] = list(schedule["windows"])
        return started

    async def set_schedule(self, referral_id: UUID, effective_from: date, windows: Sequence[TimeWindow]) -> None:
        self._schedules[(referral_id, effective_from)] = windows_json(windows)

    def _by_key(self, rows: Iterable[CourseRow], batch: int | None = None) -> list[CourseRow]:
        ordered = sorted(rows, key=lambda r: _key(r.referral_id))
        return ordered if batch is None else ordered[:batch]

    async def due_for_slots(self, bound: date, batch: int) -> list[CourseRow]:
        def due(r: CourseRow) -> bool:
            done = r.materialised_through or r.start_date - timedelta(days=1)
            return not r.ended and done < min(r.end_date, bound)

        return self._by_key(filter(due, self._rows.values()), batch)

    async def due_for_summary(self, bound: date, batch: int) -> list[CourseRow]:
        def due(r: CourseRow) -> bool:
            return (r.summarised_through or r.start_date - timedelta(days=1)) < min(r.end_date, bound)

        return self._by_key(filter(due, self._rows.values()), batch)

    async def flagged_for_breach_check(self, batch: int) -> list[CourseRow]:
        return self._by_key((self._rows[rid] for rid in self._flagged if rid in self._rows), batch)

    async def unflag_breach_check(self, referral_ids: Sequence[UUID]) -> None:
        self._flagged.difference_update(referral_ids)

    async def running_at(self, org: str, first: date, last: date) -> list[CourseRow]:
        return self._by_key(
            r
            for r in self._rows.values()
            if r.provider_org == org
            and not r.ended
            and r.start_date <= last
            and r.end_date >= first
            and r.materialised_through is not None
            and r.materialised_through >= first
        )

    async def due_for_cadence(self, today: date, batch: int) -> list[CourseRow]:
        def due(r: CourseRow) -> bool:
            unchecked = r.cadence_checked_on is None or r.cadence_checked_on < today
            running = r.shape == "meetings" and not r.ended and r.start_date <= today
            return running and r.cadence_max_days is not None and unchecked

        return self._by_key(filter(due, self._rows.values()), batch)


_SLOT_DEFAULTS: dict[str, Any] = dict.fromkeys(
    ("meeting_id", "place", "staff_id", "topics", "cancelled_by", "planned_at", "checked_in_at", "checked_out_at")
)


class InMemorySlots:
    def __init__(self, store: FakeStore, emit: Callable[..., None]) -> None:
        self._rows: dict[UUID, SlotRow] = store.table("slots")
        self._courses: dict[UUID, CourseRow] = store.table("courses")
        self._flagged: set[UUID] = store.table("breach_checks", set)
        self._store = store
        self._emit = emit

    async def on_day(self, referral_id: UUID, day: date, *, lock: bool = False) -> list[SlotRow]:
        found = [s for s in self._rows.values() if s.referral_id == referral_id and s.day == day]
        return sorted(found, key=lambda s: s.window_start)

    async def between(self, referral_id: UUID, first: date, last: date, *, lock: bool = False) -> list[SlotRow]:
        found = [s for s in self._rows.values() if s.referral_id == referral_id and first <= s.day <= last]
        return sorted(found, key=lambda s: (s.day, s.window_start))

    async def add(self, values: Sequence[dict[str, Any]]) -> None:
        taken = {(s.referral_id, s.day, s.window_start) for s in self._rows.values()}
        for value in values:
            if value["referral_id"] not in self._courses:
                raise KeyError(f"no course {value['referral_id']} for the slot")  # the foreign key
            key = (value["referral_id"], value["day"], value["window_start"])
            if key in taken or value["id"] in self._rows:
                continue  # ON CONFLICT DO NOTHING
            taken.add(key)
            self._rows[value["id"]] = SlotRow(**(_SLOT_DEFAULTS | _stored(value)))

    async def delete(self, slot_ids: Sequence[UUID]) -> None:
        for slot_id in slot_ids:
            self._rows.pop(slot_id, None)

    async def facts_through(
        self, referral_ids: Sequence[UUID], last: date
    ) -> list[tuple[UUID, date, str, UUID | None]]:
        wanted = set(referral_ids)
        found = [s for s in self._rows.values() if s.referral_id in wanted and s.day <= last]
        found.sort(key=lambda s: (_key(s.referral_id), s.day, s.window_start))
        return [(s.referral_id, s.day, s.state, s.absence_id) for s in found]

    async def absence(self, absence_id: UUID, org: str, *, lock: bool = False) -> tuple[SlotRow, CourseRow] | None:
        slot = self._rows.get(absence_id)
        if slot is None or slot.absence_id is None:
            return None
        course = self._courses[slot.referral_id]
        return (slot, course) if course.provider_org == org else None

    async def meeting(self, meeting_id: UUID, org: str, *, lock: bool = False) -> tuple[SlotRow, CourseRow] | None:
        slot = self._rows.get(meeting_id)
        if slot is None or slot.meeting_id is None:
            return None
        course = self._courses[slot.referral_id]
        return (slot, course) if course.provider_org == org else None

    async def next_due(self) -> datetime | None:
        return min((s.due_at for s in self._rows.values() if s.state == "expected"), default=None)

    async def mark_missed(self, now: datetime, batch: int) -> int:
        due = sorted(
            (s for s in self._rows.values() if s.state == "expected" and s.due_at <= now), key=lambda s: s.due_at
        )[:batch]
        for slot in due:
            slot.state, slot.absence_id, slot.detected_at = "absent", slot.id, now
            self._flagged.add(slot.referral_id)
            course = self._courses[slot.referral_id]
            self._emit(
                PendingEvent(
                    data=AbsenceDetected(
                        referral_id=course.referral_id,
                        participant_id=course.participant_id,
                        programme_code=course.programme_code,
                        provider_org=course.provider_org,
                        referring_org=course.referring_org,
                        absence_id=slot.id,
                        day=slot.day,
                        expected_at=slot.expected_start,
                        detected_at=now,
                        expected_end=slot.expected_end,
                        meeting_id=slot.meeting_id,
                    ),
                    subject=str(slot.id),
                    referring_org=course.referring_org,
                    provider_org=course.provider_org,
                    traceparent=course.traceparent,  # as the sweep's SQL: under the course's trace
                )
            )
            ask_question(self._store, self._emit, course, slot, now)
        return len(due)

    def _drop_undecided(self, referral_id: UUID, keep: Callable[[date], bool]) -> None:
        for slot in list(self._rows.values()):
            undecided = slot.checked_in_at is None and slot.absence_id is None
            if slot.referral_id == referral_id and undecided and not keep(slot.day):
                del self._rows[slot.id]

    async def drop_undecided_after(self, referral_id: UUID, last_day: date) -> None:
        self._drop_undecided(referral_id, lambda day: day <= last_day)

    async def drop_undecided_from(self, referral_id: UUID, first_day: date) -> None:
        self._drop_undecided(referral_id, lambda day: day < first_day)


class InMemoryCalendar:
    def __init__(self, store: FakeStore) -> None:
        self._closures: dict[UUID, ClosureRow] = store.table("closures")
        self._worked: dict[tuple[str, str], tuple[datetime, str]] = store.table("customary_openings")

    async def lock(self, org: str) -> None:
        """Nothing runs beside a test's use case: there is nobody to wait for."""

    async def add_closure(self, closure: ClosureRow) -> None:
        self._closures[closure.id] = closure

    async def closure(self, closure_id: UUID, org: str) -> ClosureRow | None:
        found = self._closures.get(closure_id)
        return found if found is not None and found.provider_org == org else None

    async def remove_closure(self, closure: ClosureRow) -> None:
        self._closures.pop(closure.id, None)

    async def closures(self, org: str, *, ending_from: date | None = None) -> list[ClosureRow]:
        found = [
            c
            for c in self._closures.values()
            if c.provider_org == org and (ending_from is None or c.last_day >= ending_from)
        ]
        return sorted(found, key=lambda c: (c.first_day, str(c.id)))

    async def worked_customary(self, org: str) -> list[str]:
        return sorted(code for (o, code) in self._worked if o == org)

    async def work_on_customary(self, org: str, code: str, at: datetime, by: str) -> None:
        self._worked.setdefault((org, code), (at, by))

    async def observe_customary(self, org: str, code: str) -> None:
        self._worked.pop((org, code), None)


class InMemoryReports:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, AbsenceReportRow] = store.table("absence_reports")

    async def add(self, report: AbsenceReportRow) -> None:
        self._rows[report.id] = report

    async def between(self, referral_id: UUID, first: date, last: date) -> Sequence[AbsenceReportRow]:
        found = [
            r
            for r in self._rows.values()
            if r.referral_id == referral_id and r.first_day <= last and r.last_day >= first
        ]
        return sorted(found, key=lambda r: r.reported_at)


class InMemoryContacts:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, ContactAttemptRow] = store.table("contact_attempts")

    async def add(self, attempt: ContactAttemptRow) -> None:
        self._rows[attempt.id] = attempt

    async def of_absence(self, absence_id: UUID) -> list[ContactAttemptRow]:
        return sorted((a for a in self._rows.values() if a.absence_id == absence_id), key=lambda a: a.contacted_at)


class InMemoryBreaches:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[UUID, BreachRow] = store.table("breaches")

    async def add(self, breach: BreachRow) -> None:
        self._rows[breach.id] = breach

    async def of_course(self, referral_id: UUID) -> list[BreachRow]:
        found = [b for b in self._rows.values() if b.referral_id == referral_id]
        return sorted(found, key=lambda b: b.window_last_day)


class InMemorySummaries:
    def __init__(self, store: FakeStore) -> None:
        self._rows: dict[tuple[UUID, date], WeekSummaryRow] = store.table("week_summaries")

    async def add_if_new(self, summary: WeekSummaryRow) -> bool:
        key = (summary.referral_id, summary.week_start)
        if key in self._rows:
            return False
        self._rows[key] = summary
        return True

    async def of_course(self, referral_id: UUID) -> list[WeekSummaryRow]:
        return [s for (rid, _), s in sorted(self._rows.items(), key=lambda i: i[0][1]) if rid == referral_id]


class InMemoryReads:
    def __init__(self, store: FakeStore) -> None:
        self._slots: dict[UUID, SlotRow] = store.table("slots")
        self._courses: dict[UUID, CourseRow] = store.table("courses")

    async def day_list(self, org: str, day: date) -> list[tuple[UUID, str, SlotRow]]:
        found = [
            (self._courses[s.referral_id].participant_id, self._courses[s.referral_id].timezone, s)
            for s in self._slots.values()
            if s.day == day and self._courses[s.referral_id].provider_org == org
        ]
        return sorted(found, key=lambda row: (row[2].window_start, str(row[0])))

    async def slots_of(self, referral_ids: Sequence[UUID], first: date, last: date) -> list[SlotRow]:
        wanted = set(referral_ids)
        found = [s for s in self._slots.values() if s.referral_id in wanted and first <= s.day <= last]
        return sorted(found, key=lambda s: (s.day, s.window_start))

    async def meetings_at(
        self, org: str, first: date, last: date, staff_id: str | None = None
    ) -> list[tuple[SlotRow, CourseRow]]:
        found = [
            (s, self._courses[s.referral_id])
            for s in self._slots.values()
            if s.meeting_id is not None
            and first <= s.day <= last
            and self._courses[s.referral_id].provider_org == org
            and (staff_id is None or s.staff_id == staff_id)
        ]
        return sorted(found, key=lambda pair: (pair[0].expected_start, str(pair[0].id)))


class FakeAttendanceUnitOfWork(FakeIdempotentUnitOfWork):
    """``AttendanceUnitOfWork`` in memory."""

    courses: InMemoryCourses
    slots: InMemorySlots
    calendar: InMemoryCalendar
    reports: InMemoryReports
    contacts: InMemoryContacts
    internships: InMemoryInternships
    employers: InMemoryEmployers
    breaches: InMemoryBreaches
    summaries: InMemorySummaries
    sms: InMemorySms
    reads: InMemoryReads
    erasures: InMemoryErasureRegister

    async def _on_enter(self) -> None:
        self.courses = InMemoryCourses(self.store)
        self.slots = InMemorySlots(self.store, self.emit)
        self.calendar = InMemoryCalendar(self.store)
        self.reports = InMemoryReports(self.store)
        self.contacts = InMemoryContacts(self.store)
        self.internships = InMemoryInternships(self.store)
        self.employers = InMemoryEmployers(self.store)
        self.breaches = InMemoryBreaches(self.store)
        self.summaries = InMemorySummaries(self.store)
        self.sms = InMemorySms(self.store, self.emit)
        self.reads = InMemoryReads(self.store)
        self.erasures = InMemoryErasureRegister(self.store)


def _is_an_attendance_uow(uow: FakeAttendanceUnitOfWork) -> AttendanceUoW:
    return uow  # mypy checks here that the fake stands in for the real unit of work

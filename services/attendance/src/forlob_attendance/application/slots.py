"""Expected attendance, materialised ahead: one slot per agreed window on each course working day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.application.sweep import DETECTION, falls_due
from forlob_attendance.db.models import AbsenceReportRow, CourseRow, InternshipRow, SlotRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.course import Course, Declared, provider_calendar
from forlob_attendance.domain.internship import InternshipDays, internship_on
from forlob_attendance.domain.registration import excused_state
from forlob_attendance.domain.schedule import PlannedSlot, ScheduleVersion, days_between, plan_slots
from forlob_shared.calendar import ProviderCalendar
from forlob_shared.events import AbsenceReason
from forlob_shared.wake import earliest


def horizon(row: CourseRow, now: datetime, days_ahead: int) -> date:
    """The last day to have slots now: ``days_ahead`` past the provider's local today, within the course."""
    return horizon_of(provider_calendar(row.country, row.timezone), row.end_date, now, days_ahead)


def horizon_of(calendar: ProviderCalendar, end_date: date, now: datetime, days_ahead: int) -> date:
    """:func:`horizon` of a course not written yet (a start plans its row and slots together)."""
    return min(end_date, calendar.local_date(now) + timedelta(days=days_ahead))


def slot_span(row: CourseRow, through: date) -> tuple[date, date]:
    """The days still to materialise up to ``through``: (first, last), empty when last < first."""
    return span_of(row.start_date, row.materialised_through, row.end_date, through)


def span_of(start_date: date, materialised_through: date | None, end_date: date, through: date) -> tuple[date, date]:
    """:func:`slot_span` of a course's dates."""
    first = max(start_date, (materialised_through or date.min) + timedelta(days=1))
    return first, min(end_date, through)


async def add_slots(uow: AttendanceUoW, slots: Sequence[dict[str, Any]]) -> None:
    """Add these slots (their columns), the one way every use case adds expected attendance: the
    first of them to fall due wakes the detection job at that instant once ``uow`` commits, so an
    arrival or meeting due before the sweep's next tick is detected when due, not a tick later."""
    await uow.slots.add(slots)
    ask_detection(uow, *(falls_due(slot) for slot in slots))


def ask_detection(uow: AttendanceUoW, *instants: datetime | None) -> None:
    """Wake the detection job, after the commit, at the earliest of ``instants`` (none: no wake)."""
    due = earliest(*instants)
    if due is not None:
        uow.wake_after_commit(DETECTION, due)


def slot_columns(slot: SlotRow) -> dict[str, object]:
    """A slot made as a row (a planned meeting, with its place and staff) as the columns
    :func:`add_slots` takes."""
    return {
        "id": slot.id,
        "referral_id": slot.referral_id,
        "day": slot.day,
        "window_start": slot.window_start,
        "window_end": slot.window_end,
        "expected_start": slot.expected_start,
        "expected_end": slot.expected_end,
        "due_at": slot.due_at,
        "state": slot.state,
        "meeting_id": slot.meeting_id,
        "place": slot.place,
        "staff_id": slot.staff_id,
        "planned_at": slot.planned_at,
    }


def internship_days(rows: Sequence[InternshipRow]) -> list[InternshipDays]:
    return [InternshipDays(r.id, r.employer_id, r.first_day, r.last_day, tuple(r.weekdays)) for r in rows]


# What plan_slots reads: courses equal in all of it have the same planned slots.
PlanKey = tuple[ProviderCalendar, tuple[ScheduleVersion, ...], date, date, timedelta]


def slot_values(
    course: Course,
    first: date,
    last: date,
    reports: Sequence[AbsenceReportRow],
    internships: Sequence[InternshipRow] = (),
    shared_plans: dict[PlanKey, list[PlannedSlot]] | None = None,
) -> list[dict[str, Any]]:
    """The slot rows of ``first``..``last``: at an internship where the agreed plan puts the day at
    a company, and excused where an absence report covers the day (a report says more about that
    one day than the plan: ill on an internship day is ill).

    ``shared_plans``: the plans made so far for other courses (a batch of starts), shared by those that
    plan alike: courses of one programme at one provider starting on one day mostly do, and the
    calendar walk is most of a start's CPU. Planning is a pure function of the key.
    """
    key: PlanKey = (course.calendar, course.versions, first, last, course.grace)
    planned = shared_plans.get(key) if shared_plans is not None else None
    if planned is None:
        planned = plan_slots(course.calendar, course.versions, days_between(first, last), course.grace)
        if shared_plans is not None:
            shared_plans[key] = planned  # read only by every course that shares it
    plans = internship_days(internships)
    values = []
    for slot in planned:
        state, reason, report_id = "expected", None, None
        internship = internship_on(plans, slot.day)
        if internship is not None:
            state = "internship"
        for report in reports:  # the newest report covering the day wins
            if report.first_day <= slot.day <= report.last_day:
                state, reason, report_id = excused_state(AbsenceReason(report.reason)), report.reason, report.id
        values.append(
            {
                "id": uuid4(),
                "referral_id": course.referral_id,
                "day": slot.day,
                "window_start": slot.window_start,
                "window_end": slot.window_end,
                "expected_start": slot.expected_start,
                "expected_end": slot.expected_end,
                "due_at": slot.due_at,
                "state": state,
                "reason": reason,
                "report_id": report_id,
                "internship_id": internship.id if internship is not None else None,
            }
        )
    return values


async def materialise_course(
    uow: AttendanceUoW, row: CourseRow, through: date, declared: Declared | None = None
) -> int:
    """Add the course's slots from where it stopped up to ``through`` (the caller holds the course row).

    ``declared`` is the provider's closures when the caller has read them (for many courses at once).
    """
    first, last = slot_span(row, through)
    if last < first:
        return 0
    if declared is None:
        course = await uow.courses.course(row)
    else:
        calendar = provider_calendar(row.country, row.timezone).declared(*declared)
        course = to_domain(row, await uow.courses.versions(row.referral_id), calendar)
    reports = await reports_between(uow, row.referral_id, first, last)
    internships = await uow.internships.between(row.referral_id, first, last)
    values = slot_values(course, first, last, reports, internships)
    await add_slots(uow, values)
    row.materialised_through = last
    return len(values)


async def materialise_ahead(uow: AttendanceUoW, now: datetime, days_ahead: int, batch: int = 500) -> tuple[int, int]:
    """Carry running courses' slots forward to the horizon; returns (courses taken, slots created).

    Safe beside other replicas: each takes courses the others do not hold.
    """
    created = 0
    async with uow:
        # By the UTC date, which trails the local date by at most a day: the horizon stays ahead.
        bound = now.date() + timedelta(days=days_ahead)
        rows = await uow.courses.due_for_slots(bound, batch)
        declared = await uow.courses.declared(r.provider_org for r in rows)  # two queries for the batch
        for row in rows:
            created += await materialise_course(uow, row, horizon(row, now, days_ahead), declared[row.provider_org])
        await uow.commit()
    return len(rows), created


async def reports_between(uow: AttendanceUoW, referral_id: UUID, first: date, last: date) -> Sequence[AbsenceReportRow]:
    """The absences reported in advance for a course that touch ``first``..``last``, oldest first
    (a later report over the same day wins when the slots are planned)."""
    return await uow.reports.between(referral_id, first, last)

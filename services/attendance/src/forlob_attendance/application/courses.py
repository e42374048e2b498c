"""The referral service's programme.* events, turned into courses, schedules and slots.

Each use case runs inside a unit of work its caller has entered: the consumer enters it and
records the event in its inbox first, so the effect and the inbox record commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from forlob_attendance.application.meetings import call_off_meetings_after
from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.application.slots import (
    PlanKey,
    add_slots,
    horizon,
    horizon_of,
    materialise_course,
    slot_values,
    span_of,
)
from forlob_attendance.db.models import CourseRow
from forlob_attendance.db.repository import windows_json
from forlob_attendance.domain.course import Course, Declared, check_course_dates, grace_of, provider_calendar
from forlob_attendance.domain.schedule import PlannedSlot, ScheduleVersion, windows_inside_opening_hours
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import (
    AgreementChanged,
    MeetingCadence,
    ProgrammeEnded,
    ProgrammeRescheduled,
    ProgrammeShape,
    ProgrammeStarted,
)


@dataclass(frozen=True)
class CoursePolicy:
    """The service settings the course use cases need."""

    default_grace_minutes: int = 15
    days_ahead: int = 14


@dataclass(frozen=True)
class _PlannedStart:
    course: dict[str, Any]
    schedule: dict[str, Any]
    slots: list[dict[str, Any]]


def _planned_start(
    event: ProgrammeStarted,
    policy: CoursePolicy,
    now: datetime,
    declared: Declared,
    traceparent: str | None,
    plans: dict[PlanKey, list[PlannedSlot]],
) -> _PlannedStart:
    """A course that starts now, its schedule and its first slots, checked and planned from the
    event alone: it has one schedule and no absence reported yet (none can be, for a course
    unknown here)."""
    check_course_dates(event.start_date, event.planned_end_date)
    base_calendar = provider_calendar(event.country, event.timezone)
    timetabled = event.shape is ProgrammeShape.TIMETABLED
    # Only a timetabled course has agreed windows: a meetings course expects its planned meetings
    # alone (docs/attendance.md#the-meetings-shape), an outreach case nothing at all.
    windows = list(event.schedule) if timetabled else []
    if timetabled and not event.opening_hours:
        raise InvalidInput("the programme has no opening hours", field="opening_hours")
    windows_inside_opening_hours(windows, event.opening_hours)
    columns = {
        "referral_id": event.referral_id,
        "participant_id": event.participant_id,
        "programme_code": event.programme_code,
        "provider_org": event.provider_org,
        "referring_org": event.referring_org,
        "contact_person_id": event.contact_person_id,
        "start_date": event.start_date,
        "end_date": event.planned_end_date,
        "ended": False,
        "country": event.country,
        "timezone": event.timezone,
        "opening_hours": windows_json(event.opening_hours),
        "rules": event.rules.model_dump(mode="json"),
        "grace_minutes": int(grace_of(event.rules, policy.default_grace_minutes) / timedelta(minutes=1)),
        "materialised_through": None,
        "summarised_through": None,
        "breach_marks": {},
        "shape": event.shape.value,
        **cadence_columns(event.cadence if event.shape is ProgrammeShape.MEETINGS else None),
        "cadence_reminded_due": None,
        "cadence_checked_on": None,
        "traceparent": traceparent,
    }
    schedule = {
        "referral_id": event.referral_id,
        "effective_from": event.start_date,
        "windows": windows_json(windows),
    }
    # The course as to_domain would read it back from these columns, straight from the event: an
    # ORM row built only to be read cost a third of a start's planning.
    course = Course(
        referral_id=event.referral_id,
        participant_id=event.participant_id,
        programme_code=event.programme_code,
        provider_org=event.provider_org,
        referring_org=event.referring_org,
        start_date=event.start_date,
        end_date=event.planned_end_date,
        ended=False,
        calendar=base_calendar.declared(*declared),
        opening_hours=tuple(event.opening_hours),
        rules=event.rules,
        grace=timedelta(minutes=columns["grace_minutes"]),
        versions=(ScheduleVersion(event.start_date, tuple(windows)),),
        shape=event.shape.value,
    )
    through = horizon_of(base_calendar, event.planned_end_date, now, policy.days_ahead)
    first, last = span_of(event.start_date, None, event.planned_end_date, through)
    slots = slot_values(course, first, last, reports=(), shared_plans=plans) if first <= last else []
    columns["materialised_through"] = last if first <= last else None
    return _PlannedStart(columns, schedule, slots)


async def start_course(
    uow: AttendanceUoW, event: ProgrammeStarted, policy: CoursePolicy, traceparent: str | None = None
) -> None:
    """:func:`start_courses` of one: the rule is written once, for many."""
    await start_courses(uow, [event], policy, [traceparent])


async def start_courses(
    uow: AttendanceUoW,
    events: Sequence[ProgrammeStarted],
    policy: CoursePolicy,
    traceparents: Sequence[str | None] = (),
) -> None:
    """Courses that start now (a consumer's batch of starts): the courses, their schedules and their
    slots go in with three statements, however many. ``traceparents`` (one per event, when known):
    the trace context each course was started in, which its detected absences join."""
    contexts = list(traceparents) + [None] * (len(events) - len(traceparents))
    now = uow.clock.now()
    # The providers' own closures: nobody is expected on them from the first day.
    declared = await uow.courses.declared(e.provider_org for e in events)
    plans: dict[PlanKey, list[PlannedSlot]] = {}  # shared by the batch's courses that plan alike
    planned = [
        _planned_start(event, policy, now, declared[event.provider_org], context, plans)
        for event, context in zip(events, contexts, strict=True)
    ]
    if not planned:
        return
    started = await uow.courses.start([p.course for p in planned], [p.schedule for p in planned])
    if len(started) != len(planned):  # one started before (or twice here): which one, the caller sorts out
        again = next((e.referral_id for e in events if e.referral_id not in started), events[-1].referral_id)
        raise Conflict(f"the course of referral {again} has already started")
    await add_slots(uow, [slot for p in planned for slot in p.slots])


async def _locked_course(uow: AttendanceUoW, referral_id: UUID) -> CourseRow:
    row = await uow.courses.row(referral_id, lock=True)
    if row is None:
        raise NotFound(f"no course for referral {referral_id}")
    return row


def cadence_columns(cadence: MeetingCadence | None) -> dict[str, Any]:
    return {
        "cadence_kind": cadence.kind.value if cadence else None,
        "cadence_max_days": cadence.max_days_between if cadence else None,
    }


async def change_agreement(uow: AttendanceUoW, event: AgreementChanged, policy: CoursePolicy) -> None:
    row = await _locked_course(uow, event.referral_id)
    if row.shape != ProgrammeShape.TIMETABLED.value:
        # No windows to plan again: the planned meetings stand; the next reminder takes the new cadence.
        row.contact_person_id = event.contact_person_id
        if event.cadence is not None:
            for column, value in cadence_columns(event.cadence).items():
                setattr(row, column, value)
        return
    course = await uow.courses.course(row)
    windows_inside_opening_hours(event.schedule, course.opening_hours)
    effective_from = max(event.effective_from, row.start_date)
    await uow.courses.set_schedule(row.referral_id, effective_from, event.schedule)
    row.contact_person_id = event.contact_person_id
    await _replan_from(uow, row, effective_from, policy)


async def reschedule_course(uow: AttendanceUoW, event: ProgrammeRescheduled, policy: CoursePolicy) -> None:
    row = await _locked_course(uow, event.referral_id)
    check_course_dates(row.start_date, event.planned_end_date)
    row.end_date = event.planned_end_date
    await call_off_meetings_after(uow, row, event.planned_end_date)
    await _replan_from(uow, row, event.planned_end_date + timedelta(days=1), policy)


async def end_course(uow: AttendanceUoW, event: ProgrammeEnded) -> None:
    row = await _locked_course(uow, event.referral_id)
    if event.end_date < row.start_date:
        raise InvalidInput("the course ends before it started", field="end_date")
    row.end_date = event.end_date
    row.ended = True
    await call_off_meetings_after(uow, row, event.end_date)
    await uow.slots.drop_undecided_from(row.referral_id, event.end_date + timedelta(days=1))


async def _replan_from(uow: AttendanceUoW, row: CourseRow, first_day: date, policy: CoursePolicy) -> None:
    """Drop undecided slots from ``first_day`` and materialise again under the current plan."""
    await uow.slots.drop_undecided_from(row.referral_id, first_day)
    await uow.slots.drop_undecided_after(row.referral_id, row.end_date)
    if row.materialised_through is not None and row.materialised_through >= first_day:
        row.materialised_through = first_day - timedelta(days=1)
    if row.materialised_through is not None and row.materialised_through > row.end_date:
        row.materialised_through = row.end_date
    if not row.ended:
        await materialise_course(uow, row, horizon(row, uow.clock.now(), policy.days_ahead))

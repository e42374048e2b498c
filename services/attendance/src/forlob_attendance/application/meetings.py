"""Meetings of a meetings-shaped course: planned, moved, held, cancelled, read; and the cadence
reminder.

A planned meeting is a slot (its id is the meeting's id): the course's only expected arrival. So
the sweep that detects a missed window detects a missed meeting too, with the programme's grace,
as ``absence.detected.v1`` carrying the ``meeting_id``; a meeting held after that resolves the
absence like a late arrival. Nothing is expected between meetings (docs/attendance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.application.slots import add_slots, ask_detection, slot_columns
from forlob_attendance.application.sweep import falls_due
from forlob_attendance.db.models import CourseRow, SlotRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.course import Course
from forlob_attendance.domain.meetings import (
    CancelledBy,
    MeetingState,
    cadence_overdue,
    check_meeting_times,
    meeting_state,
    require_shape,
)
from forlob_attendance.domain.registration import minutes_between
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import (
    AbsenceReason,
    AbsenceResolved,
    EventData,
    MeetingCadenceOverdue,
    MeetingCancelled,
    MeetingHeld,
    MeetingPlace,
    MeetingPlanned,
    MeetingTopic,
    PendingEvent,
    ProgrammeShape,
)
from forlob_shared.http.auth import Principal

# Who plans and records meetings: the staff who hold them and those who lead them.
MEETING_ROLES = ("contact_person", "coordinator", "team_leader")
CLOCK_TOLERANCE = timedelta(minutes=2)
MAX_RANGE_DAYS = 92
# Slot states a meeting that took (or takes) place is in: the cadence counts these.
_ON_THE_CALENDAR = ("expected", "present", "absent")


@dataclass(frozen=True)
class MeetingPlan:
    starts_at: datetime
    ends_at: datetime
    place: MeetingPlace
    staff_id: str | None = None


@dataclass(frozen=True)
class MeetingRecord:
    held_at: datetime | None
    duration_minutes: int
    topics: tuple[MeetingTopic, ...] = ()


@dataclass(frozen=True)
class MeetingView:
    meeting_id: UUID
    referral_id: UUID
    participant_id: UUID
    day: date
    starts_at: datetime
    ends_at: datetime
    place: str | None
    staff_id: str | None
    state: MeetingState
    held_at: datetime | None
    duration_minutes: int | None
    minutes_late: int | None
    topics: list[str]
    cancelled_by: str | None
    reason: str | None
    absence_id: UUID | None
    resolution: str | None
    timezone: str


def view(slot: SlotRow, row: CourseRow) -> MeetingView:
    held = slot.state == "present" and slot.checked_in_at is not None
    duration = None
    if slot.checked_in_at is not None and slot.checked_out_at is not None:
        duration = minutes_between(slot.checked_in_at, slot.checked_out_at)
    return MeetingView(
        meeting_id=slot.id,
        referral_id=row.referral_id,
        participant_id=row.participant_id,
        day=slot.day,
        starts_at=slot.expected_start,
        ends_at=slot.expected_end,
        place=slot.place,
        staff_id=slot.staff_id,
        state=meeting_state(slot.state),
        held_at=slot.checked_in_at if held else None,
        duration_minutes=duration,
        minutes_late=slot.minutes_late if held else None,
        topics=list(slot.topics or []),
        cancelled_by=slot.cancelled_by,
        reason=slot.reason,
        absence_id=slot.absence_id,
        resolution=slot.resolution,
        timezone=row.timezone,
    )


def _event(course: Course, data: EventData, subject: UUID) -> PendingEvent:
    return PendingEvent(
        data=data, subject=str(subject), referring_org=course.referring_org, provider_org=course.provider_org
    )


def _when(at: datetime | None, now: datetime, field: str) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidInput("give the time with its UTC offset", field=field)
    if at > now + CLOCK_TOLERANCE:
        raise InvalidInput("the time lies in the future", field=field)
    return at


async def _meetings_course(uow: AttendanceUoW, org: str, referral_id: UUID) -> tuple[CourseRow, Course]:
    row = await uow.courses.row(referral_id, lock=True)
    if row is None or row.provider_org != org:  # another organisation's course is unknown here
        raise NotFound(f"no course for referral {referral_id}")
    require_shape(row.shape, ProgrammeShape.MEETINGS, "a planned meeting")
    if row.ended:
        raise Conflict("the course has ended: no meeting can be planned in it")
    return row, await uow.courses.course(row)


def _place(slot: SlotRow, row: CourseRow, course: Course, plan: MeetingPlan, now: datetime) -> None:
    """Put the meeting at its (new) time: the slot's day and local window, and its due time."""
    check_meeting_times(plan.starts_at, plan.ends_at, now)
    local_start, local_end = course.calendar.local(plan.starts_at), course.calendar.local(plan.ends_at)
    if not course.covers(local_start.date()):
        raise InvalidInput(f"{local_start.date()} is outside the participant's course", field="starts_at")
    slot.day = local_start.date()
    slot.window_start, slot.window_end = local_start.time(), local_end.time()
    slot.expected_start, slot.expected_end = plan.starts_at, plan.ends_at
    slot.due_at = plan.starts_at + course.grace
    slot.place = plan.place.value
    slot.staff_id = plan.staff_id or slot.staff_id or row.contact_person_id
    slot.planned_at = now


async def _free(uow: AttendanceUoW, slot: SlotRow) -> None:
    """One meeting per course and start: a second at the same minute is a typing error."""
    same = await uow.slots.on_day(slot.referral_id, slot.day, lock=True)
    if any(s.id != slot.id and s.window_start == slot.window_start for s in same):
        raise Conflict(f"another meeting of the course starts at {slot.window_start:%H:%M} on {slot.day}")


def _planned(course: Course, slot: SlotRow) -> PendingEvent:
    assert slot.place is not None
    assert slot.staff_id is not None
    assert slot.planned_at is not None
    return _event(
        course,
        MeetingPlanned(
            **course.event_fields(),
            meeting_id=slot.id,
            starts_at=slot.expected_start,
            ends_at=slot.expected_end,
            place=MeetingPlace(slot.place),
            staff_id=slot.staff_id,
            planned_at=slot.planned_at,
        ),
        slot.id,
    )


async def plan_meeting(uow: AttendanceUoW, staff: Principal, referral_id: UUID, plan: MeetingPlan) -> MeetingView:
    async with uow:
        now = uow.clock.now()
        row, course = await _meetings_course(uow, staff.org, referral_id)
        meeting_id = uuid4()
        slot = SlotRow(id=meeting_id, referral_id=row.referral_id, meeting_id=meeting_id, state="expected")
        _place(slot, row, course, plan, now)
        await _free(uow, slot)
        await add_slots(uow, [slot_columns(slot)])
        uow.emit(_planned(course, slot))
        meeting = view(slot, row)
        await uow.commit(meeting)
    return meeting


async def _meeting(uow: AttendanceUoW, org: str, meeting_id: UUID) -> tuple[SlotRow, CourseRow, Course]:
    found = await uow.slots.meeting(meeting_id, org, lock=True)
    if found is None:
        raise NotFound(f"no meeting {meeting_id}")
    slot, row = found
    return slot, row, await uow.courses.course(row)


async def move_meeting(uow: AttendanceUoW, staff: Principal, meeting_id: UUID, plan: MeetingPlan) -> MeetingView:
    """The same meeting at a new time (or place, or with another staff member)."""
    async with uow:
        now = uow.clock.now()
        slot, row, course = await _meeting(uow, staff.org, meeting_id)
        if row.ended:
            raise Conflict("the course has ended: its meetings cannot move")
        if slot.state != "expected":
            raise Conflict(f"the meeting is {meeting_state(slot.state)}: only a planned meeting moves")
        _place(slot, row, course, plan, now)
        await _free(uow, slot)
        # Moved sooner, it may fall due before the sweep's next tick: as if planned anew.
        ask_detection(uow, falls_due(slot_columns(slot)))
        uow.emit(_planned(course, slot))
        meeting = view(slot, row)
        await uow.commit(meeting)
    return meeting


async def hold_meeting(uow: AttendanceUoW, staff: Principal, meeting_id: UUID, record: MeetingRecord) -> MeetingView:
    """The meeting took place: its check-in. After a detected miss it resolves the absence as a
    late arrival, as a check-in does."""
    if not 0 <= record.duration_minutes <= 12 * 60:
        raise InvalidInput("a meeting lasts 0 to 720 minutes", field="duration_minutes")
    async with uow:
        now = uow.clock.now()
        held_at = _when(record.held_at, now, "held_at")
        slot, row, course = await _meeting(uow, staff.org, meeting_id)
        if slot.state not in {"expected", "absent"}:
            raise Conflict(f"the meeting is {meeting_state(slot.state)} already")
        late = minutes_between(slot.expected_start, held_at)
        previous = slot.state
        slot.state, slot.checked_in_at, slot.minutes_late = "present", held_at, late
        slot.checked_out_at = held_at + timedelta(minutes=record.duration_minutes)
        slot.topics = sorted({t.value for t in record.topics})
        uow.emit(
            _event(
                course,
                MeetingHeld(
                    **course.event_fields(),
                    meeting_id=slot.id,
                    day=slot.day,
                    held_at=held_at,
                    minutes_late=late,
                    duration_minutes=record.duration_minutes,
                    topics=[MeetingTopic(t) for t in slot.topics],
                    recorded_at=now,
                ),
                slot.id,
            )
        )
        if previous == "absent" and slot.absence_id is not None:
            slot.resolution = "late_arrival"
            uow.emit(
                _event(
                    course,
                    AbsenceResolved(
                        **course.event_fields(),
                        absence_id=slot.absence_id,
                        resolution="late_arrival",
                        minutes_late=late,
                        resolved_at=now,
                    ),
                    slot.absence_id,
                )
            )
        meeting = view(slot, row)
        await uow.commit(meeting)
    return meeting


def _call_off(
    course: Course, slot: SlotRow, by: CancelledBy, reason: AbsenceReason | None, now: datetime
) -> PendingEvent:
    # Called off by the participant the meeting stays agreed and is excused (as a reported
    # absence); called off by the provider it was never expected.
    slot.state = "excused" if by is CancelledBy.PARTICIPANT else "cancelled"
    slot.cancelled_by, slot.reason = by.value, reason.value if reason else None
    return _event(
        course,
        MeetingCancelled(
            **course.event_fields(), meeting_id=slot.id, cancelled_by=by.value, reason=reason, cancelled_at=now
        ),
        slot.id,
    )


async def cancel_meeting(
    uow: AttendanceUoW, staff: Principal, meeting_id: UUID, by: CancelledBy, reason: AbsenceReason | None = None
) -> MeetingView:
    """Called off before it was missed: no absence is ever detected for it."""
    async with uow:
        now = uow.clock.now()
        slot, row, course = await _meeting(uow, staff.org, meeting_id)
        if slot.state != "expected":
            raise Conflict(f"the meeting is {meeting_state(slot.state)}: only a planned meeting is cancelled")
        uow.emit(_call_off(course, slot, by, reason, now))
        meeting = view(slot, row)
        await uow.commit(meeting)
    return meeting


async def call_off_meetings_after(uow: AttendanceUoW, row: CourseRow, last_day: date) -> None:
    """The course now ends on ``last_day``: its meetings planned after it are called off by the
    provider (inside the caller's unit of work)."""
    if row.shape != ProgrammeShape.MEETINGS.value:
        return
    later = await uow.slots.between(row.referral_id, last_day + timedelta(days=1), date.max, lock=True)
    course = to_domain(row)
    now = uow.clock.now()
    for slot in later:
        if slot.meeting_id is not None and slot.state == "expected":
            uow.emit(_call_off(course, slot, CancelledBy.PROVIDER, None, now))


async def meetings_of_referral(uow: AttendanceUoW, org: str, referral_id: UUID) -> list[MeetingView]:
    async with uow:
        row = await uow.courses.row(referral_id)
        if row is None or row.provider_org != org:
            raise NotFound(f"no course for referral {referral_id}")
        slots = await uow.reads.slots_of([referral_id], row.start_date, row.end_date)
        return [view(s, row) for s in slots if s.meeting_id is not None]


async def meetings_at(
    uow: AttendanceUoW, org: str, first: date, last: date, staff_id: str | None = None
) -> list[MeetingView]:
    """``org``'s meetings on ``first``..``last`` (one staff member's, if given), by start."""
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"give a range of at most {MAX_RANGE_DAYS} days, first before last", field="to")
    async with uow:
        found = await uow.reads.meetings_at(org, first, last, staff_id)
        return [view(slot, row) for slot, row in found]


async def remind_cadence(uow: AttendanceUoW, now: datetime, batch: int = 500) -> tuple[int, int]:
    """Remind the contact person of every running meetings course whose cadence is overdue, once
    per course and due day; returns (courses taken, reminders). Safe beside other replicas: each
    takes courses the others do not hold, and looks at a course once a day."""
    reminded = 0
    async with uow:
        rows = await uow.courses.due_for_cadence(now.date(), batch)
        if not rows:
            return 0, 0
        facts = await uow.slots.facts_through([r.referral_id for r in rows], now.date() + timedelta(days=1))
        days: dict[UUID, list[date]] = {}
        for referral_id, day, state, _absence in facts:
            if state in _ON_THE_CALENDAR:
                days.setdefault(referral_id, []).append(day)
        for row in rows:
            row.cadence_checked_on = now.date()
            if row.cadence_max_days is None:
                continue
            course = to_domain(row)
            today = course.calendar.local_date(now)
            due_by = cadence_overdue(
                row.start_date, row.end_date, days.get(row.referral_id, []), row.cadence_max_days, today
            )
            if due_by is None or due_by == row.cadence_reminded_due:
                continue
            row.cadence_reminded_due = due_by
            last = max((d for d in days.get(row.referral_id, []) if d <= today), default=None)
            uow.emit(
                _event(
                    course,
                    MeetingCadenceOverdue(
                        **course.event_fields(),
                        last_meeting_day=last,
                        max_days_between=row.cadence_max_days,
                        due_by=due_by,
                        detected_at=now,
                    ),
                    row.referral_id,
                )
            )
            reminded += 1
        await uow.commit()
    return len(rows), reminded

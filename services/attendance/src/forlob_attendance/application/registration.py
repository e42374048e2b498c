"""Registration by staff: check-in and check-out (one, or a whole day's list), absence reported
in advance, and contact attempts about a detected absence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import AbsenceReportRow, ContactAttemptRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.course import Course
from forlob_attendance.domain.meetings import require_shape
from forlob_attendance.domain.registration import (
    CONTACT_OUTCOMES,
    excused_state,
    minutes_between,
    validate_report_period,
)
from forlob_attendance.domain.schedule import within_opening_hours
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events import (
    AbsenceReason,
    AbsenceReported,
    AbsenceResolved,
    CheckedIn,
    CheckedOut,
    ContactRecorded,
    EventData,
    PendingEvent,
    ProgrammeShape,
)
from forlob_shared.http.auth import Principal

# Staff of the provider who register attendance.
STAFF_ROLES = ("workshop_lead", "contact_person", "coordinator", "team_leader")
# A registration time may run a little ahead of the server's clock (a tablet's clock, a slow network).
CLOCK_TOLERANCE = timedelta(minutes=2)


def _event(course: Course, data: EventData, subject: UUID | None = None) -> PendingEvent:
    return PendingEvent(
        data=data,
        subject=str(subject or course.referral_id),
        referring_org=course.referring_org,
        provider_org=course.provider_org,
    )


async def _course_on(uow: AttendanceUoW, org: str, participant_id: UUID, day: date) -> Course:
    rows = await uow.courses.rows_of_participant(participant_id, org)
    if not rows:
        raise NotFound(f"no participant {participant_id}")
    for row in rows:
        if row.start_date <= day <= row.end_date:
            return await uow.courses.course(row)
    raise InvalidInput(f"{day} is outside the participant's course", field="at")


def _when(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidInput("give the time with its UTC offset", field="at")
    if at > now + CLOCK_TOLERANCE:
        raise InvalidInput("the time lies in the future", field="at")
    return at


@dataclass(frozen=True)
class Registered:
    participant_id: UUID
    referral_id: UUID
    slot_id: UUID
    day: date
    at: datetime
    minutes_late: int | None = None
    minutes_early: int | None = None
    attended_minutes: int | None = None
    absence_resolved: UUID | None = None


@dataclass(frozen=True)
class CheckInEntry:
    participant_id: UUID
    at: datetime | None = None


async def _check_in(uow: AttendanceUoW, org: str, entry: CheckInEntry, now: datetime) -> Registered:
    at = _when(entry.at, now)
    rows = await uow.courses.rows_of_participant(entry.participant_id, org)
    if not rows:
        raise NotFound(f"no participant {entry.participant_id}")
    calendar = to_domain(rows[0]).calendar
    local = calendar.local(at)
    course = await _course_on(uow, org, entry.participant_id, local.date())
    require_shape(course.shape, ProgrammeShape.TIMETABLED, "a check-in (a meeting is marked held instead)")
    if not within_opening_hours(course.opening_hours, local.weekday(), local.time()):
        raise InvalidInput(f"{local:%A %H:%M} is outside the programme's opening hours", field="at")
    slots = await uow.slots.on_day(course.referral_id, local.date(), lock=True)
    if not slots:
        raise Conflict(f"no agreed attendance for the participant on {local.date()}")
    open_slots = [s for s in slots if s.checked_in_at is None]
    if not open_slots:
        raise Conflict("the participant is already checked in")
    # The window the arrival belongs to: the last one that has begun, else the first.
    begun = [s for s in open_slots if s.expected_start <= at]
    slot = begun[-1] if begun else open_slots[0]
    late = minutes_between(slot.expected_start, at)
    previous = slot.state
    slot.checked_in_at, slot.minutes_late, slot.state = at, late, "present"
    uow.emit(
        _event(
            course,
            CheckedIn(
                **course.event_fields(),
                day=slot.day,
                checked_in_at=at,
                expected_at=slot.expected_start,
                minutes_late=late,
            ),
        )
    )
    resolved = None
    if previous == "absent" and slot.absence_id is not None:
        slot.resolution = "late_arrival"
        resolved = slot.absence_id
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
                subject=slot.absence_id,
            )
        )
    return Registered(
        entry.participant_id, course.referral_id, slot.id, slot.day, at, minutes_late=late, absence_resolved=resolved
    )


async def check_in(uow: AttendanceUoW, staff: Principal, entry: CheckInEntry) -> Registered:
    async with uow:
        registered = await _check_in(uow, staff.org, entry, uow.clock.now())
        await uow.commit(registered)
    return registered


async def check_in_list(uow: AttendanceUoW, staff: Principal, entries: Sequence[CheckInEntry]) -> list[Registered]:
    """A workshop lead's list for the day: all registered together, or (on any error) none."""
    if len({e.participant_id for e in entries}) != len(entries):
        raise InvalidInput("a participant appears twice in the list", field="entries")
    async with uow:
        now = uow.clock.now()
        registered = []
        for index, entry in enumerate(entries):
            try:
                registered.append(await _check_in(uow, staff.org, entry, now))
            except (InvalidInput, Conflict, NotFound) as exc:
                raise type(exc)(f"entry {index}: {exc.detail}", entry=index, **exc.extra) from None
        await uow.commit(registered)
    return registered


async def check_out(
    uow: AttendanceUoW, staff: Principal, participant_id: UUID, at: datetime | None = None
) -> Registered:
    async with uow:
        now = uow.clock.now()
        at = _when(at, now)
        rows = await uow.courses.rows_of_participant(participant_id, staff.org)
        if not rows:
            raise NotFound(f"no participant {participant_id}")
        day = to_domain(rows[0]).calendar.local_date(at)
        course = await _course_on(uow, staff.org, participant_id, day)
        require_shape(course.shape, ProgrammeShape.TIMETABLED, "a check-out (a meeting is marked held instead)")
        slots = await uow.slots.on_day(course.referral_id, day, lock=True)
        inside = [s for s in slots if s.checked_in_at is not None and s.checked_out_at is None]
        if not inside:
            raise Conflict("the participant is not checked in")
        slot = inside[-1]
        assert slot.checked_in_at is not None
        if at < slot.checked_in_at:
            raise InvalidInput("the check-out lies before the check-in", field="at")
        early = minutes_between(at, slot.expected_end)
        attended = minutes_between(slot.checked_in_at, at)
        slot.checked_out_at, slot.minutes_early = at, early
        uow.emit(
            _event(
                course,
                CheckedOut(
                    **course.event_fields(),
                    day=day,
                    checked_out_at=at,
                    expected_end=slot.expected_end,
                    minutes_early=early,
                    attended_minutes=attended,
                ),
            )
        )
        registered = Registered(
            participant_id, course.referral_id, slot.id, day, at, minutes_early=early, attended_minutes=attended
        )
        await uow.commit(registered)
    return registered


@dataclass(frozen=True)
class AbsenceReport:
    participant_id: UUID
    reason: AbsenceReason
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Reported:
    report_id: UUID
    referral_id: UUID
    excused_slots: int
    resolved_absences: list[UUID]


async def report_absence(uow: AttendanceUoW, staff: Principal, report: AbsenceReport) -> Reported:
    validate_report_period(report.first_day, report.last_day)
    async with uow:
        now = uow.clock.now()
        course = await _course_on(uow, staff.org, report.participant_id, report.first_day)
        # A meetings course has no period of expected attendance to excuse: its meetings are
        # called off one by one, with the reason (docs/attendance.md#the-meetings-shape).
        require_shape(course.shape, ProgrammeShape.TIMETABLED, "an absence reported for a period")
        if not course.covers(report.last_day):
            raise InvalidInput(f"{report.last_day} is outside the participant's course", field="last_day")
        report_id = uuid4()
        await uow.reports.add(
            AbsenceReportRow(
                id=report_id,
                referral_id=course.referral_id,
                reason=report.reason.value,
                first_day=report.first_day,
                last_day=report.last_day,
                reported_at=now,
                reported_by=staff.staff_id,
            )
        )
        state = excused_state(report.reason)
        slots = await uow.slots.between(course.referral_id, report.first_day, report.last_day, lock=True)
        excused, resolved = 0, []
        for slot in slots:
            if slot.state not in {"expected", "absent", "excused", "internship"}:
                continue  # attended: the report does not rewrite what happened
            if slot.state == "absent" and slot.absence_id is not None:
                slot.resolution = "reported"
                resolved.append(slot.absence_id)
                uow.emit(
                    _event(
                        course,
                        AbsenceResolved(
                            **course.event_fields(),
                            absence_id=slot.absence_id,
                            resolution="reported",
                            reason=report.reason,
                            resolved_at=now,
                        ),
                        subject=slot.absence_id,
                    )
                )
            slot.state, slot.reason, slot.report_id = state, report.reason.value, report_id
            excused += 1
        uow.emit(
            _event(
                course,
                AbsenceReported(
                    **course.event_fields(),
                    report_id=report_id,
                    reason=report.reason,
                    first_day=report.first_day,
                    last_day=report.last_day,
                    reported_at=now,
                ),
            )
        )
        reported = Reported(report_id, course.referral_id, excused, resolved)
        await uow.commit(reported)
    return reported


@dataclass(frozen=True)
class ContactAttempt:
    absence_id: UUID
    outcome: str
    reason: AbsenceReason | None = None
    contacted_at: datetime | None = None


async def record_contact(uow: AttendanceUoW, staff: Principal, attempt: ContactAttempt) -> UUID:
    if attempt.outcome not in CONTACT_OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(CONTACT_OUTCOMES)}", field="outcome")
    if attempt.outcome == "reason_given" and attempt.reason is None:
        raise InvalidInput("a reason_given contact needs the reason", field="reason")
    async with uow:
        now = uow.clock.now()
        contacted_at = _when(attempt.contacted_at, now)
        found = await uow.slots.absence(attempt.absence_id, staff.org)
        if found is None:
            raise NotFound(f"no absence {attempt.absence_id}")
        _slot, row = found
        course = to_domain(row)
        attempt_id = uuid4()
        await uow.contacts.add(
            ContactAttemptRow(
                id=attempt_id,
                absence_id=attempt.absence_id,
                outcome=attempt.outcome,
                reason=attempt.reason.value if attempt.reason else None,
                contacted_at=contacted_at,
                recorded_at=now,
                recorded_by=staff.staff_id,
            )
        )
        uow.emit(
            _event(
                course,
                ContactRecorded(
                    **course.event_fields(),
                    absence_id=attempt.absence_id,
                    outcome=attempt.outcome,
                    reason=attempt.reason,
                    recorded_at=contacted_at,
                ),
                subject=attempt.absence_id,
            )
        )
        await uow.commit(attempt_id)
    return attempt_id

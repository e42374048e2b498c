"""Combined courses: the agreed plan's internship days at a company (docs/attendance.md#combined-
courses-internship-days-in-the-plan), and the employer ids the referral service announces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import InternshipRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.internship import InternshipDays, check_plan, internship_on
from forlob_attendance.domain.meetings import require_shape
from forlob_shared.errors import Conflict, NotFound
from forlob_shared.events import InternshipPlanned, PendingEvent
from forlob_shared.events.common import ProgrammeShape
from forlob_shared.events.employment import EmployerRegistered
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class InternshipPlan:
    employer_id: UUID
    first_day: date
    last_day: date
    weekdays: tuple[int, ...]


@dataclass(frozen=True)
class Planned:
    internship: InternshipDays
    referral_id: UUID
    slots_at_internship: int


async def plan_internship(uow: AttendanceUoW, staff: Principal, referral_id: UUID, plan: InternshipPlan) -> Planned:
    """Put the weekdays of a period at an employer's internship: the windows already expected on
    those days move to ``internship`` now, and those materialised later are planned so."""
    async with uow:
        now = uow.clock.now()
        row = await uow.courses.row(referral_id, lock=True)
        if row is None or row.provider_org != staff.org:  # another organisation's course is unknown here
            raise NotFound(f"no course for referral {referral_id}")
        require_shape(row.shape, ProgrammeShape.TIMETABLED, "internship days in the agreed plan")
        if row.ended:
            raise Conflict("the course has ended: its plan is closed")
        if not await uow.employers.known(plan.employer_id, staff.org):
            raise NotFound(f"no employer {plan.employer_id} in the register", field="employer_id")
        course = to_domain(row)
        weekdays = check_plan(
            first_day=plan.first_day,
            last_day=plan.last_day,
            weekdays=plan.weekdays,
            course_start=row.start_date,
            course_end=row.end_date,
            today=course.calendar.local_date(now),
        )
        internship = InternshipDays(uuid4(), plan.employer_id, plan.first_day, plan.last_day, weekdays)
        await uow.internships.add(
            InternshipRow(
                id=internship.id,
                referral_id=referral_id,
                employer_id=plan.employer_id,
                first_day=plan.first_day,
                last_day=plan.last_day,
                weekdays=list(weekdays),
                planned_at=now,
                planned_by=staff.staff_id,
            )
        )
        moved = 0
        for slot in await uow.slots.between(referral_id, plan.first_day, plan.last_day, lock=True):
            # Only what is still to come: an arrival registered, an absence reported or detected
            # stays as it happened.
            if slot.state == "expected" and internship_on([internship], slot.day) is not None:
                slot.state, slot.internship_id = "internship", internship.id
                moved += 1
        event = InternshipPlanned(
            **course.event_fields(),
            internship_id=internship.id,
            employer_id=plan.employer_id,
            first_day=plan.first_day,
            last_day=plan.last_day,
            weekdays=list(weekdays),
            planned_at=now,
        )
        uow.emit(
            PendingEvent(
                data=event,
                subject=str(referral_id),
                referring_org=row.referring_org,
                provider_org=row.provider_org,
            )
        )
        planned = Planned(internship, referral_id, moved)
        await uow.commit(planned)
    return planned


async def internships_of(uow: AttendanceUoW, staff: Principal, referral_id: UUID) -> list[InternshipDays]:
    async with uow:
        row = await uow.courses.row(referral_id)
        if row is None or row.provider_org != staff.org:
            raise NotFound(f"no course for referral {referral_id}")
        rows = await uow.internships.of_course(referral_id)
        return [InternshipDays(r.id, r.employer_id, r.first_day, r.last_day, tuple(r.weekdays)) for r in rows]


async def record_employer(uow: AttendanceUoW, event: EmployerRegistered) -> None:
    """An employer in a provider's register: its id is one an internship may name (the consumer commits)."""
    await uow.employers.add(event.employer_id, event.provider_org, event.registered_at)

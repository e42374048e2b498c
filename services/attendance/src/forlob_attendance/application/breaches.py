"""Breach of agreement: the rules run over the courses the sweep marked, once per breach."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from uuid import UUID, uuid4

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import BreachRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.breach import CourseDay, day_status, find_breaches
from forlob_attendance.domain.course import provider_calendar
from forlob_shared.events import AgreementBreached, PendingEvent


async def check_breaches(uow: AttendanceUoW, now: datetime, batch: int = 1_000) -> tuple[int, int]:
    """Apply the breach rules to courses with new absences; returns (courses taken, breaches raised)."""
    raised = 0
    async with uow:
        courses = await uow.courses.flagged_for_breach_check(batch)
        if not courses:
            return 0, 0
        slots = await uow.slots.facts_through([c.referral_id for c in courses], now.date())
        by_course: dict[UUID, dict[date, list[tuple[str, UUID | None]]]] = defaultdict(lambda: defaultdict(list))
        for referral_id, day, state, absence_id in slots:
            by_course[referral_id][day].append((state, absence_id))
        # The breach window counts the provider's working days: its closures are not among them.
        declared = await uow.courses.declared(c.provider_org for c in courses)
        for row in courses:
            calendar = provider_calendar(row.country, row.timezone).declared(*declared[row.provider_org])
            course = to_domain(row, (), calendar)
            days = [
                CourseDay(
                    day,
                    day_status([s for s, _ in entries]),
                    tuple(a for s, a in entries if s == "absent" and a is not None),
                )
                for day, entries in by_course[row.referral_id].items()
            ]
            marks = {rule: date.fromisoformat(value) for rule, value in row.breach_marks.items()}
            marks_after = dict(row.breach_marks)
            for breach in find_breaches(days, course.calendar, course.rules, marks):
                breach_id = uuid4()
                await uow.breaches.add(
                    BreachRow(
                        id=breach_id,
                        referral_id=row.referral_id,
                        rule=breach.rule,
                        window_first_day=breach.window_first_day,
                        window_last_day=breach.window_last_day,
                        absence_ids=[str(i) for i in breach.absence_ids],
                        detected_at=now,
                    )
                )
                uow.emit(
                    PendingEvent(
                        data=AgreementBreached(
                            **course.event_fields(),
                            breach_id=breach_id,
                            rule=breach.rule,
                            unexcused_absences=breach.unexcused_absences,
                            window_first_day=breach.window_first_day,
                            window_last_day=breach.window_last_day,
                            absence_ids=list(breach.absence_ids),
                            detected_at=now,
                        ),
                        subject=str(row.referral_id),
                        referring_org=row.referring_org,
                        provider_org=row.provider_org,
                    )
                )
                marks_after[breach.rule] = breach.window_last_day.isoformat()
                raised += 1
            row.breach_marks = marks_after
        await uow.courses.unflag_breach_check([c.referral_id for c in courses])
        await uow.commit()
    return len(courses), raised

"""The weekly summary per participant: agreed against attended minutes, once per ISO week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import WeekSummaryRow
from forlob_attendance.db.repository import to_domain
from forlob_attendance.domain.summary import SlotFacts, monday_of, summarise_week
from forlob_shared.events import PendingEvent, WeekSummarised


def last_complete_sunday(local_today: date) -> date:
    return monday_of(local_today) - timedelta(days=1)


async def summarise_weeks(uow: AttendanceUoW, now: datetime, batch: int = 200) -> tuple[int, int]:
    """Summarise course weeks ended by ``now`` (provider's local time); returns (courses taken, weeks)."""
    written = 0
    async with uow:
        # By the UTC date, which trails the local one by at most a day: every course taken has a
        # week to summarise (so a full batch always makes progress); a week that ended at local
        # midnight waits until UTC midnight, an hour or two.
        bound = last_complete_sunday(now.date())
        rows = await uow.courses.due_for_summary(bound, batch)
        for row in rows:
            course = to_domain(row)
            through = min(last_complete_sunday(course.calendar.local_date(now)), row.end_date)
            week = monday_of((row.summarised_through + timedelta(days=1)) if row.summarised_through else row.start_date)
            while week <= through:
                sunday = week + timedelta(days=6)
                if sunday > last_complete_sunday(course.calendar.local_date(now)):
                    break
                slots = await uow.slots.between(row.referral_id, week, sunday)
                figures = summarise_week(
                    week,
                    [
                        SlotFacts(
                            s.state, s.expected_start, s.expected_end, s.checked_in_at, s.checked_out_at, s.reason
                        )
                        for s in slots
                    ],
                )
                added = await uow.summaries.add_if_new(
                    WeekSummaryRow(
                        referral_id=row.referral_id,
                        week_start=week,
                        agreed_minutes=figures.agreed_minutes,
                        attended_minutes=figures.attended_minutes,
                        internship_minutes=figures.internship_minutes,
                        absent_minutes=figures.absent_minutes,
                        unexcused_absences=figures.unexcused_absences,
                        summarised_at=now,
                    )
                )
                if added:
                    uow.emit(
                        PendingEvent(
                            data=WeekSummarised(
                                **course.event_fields(),
                                week_start=week,
                                agreed_minutes=figures.agreed_minutes,
                                attended_minutes=figures.attended_minutes,
                                internship_minutes=figures.internship_minutes,
                                absent_minutes=figures.absent_minutes,
                                unexcused_absences=figures.unexcused_absences,
                                absences_by_reason=figures.absences_by_reason,
                                summarised_at=now,
                            ),
                            subject=str(row.referral_id),
                            referring_org=row.referring_org,
                            provider_org=row.provider_org,
                        )
                    )
                    written += 1
                row.summarised_through = sunday
                week += timedelta(days=7)
            if row.summarised_through is None or row.summarised_through < through:
                row.summarised_through = through
        await uow.commit()
    return len(rows), written

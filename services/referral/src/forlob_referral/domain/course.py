"""The course once started: start, extend or shorten, change the agreement, end with an outcome.

These transitions belong to the programme's seats (a start or an extension needs a free seat for
the whole course; a shortened or ended course frees one for the waiting list), so they are a part
of :class:`forlob_referral.domain.intake.Intake`, written here apart from the intake decisions.
"""

from __future__ import annotations

from datetime import date, datetime

from forlob_referral.domain.programme import Programme
from forlob_referral.domain.referral import ONE_DAY, Command, Referral, State
from forlob_referral.domain.seats import Seat, peak_occupancy
from forlob_shared.errors import Conflict, InvalidInput
from forlob_shared.events import PendingEvent
from forlob_shared.events.common import MeetingCadence, Outcome, ProgrammeShape, TimeWindow
from forlob_shared.events.programme import AgreementChanged, ProgrammeEnded, ProgrammeRescheduled, ProgrammeStarted


class CourseChanges:
    """The course's transitions; :class:`~forlob_referral.domain.intake.Intake` supplies the seats."""

    programme: Programme

    def seats(self, excluding: Referral | None = None) -> list[Seat]:
        raise NotImplementedError

    def today(self, now: datetime) -> date:
        raise NotImplementedError

    def offer_freed_seats(self, now: datetime) -> list[PendingEvent]:
        raise NotImplementedError

    def _free_seat(self, referral: Referral) -> None:
        raise NotImplementedError

    def start(
        self,
        referral: Referral,
        *,
        start_date: date,
        weeks: int | None,
        schedule: tuple[TimeWindow, ...],
        contact_person_id: str,
        team_leader_id: str | None,
        now: datetime,
        cadence: MeetingCadence | None = None,
    ) -> list[PendingEvent]:
        programme = self.programme
        programme.require_shape(ProgrammeShape.TIMETABLED, ProgrammeShape.MEETINGS, doing="start a course")
        referral._check(Command.START)
        check_agreement_shape(programme, schedule, cadence, doing="start a course")
        if not programme.is_intake_day(start_date):
            raise InvalidInput(
                f"{start_date} is not an intake day of {programme.code} (intake weekdays "
                f"{list(programme.intake_weekdays)}, no public holidays); the next one is "
                f"{programme.next_intake_day(start_date)}",
                field="start_date",
            )
        if start_date < referral.received_at.astimezone(programme.calendar.zone).date():
            raise InvalidInput("a course cannot start before it was referred", field="start_date")
        weeks = weeks or programme.default_weeks
        programme.check_weeks(weeks)
        end = programme.course_end(start_date, weeks)
        if peak_occupancy(self.seats(excluding=referral), start_date, end + ONE_DAY) >= programme.capacity:
            raise Conflict(
                f"no seat is free for the whole course from {start_date} to {end}; start on the intake date "
                f"{referral.intake_date} or another day",
                current_state=referral.state.value,
            )
        referral.state = State.STARTED
        referral.start_date = start_date
        referral.planned_end_date = end
        referral.schedule = schedule
        referral.cadence = cadence
        referral.contact_person_id = contact_person_id
        referral.team_leader_id = team_leader_id
        event = referral._event(
            ProgrammeStarted(
                **referral._ids(),
                start_date=start_date,
                planned_end_date=end,
                schedule=list(schedule),
                opening_hours=list(programme.opening_hours),
                timezone=programme.timezone,
                country=programme.country,
                contact_person_id=contact_person_id,
                team_leader_id=team_leader_id,
                caseworker_id=referral.caseworker_id,
                legal_basis=referral.legal_basis,
                rules=programme.rules,
                started_at=now,
                shape=programme.shape,
                cadence=cadence,
            )
        )
        # Starting later than the intake date frees the days before it, which may fit someone.
        return [event, *self.offer_freed_seats(now)]

    def reschedule(self, referral: Referral, *, weeks: int, now: datetime) -> list[PendingEvent]:
        referral._check(Command.RESCHEDULE)
        assert referral.start_date is not None
        assert referral.planned_end_date is not None
        programme = self.programme
        programme.check_weeks(weeks, "the changed course")
        previous = referral.planned_end_date
        end = programme.course_end(referral.start_date, weeks)
        if end == previous:
            raise InvalidInput(f"the course already ends on {end}", field="weeks")
        if end < self.today(now):
            raise InvalidInput(f"the course cannot be shortened to end on {end}, which has passed", field="weeks")
        others = self.seats(excluding=referral)
        if end > previous and peak_occupancy(others, previous + ONE_DAY, end + ONE_DAY) >= programme.capacity:
            raise Conflict(f"no seat is free from {previous} to {end} for the extension", current_state="started")
        referral.planned_end_date = end
        change = "extended" if end > previous else "shortened"
        event = referral._event(
            ProgrammeRescheduled(
                **referral._ids(), previous_end_date=previous, planned_end_date=end, change=change, changed_at=now
            )
        )
        return [event, *(self.offer_freed_seats(now) if change == "shortened" else [])]

    def change_agreement(
        self,
        referral: Referral,
        *,
        effective_from: date,
        schedule: tuple[TimeWindow, ...],
        contact_person_id: str,
        team_leader_id: str | None,
        now: datetime,
        cadence: MeetingCadence | None = None,
    ) -> list[PendingEvent]:
        referral._check(Command.CHANGE_AGREEMENT)
        check_agreement_shape(self.programme, schedule, cadence, doing="change the agreement")
        assert referral.start_date is not None
        assert referral.planned_end_date is not None
        if not referral.start_date <= effective_from <= referral.planned_end_date:
            raise InvalidInput(
                f"the change must take effect within the course ({referral.start_date} to {referral.planned_end_date})",
                field="effective_from",
            )
        referral.schedule = schedule
        referral.cadence = cadence
        referral.contact_person_id = contact_person_id
        referral.team_leader_id = team_leader_id
        return [
            referral._event(
                AgreementChanged(
                    **referral._ids(),
                    effective_from=effective_from,
                    schedule=list(schedule),
                    contact_person_id=contact_person_id,
                    team_leader_id=team_leader_id,
                    changed_at=now,
                    cadence=cadence,
                )
            )
        ]

    def end(
        self, referral: Referral, *, end_date: date, outcome: Outcome, first_job_date: date | None, now: datetime
    ) -> list[PendingEvent]:
        referral._check(Command.END)
        assert referral.start_date
        if end_date < referral.start_date:
            raise InvalidInput(
                f"the course cannot end ({end_date}) before it started ({referral.start_date})", field="end_date"
            )
        if end_date > self.today(now):
            raise InvalidInput(f"{end_date} lies in the future; end the course on its last day", field="end_date")
        if first_job_date is not None and first_job_date < referral.start_date:
            raise InvalidInput("the first job date lies before the course started", field="first_job_date")
        self._free_seat(referral)
        referral.state = State.ENDED
        referral.end_date = end_date
        referral.outcome = outcome
        referral.first_job_date = first_job_date
        referral.closed_at = now
        event = referral._event(
            ProgrammeEnded(
                **referral._ids(),
                start_date=referral.start_date,
                end_date=end_date,
                outcome=outcome,
                first_job_date=first_job_date,
                ended_at=now,
            )
        )
        return [event, *self.offer_freed_seats(now)]


def check_agreement_shape(
    programme: Programme, schedule: tuple[TimeWindow, ...], cadence: MeetingCadence | None, *, doing: str
) -> None:
    """The agreement a course's start or change names must fit the programme's shape: weekly
    windows inside the opening hours for a timetabled course, a cadence and no windows for a
    meetings course, and no course at all for outreach. Checked before anything changes."""
    programme.require_shape(ProgrammeShape.TIMETABLED, ProgrammeShape.MEETINGS, doing=doing)
    if programme.shape is ProgrammeShape.MEETINGS:
        if schedule:
            raise Conflict(
                f"{programme.code} is a meetings programme: agree a cadence of meetings, not weekly attendance times",
                shape=programme.shape.value,
                reason="wrong-shape",
                field="schedule",
            )
        if cadence is None:
            raise InvalidInput(
                "agree the cadence of meetings (weekly, fortnightly or planned one by one)", field="cadence"
            )
        return
    if cadence is not None:
        raise Conflict(
            f"{programme.code} is a timetabled programme: agree weekly attendance times, not a cadence of meetings",
            shape=programme.shape.value,
            reason="wrong-shape",
            field="cadence",
        )
    if not schedule:
        raise InvalidInput("agree at least one weekly attendance time", field="schedule")
    programme.check_within_opening_hours(schedule)

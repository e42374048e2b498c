"""Use cases of the provider's coordinator during the course: start, change, end."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta, tzinfo
from uuid import UUID

from forlob_referral.application.common import locked_intake, provided, save_intake, visible
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.application.record import BookMeeting, new_meeting
from forlob_referral.application.referrals import ReferralView
from forlob_referral.domain.course_record import Meeting, MeetingKind, MeetingStatus, current_closing_meeting
from forlob_referral.domain.records import ClosingNote, DevelopmentPlan
from forlob_referral.domain.referral import State
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.common import MeetingCadence, Outcome, TimeWindow
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class StartCourse:
    start_date: date
    schedule: tuple[TimeWindow, ...]
    contact_person_id: str
    team_leader_id: str | None = None
    weeks: int | None = None
    plan: DevelopmentPlan = field(default_factory=DevelopmentPlan)
    cadence: MeetingCadence | None = None
    closing_meeting: BookMeeting | None = None


async def start_course(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, command: StartCourse, horizon: timedelta
) -> ReferralView:
    """Record the start conversation's outcome; attendance takes the schedule from programme.started."""
    async with uow:
        intake, referral = await locked_intake(uow, await provided(uow, coordinator, referral_id), horizon)
        uow.emit(
            *intake.start(
                referral,
                start_date=command.start_date,
                weeks=command.weeks,
                schedule=command.schedule,
                contact_person_id=command.contact_person_id,
                team_leader_id=command.team_leader_id,
                now=uow.clock.now(),
                cadence=command.cadence,
            )
        )
        await save_intake(uow, intake, referral)
        await uow.personal.set_plan(referral.id, command.plan)
        meeting = None
        if command.closing_meeting is not None:
            # Agreed at the start (seed 002) and kept in the course record, with the other meetings.
            booking = replace(command.closing_meeting, kind=MeetingKind.CLOSING)
            meeting = await new_meeting(uow, coordinator, referral, booking, field="closing_meeting.starts_at")
            await uow.record.add_meeting(meeting)
        view = ReferralView(referral, await uow.personal.get(referral.id), closing_meeting=meeting)
        await uow.commit(view)
    return view


async def reschedule_course(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, weeks: int, horizon: timedelta
) -> ReferralView:
    """Extend or shorten the course to ``weeks`` in all, within the programme's limits."""
    async with uow:
        intake, referral = await locked_intake(uow, await provided(uow, coordinator, referral_id), horizon)
        uow.emit(*intake.reschedule(referral, weeks=weeks, now=uow.clock.now()))
        meeting = current_closing_meeting(await uow.record.meetings(referral.id))
        _check_closing_meeting_kept(meeting, referral.planned_end_date, intake.programme.calendar.zone)
        await save_intake(uow, intake, referral)
        view = ReferralView(referral, await uow.personal.get(referral.id), closing_meeting=meeting)
        await uow.commit(view)
    return view


def _check_closing_meeting_kept(meeting: Meeting | None, end: date | None, zone: tzinfo) -> None:
    """A shortened course still holds its planned closing meeting: re-book the meeting first."""
    if meeting is None or meeting.status is not MeetingStatus.PLANNED or end is None:
        return
    day = meeting.starts_at.astimezone(zone).date()
    if day > end:
        raise InvalidInput(
            f"the course would end on {end}, before its closing meeting on {day}; re-book the closing meeting first",
            field="weeks",
        )


@dataclass(frozen=True)
class ChangeAgreement:
    effective_from: date
    schedule: tuple[TimeWindow, ...]
    contact_person_id: str
    team_leader_id: str | None = None
    cadence: MeetingCadence | None = None


async def change_agreement(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, command: ChangeAgreement, horizon: timedelta
) -> ReferralView:
    async with uow:
        intake, referral = await locked_intake(uow, await provided(uow, coordinator, referral_id), horizon)
        uow.emit(
            *intake.change_agreement(
                referral,
                effective_from=command.effective_from,
                schedule=command.schedule,
                contact_person_id=command.contact_person_id,
                team_leader_id=command.team_leader_id,
                now=uow.clock.now(),
                cadence=command.cadence,
            )
        )
        await save_intake(uow, intake, referral)
        view = ReferralView(referral, await uow.personal.get(referral.id))
        await uow.commit(view)
    return view


@dataclass(frozen=True)
class EndCourse:
    end_date: date
    outcome: Outcome
    closing_note: ClosingNote
    first_job_date: date | None = None


async def end_course(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, command: EndCourse, horizon: timedelta
) -> ReferralView:
    """End with an outcome and the closing note; the freed seat goes to the waiting list."""
    async with uow:
        intake, referral = await locked_intake(uow, await provided(uow, coordinator, referral_id), horizon)
        personal = await uow.personal.get(referral.id)
        events = intake.end(
            referral,
            end_date=command.end_date,
            outcome=command.outcome,
            first_job_date=command.first_job_date,
            now=uow.clock.now(),
        )
        if personal is not None:
            command.closing_note.check_covers(personal.goals)
        uow.emit(*events)
        await save_intake(uow, intake, referral)
        await uow.personal.set_closing_note(referral.id, command.closing_note)
        view = ReferralView(referral, await uow.personal.get(referral.id))
        await uow.commit(view)
    return view


async def read_closing_note(uow: ReferralUoW, viewer: Principal, referral_id: UUID) -> ClosingNote:
    """The closing note, for the caseworker and the provider."""
    async with uow:
        referral = await visible(uow, viewer, referral_id)
        if referral.state is not State.ENDED:
            raise Conflict(
                f"the course is {referral.state.value}; a closing note comes when it ends",
                current_state=referral.state.value,
            )
        personal = await uow.personal.get(referral.id)
        if personal is None or personal.closing_note is None:
            raise NotFound("the closing note has been erased (retention period ended)")
        return personal.closing_note

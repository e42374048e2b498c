"""The specialist's desk: the provider's courses a specialist may write a note for, the notes
they wrote, and the courses whose closing meeting is booked with no specialist note yet.

A specialist of the provider may read every course record of it (``may_read_specialist_note``);
the desk shows no more than that: courses of the caller's own organisation as provider only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.course_record import MeetingKind, MeetingStatus, SpecialistNote, may_read_specialist_note
from forlob_referral.domain.referral import Referral, State
from forlob_shared.http.auth import Principal

# How far back the desk looks: every running course, and the most recently received ended ones.
RUNNING_LIMIT = 500
ENDED_LIMIT = 100
RECENT_NOTES = 20


@dataclass(frozen=True)
class DeskCourse:
    referral: Referral
    participant_name: str | None
    closing_meeting_at: datetime | None
    notes_by_me: int
    notes_total: int
    last_note_at: datetime | None

    @property
    def awaiting_note(self) -> bool:
        """The closing meeting is booked and no specialist has written a note for the closing note."""
        return self.closing_meeting_at is not None and self.notes_total == 0

    @property
    def start_date(self) -> date | None:
        return self.referral.start_date


@dataclass(frozen=True)
class DeskNote:
    note: SpecialistNote
    participant_name: str | None
    programme_code: str


@dataclass(frozen=True)
class SpecialistDesk:
    courses: list[DeskCourse]  # running courses: awaiting a note first, then by start date
    recent_notes: list[DeskNote]  # the caller's own notes, newest first


async def specialist_desk(uow: ReferralUoW, specialist: Principal) -> SpecialistDesk:
    specialist.require("specialist")
    async with uow:
        running = await uow.referrals.visible_to(
            specialist.org, state=State.STARTED, programme_code=None, limit=RUNNING_LIMIT, offset=0
        )
        ended = await uow.referrals.visible_to(
            specialist.org, state=State.ENDED, programme_code=None, limit=ENDED_LIMIT, offset=0
        )
        courses: list[DeskCourse] = []
        mine: list[DeskNote] = []
        for referral in running + ended:
            if referral.provider_org != specialist.org:  # referred by this organisation: not its course
                continue
            notes = [
                n for n in await uow.record.notes(referral.id) if may_read_specialist_note(specialist, referral, n)
            ]
            own = [n for n in notes if n.author_id == specialist.staff_id]
            if referral.state is State.ENDED and not own:
                continue
            personal = await uow.personal.get(referral.id)
            name = personal.participant.name if personal else None
            mine += [DeskNote(n, name, referral.programme_code) for n in own]
            if referral.state is State.STARTED:
                closing = [
                    m.starts_at
                    for m in await uow.record.meetings(referral.id)
                    if m.kind is MeetingKind.CLOSING and m.status is MeetingStatus.PLANNED
                ]
                courses.append(
                    DeskCourse(
                        referral,
                        name,
                        min(closing, default=None),
                        len(own),
                        len(notes),
                        max((n.written_at for n in own), default=None),
                    )
                )
    courses.sort(key=_first_to_see)
    mine.sort(key=lambda n: n.note.written_at, reverse=True)
    return SpecialistDesk(courses, mine[:RECENT_NOTES])


def _first_to_see(course: DeskCourse) -> tuple[bool, float, date]:
    """Awaiting a note first, the nearest closing meeting first, then the course begun longest ago."""
    closing = course.closing_meeting_at.timestamp() if course.closing_meeting_at else float("inf")
    return not course.awaiting_note, closing, course.start_date or date.max

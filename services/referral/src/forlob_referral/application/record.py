"""Use cases of the course record: follow-up talks, meetings and specialist notes.

Nothing here emits an event: the record is free text about a person and stays in this service.
Tenancy first: a referral another organisation holds answers 404 before any role is looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from forlob_referral.application.common import own_programme, provided, visible
from forlob_referral.application.ports import ReferralUoW
from forlob_referral.domain.course_record import (
    FollowUpTalk,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlaceKind,
    Specialism,
    SpecialistNote,
    TalkTopic,
    check_closing_meeting,
    check_documented,
    check_within_course,
    current_closing_meeting,
    may_read_specialist_note,
)
from forlob_referral.domain.referral import Referral
from forlob_shared.errors import InvalidInput, NotFound
from forlob_shared.events.provider import StaffChanged
from forlob_shared.http.auth import Principal


@dataclass(frozen=True)
class RecordTalk:
    held_on: date
    staff_ids: tuple[str, ...]
    topics: tuple[TalkTopic, ...]
    next_steps: str


@dataclass(frozen=True)
class BookMeeting:
    kind: MeetingKind
    starts_at: datetime
    place: PlaceKind
    caseworker_invited: bool


@dataclass(frozen=True)
class CourseRecord:
    """The record as one reader may see it: specialist notes they may not read are left out."""

    referral_id: UUID
    talks: list[FollowUpTalk]
    meetings: list[Meeting]
    notes: list[SpecialistNote]


async def record_talk(uow: ReferralUoW, staff: Principal, referral_id: UUID, command: RecordTalk) -> FollowUpTalk:
    async with uow:
        referral = await provided(uow, staff, referral_id)
        check_documented(referral)
        if command.held_on > uow.clock.now().date():
            raise InvalidInput("a talk is recorded once it was held", field="held_on")
        await check_staff(uow, staff.org, command.staff_ids)
        talk = FollowUpTalk(
            id=uuid4(),
            referral_id=referral.id,
            held_on=command.held_on,
            staff_ids=tuple(dict.fromkeys(command.staff_ids)),
            topics=tuple(dict.fromkeys(command.topics)),
            next_steps=command.next_steps,
            recorded_by=staff.staff_id,
            recorded_at=uow.clock.now(),
        )
        await uow.record.add_talk(talk)
        await uow.commit(talk)
    return talk


async def check_staff(uow: ReferralUoW, org: str, staff_ids: tuple[str, ...]) -> None:
    """Who took part are the organisation's active staff, as its directory (the notifications
    service's, by ``staff.changed``) says; an organisation that keeps no directory is not checked."""
    known = await uow.staff.active_of(org)
    unknown = [s for s in dict.fromkeys(staff_ids) if known is not None and s not in known]
    if unknown:
        raise InvalidInput(f"not among {org}'s active staff: {', '.join(unknown)}", field="staff_ids", unknown=unknown)


async def record_staff_change(uow: ReferralUoW, change: StaffChanged) -> None:
    """A consumer's handler: the consumer holds the transaction (and commits it with the inbox)."""
    await uow.staff.record(change)


async def book_meeting(uow: ReferralUoW, coordinator: Principal, referral_id: UUID, command: BookMeeting) -> Meeting:
    async with uow:
        referral = await provided(uow, coordinator, referral_id)
        check_documented(referral)
        check_closing_meeting(command.kind, await uow.record.meetings(referral.id))
        meeting = await new_meeting(uow, coordinator, referral, command, field="starts_at")
        await uow.record.add_meeting(meeting)
        await uow.commit(meeting)
    return meeting


async def new_meeting(
    uow: ReferralUoW, coordinator: Principal, referral: Referral, command: BookMeeting, *, field: str
) -> Meeting:
    """A meeting to book; the closing meeting on a day of the course (one rule for every way in)."""
    if command.kind is MeetingKind.CLOSING:
        programme = await own_programme(uow, referral.provider_org, referral.programme_code)
        check_within_course(referral, command.starts_at, programme.calendar.zone, field=field)
    return Meeting(
        id=uuid4(),
        referral_id=referral.id,
        kind=command.kind,
        starts_at=command.starts_at,
        place=command.place,
        caseworker_invited=command.caseworker_invited,
        status=MeetingStatus.PLANNED,
        booked_by=coordinator.staff_id,
        booked_at=uow.clock.now(),
    )


async def rebook_closing_meeting(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, command: BookMeeting
) -> Meeting:
    """Move the closing meeting to another day of the course, or book it if there is none (any
    more): the record's meeting is the one place the closing meeting is kept."""
    async with uow:
        referral = await provided(uow, coordinator, referral_id)
        check_documented(referral)
        wanted = await new_meeting(uow, coordinator, referral, command, field="starts_at")
        current = current_closing_meeting(await uow.record.meetings(referral.id))
        if current is None:
            await uow.record.add_meeting(wanted)
            meeting = wanted
        else:
            meeting = current.rebook(command.starts_at, command.place, command.caseworker_invited)
            await uow.record.save_meeting(meeting)
        await uow.commit(meeting)
    return meeting


async def settle_meeting(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, meeting_id: UUID, status: MeetingStatus
) -> Meeting:
    async with uow:
        referral = await provided(uow, coordinator, referral_id)
        found = next((m for m in await uow.record.meetings(referral.id) if m.id == meeting_id), None)
        if found is None:
            raise NotFound(f"no meeting {meeting_id}")
        settled = found.settle(status)
        await uow.record.save_meeting(settled)
        await uow.commit(settled)
    return settled


async def write_specialist_note(
    uow: ReferralUoW, specialist: Principal, referral_id: UUID, specialism: Specialism, text: str
) -> SpecialistNote:
    async with uow:
        referral = await provided(uow, specialist, referral_id)
        check_documented(referral)
        note = SpecialistNote(
            id=uuid4(),
            referral_id=referral.id,
            specialism=specialism,
            author_id=specialist.staff_id,
            text=text,
            written_at=uow.clock.now(),
        )
        await uow.record.add_note(note)
        await uow.commit(note)
    return note


async def attach_specialist_note(
    uow: ReferralUoW, coordinator: Principal, referral_id: UUID, note_id: UUID
) -> SpecialistNote:
    """The coordinator attaches a note to the closing note: from then on the caseworker reads it."""
    async with uow:
        referral = await provided(uow, coordinator, referral_id)
        found = next((n for n in await uow.record.notes(referral.id) if n.id == note_id), None)
        if found is None:
            raise NotFound(f"no specialist note {note_id}")
        attached = found.attach(coordinator.staff_id, uow.clock.now())
        await uow.record.save_note(attached)
        await uow.commit(attached)
    return attached


async def read_course_record(uow: ReferralUoW, viewer: Principal, referral_id: UUID) -> CourseRecord:
    async with uow:
        referral = await visible(uow, viewer, referral_id)
        notes = await uow.record.notes(referral.id)
        return CourseRecord(
            referral_id=referral.id,
            talks=await uow.record.talks(referral.id),
            meetings=await uow.record.meetings(referral.id),
            notes=[n for n in notes if may_read_specialist_note(viewer, referral, n)],
        )

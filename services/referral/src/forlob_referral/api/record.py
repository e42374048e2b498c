"""The course record of a referral: talks, meetings, specialist notes (docs/referral.md#the-course-record).

Both organisations' people named below read it; a specialist note only as
``domain.course_record.may_read_specialist_note`` allows. Every POST takes an ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from forlob_referral.api.deps import Coordinator, UoW
from forlob_referral.api.keyed import keyed_runner
from forlob_referral.api.record_schemas import (
    ClosingMeetingIn,
    CourseRecordOut,
    MeetingIn,
    MeetingOut,
    SettleIn,
    SpecialistNoteIn,
    SpecialistNoteOut,
    TalkIn,
    TalkOut,
)
from forlob_referral.application.record import (
    BookMeeting,
    RecordTalk,
    attach_specialist_note,
    book_meeting,
    read_course_record,
    rebook_closing_meeting,
    record_talk,
    settle_meeting,
    write_specialist_note,
)
from forlob_referral.domain.course_record import MeetingKind
from forlob_shared.http.auth import Principal, requires
from forlob_shared.http.idempotency import IdempotencyKey

router = APIRouter(prefix="/referrals/{referral_id}/record", tags=["course record"])

# The record's readers: the referring caseworker and the provider's people on the course.
Reader = Annotated[
    Principal,
    requires("caseworker", "coordinator", "contact_person", "team_leader", "workshop_lead", "specialist"),
]
# The adviser (coordinator) and the contact person hold the weekly follow-up talks.
TalkWriter = Annotated[Principal, requires("coordinator", "contact_person")]
Specialist = Annotated[Principal, requires("specialist")]


_run = keyed_runner(status.HTTP_201_CREATED)


@router.get("", summary="The course record; specialist notes only for those who may read them")
async def read_record(referral_id: UUID, principal: Reader, uow: UoW) -> CourseRecordOut:
    return CourseRecordOut.of(await read_course_record(uow, principal, referral_id))


@router.post(
    "/talks",
    status_code=status.HTTP_201_CREATED,
    response_model=TalkOut,
    summary="Record a follow-up talk (coordinator, contact person)",
)
async def post_talk(
    referral_id: UUID, body: TalkIn, principal: TalkWriter, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = RecordTalk(body.held_on, tuple(body.staff_ids), tuple(body.topics), body.next_steps)
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: record_talk(u, principal, referral_id, command),
        lambda talk: TalkOut.of(talk).model_dump(mode="json"),
    )


@router.post(
    "/meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingOut,
    summary="Book a meeting, the closing meeting among them (coordinator)",
)
async def post_meeting(
    referral_id: UUID, body: MeetingIn, principal: Coordinator, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = BookMeeting(body.kind, body.starts_at, body.place, body.caseworker_invited)
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: book_meeting(u, principal, referral_id, command),
        lambda meeting: MeetingOut.of(meeting).model_dump(mode="json"),
    )


@router.post(
    "/closing-meeting",
    response_model=MeetingOut,
    summary="Re-book the closing meeting on another day of the course, or book it (coordinator)",
)
async def post_closing_meeting(
    referral_id: UUID, body: ClosingMeetingIn, principal: Coordinator, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    command = BookMeeting(MeetingKind.CLOSING, body.starts_at, body.place, body.caseworker_invited)
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: rebook_closing_meeting(u, principal, referral_id, command),
        lambda meeting: MeetingOut.of(meeting).model_dump(mode="json"),
        status.HTTP_200_OK,
    )


@router.post(
    "/meetings/{meeting_id}/settle",
    response_model=MeetingOut,
    summary="Mark a planned meeting held or cancelled (coordinator)",
)
async def post_settle(
    referral_id: UUID,
    meeting_id: UUID,
    body: SettleIn,
    principal: Coordinator,
    uow: UoW,
    request: Request,
    key: IdempotencyKey,
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: settle_meeting(u, principal, referral_id, meeting_id, body.status),
        lambda meeting: MeetingOut.of(meeting).model_dump(mode="json"),
        status.HTTP_200_OK,
    )


@router.post(
    "/specialist-notes",
    status_code=status.HTTP_201_CREATED,
    response_model=SpecialistNoteOut,
    summary="Write a specialist note (specialist: physician, psychologist, physiotherapist)",
)
async def post_specialist_note(
    referral_id: UUID, body: SpecialistNoteIn, principal: Specialist, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        body,
        lambda u: write_specialist_note(u, principal, referral_id, body.specialism, body.text),
        lambda note: SpecialistNoteOut.of(note).model_dump(mode="json"),
    )


@router.post(
    "/specialist-notes/{note_id}/attach",
    response_model=SpecialistNoteOut,
    summary="Attach a specialist note to the closing note: the caseworker reads it from then on (coordinator)",
)
async def post_attach(
    referral_id: UUID, note_id: UUID, principal: Coordinator, uow: UoW, request: Request, key: IdempotencyKey
) -> Response:
    return await _run(
        request,
        uow,
        principal,
        key,
        None,
        lambda u: attach_specialist_note(u, principal, referral_id, note_id),
        lambda note: SpecialistNoteOut.of(note).model_dump(mode="json"),
        status.HTTP_200_OK,
    )

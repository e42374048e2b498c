"""The specialist's desk on the in-memory unit of work: a course awaits a note while its closing
meeting is booked and no specialist has written one; a cancelled meeting or any note ends that."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from forlob_referral.application.record import BookMeeting, book_meeting, settle_meeting, write_specialist_note
from forlob_referral.application.specialist import specialist_desk
from forlob_referral.domain.course_record import MeetingKind, MeetingStatus, PlaceKind, Specialism
from forlob_shared.errors import Forbidden
from forlob_shared.http.auth import Principal
from forlob_testkit.referral import PROVIDER_ORG
from forlob_testkit.referral_rules import COORDINATOR, Desk

PSYCHOLOGIST = Principal("ps-1", PROVIDER_ORG, frozenset({"specialist"}))
PHYSICIAN = Principal("md-1", PROVIDER_ORG, frozenset({"specialist"}))
CLOSING = BookMeeting(MeetingKind.CLOSING, datetime(2026, 8, 27, 7, tzinfo=UTC), PlaceKind.ON_SITE, True)


async def _started(desk: Desk) -> UUID:
    referral_id = await desk.refer()
    await desk.accept(referral_id)
    await desk.start(referral_id)
    return referral_id


async def test_a_course_awaits_a_note_until_any_specialist_writes_one(desk: Desk) -> None:
    await desk.programme()
    referral_id = await _started(desk)
    assert (await specialist_desk(desk.uow(), PSYCHOLOGIST)).courses[0].awaiting_note is False  # no meeting yet
    meeting = await book_meeting(desk.uow(), COORDINATOR, referral_id, CLOSING)
    [course] = (await specialist_desk(desk.uow(), PSYCHOLOGIST)).courses
    assert (course.awaiting_note, course.closing_meeting_at) == (True, CLOSING.starts_at)
    await write_specialist_note(desk.uow(), PHYSICIAN, referral_id, Specialism.PHYSICIAN, "Back pain eased.")
    seen = await specialist_desk(desk.uow(), PSYCHOLOGIST)
    assert (seen.courses[0].awaiting_note, seen.courses[0].notes_by_me, seen.courses[0].notes_total) == (False, 0, 1)
    assert seen.recent_notes == []  # the physician's note is not the psychologist's
    [own] = (await specialist_desk(desk.uow(), PHYSICIAN)).recent_notes
    assert own.note.text == "Back pain eased."
    await settle_meeting(desk.uow(), COORDINATOR, referral_id, meeting.id, MeetingStatus.CANCELLED)
    assert (await specialist_desk(desk.uow(), PHYSICIAN)).courses[0].closing_meeting_at is None


async def test_only_a_specialist_has_a_desk(desk: Desk) -> None:
    with pytest.raises(Forbidden):
        await specialist_desk(desk.uow(), COORDINATOR)

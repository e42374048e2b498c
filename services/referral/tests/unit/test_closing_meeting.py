"""The closing meeting on the in-memory unit of work: agreed at the start, kept once in the course
record, re-booked within the course, and never in an event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from forlob_referral.application.course import reschedule_course
from forlob_referral.application.record import (
    BookMeeting,
    book_meeting,
    read_course_record,
    rebook_closing_meeting,
    settle_meeting,
)
from forlob_referral.domain.course_record import MeetingKind, MeetingStatus, PlaceKind
from forlob_referral.domain.referral import State
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_testkit.referral_rules import CASEWORKER, COORDINATOR, FIRST_INTAKE, HORIZON, OTHER_COORDINATOR, Desk

# The course runs from Monday 1 June to Sunday 30 August 2026 (13 weeks), in Copenhagen's zone.
AT = datetime(2026, 8, 27, 8, tzinfo=UTC)


def closing(at: datetime = AT, place: PlaceKind = PlaceKind.ON_SITE, invited: bool = True) -> BookMeeting:
    return BookMeeting(MeetingKind.CLOSING, at, place, invited)


async def accepted(desk: Desk) -> UUID:
    await desk.programme()
    referral_id = await desk.refer()
    await desk.accept(referral_id)
    return referral_id


async def started(desk: Desk, at: datetime = AT) -> UUID:
    referral_id = await accepted(desk)
    await desk.start(referral_id, closing_meeting=closing(at))
    return referral_id


async def test_the_start_books_the_closing_meeting_in_the_course_record(desk: Desk) -> None:
    referral_id = await started(desk)
    [meeting] = (await read_course_record(desk.uow(), CASEWORKER, referral_id)).meetings
    assert (meeting.kind, meeting.starts_at, meeting.place, meeting.status) == (
        MeetingKind.CLOSING,
        AT,
        PlaceKind.ON_SITE,
        MeetingStatus.PLANNED,
    )
    assert (meeting.caseworker_invited, meeting.booked_by) == (True, COORDINATOR.staff_id)
    # Both organisations read it with the course: the record's meeting, not a copy of it.
    for viewer in (COORDINATOR, CASEWORKER):
        assert (await desk.get(referral_id, viewer)).closing_meeting == meeting
    # The jobcentre hears of the start, not of the meeting (it may move): no event carries it.
    assert "closing" not in str([e.data.model_dump() for e in desk.store.published])


async def test_a_start_without_a_closing_meeting_books_none(desk: Desk) -> None:
    referral_id = await accepted(desk)
    await desk.start(referral_id)
    assert (await desk.get(referral_id)).closing_meeting is None
    assert (await read_course_record(desk.uow(), COORDINATOR, referral_id)).meetings == []


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 5, 29, 9, tzinfo=UTC),  # before the start
        datetime(2026, 5, 31, 21, 30, tzinfo=UTC),  # 23:30 on 31 May in Copenhagen, though 1 June in Asia
        datetime(2026, 8, 30, 22, 30, tzinfo=UTC),  # 00:30 on 31 August in Copenhagen: after the planned end
        datetime(2026, 12, 1, 9, tzinfo=UTC),
    ],
    ids=["before-the-start", "the-evening-before-in-local-time", "after-the-end-in-local-time", "months-later"],
)
async def test_a_closing_meeting_outside_the_course_refuses_the_start_and_changes_nothing(
    desk: Desk, at: datetime
) -> None:
    referral_id = await accepted(desk)
    before = list(desk.store.published)
    with pytest.raises(InvalidInput) as refused:
        await desk.start(referral_id, closing_meeting=closing(at))
    assert refused.value.extra["field"] == "closing_meeting.starts_at"
    assert (refused.value.extra["start_date"], refused.value.extra["planned_end_date"]) == ("2026-06-01", "2026-08-30")
    assert desk.store.published == before
    assert (await desk.get(referral_id)).referral.state is State.ACCEPTED


async def test_the_first_and_the_last_day_of_the_course_are_within_it(desk: Desk) -> None:
    first = await accepted(desk)
    last = await desk.refer()
    await desk.accept(last)
    await desk.start(first, closing_meeting=closing(datetime(2026, 5, 31, 22, 0, tzinfo=UTC)))  # 00:00 on 1 June
    await desk.start(last, closing_meeting=closing(datetime(2026, 8, 30, 21, 59, tzinfo=UTC)))  # 23:59 on 30 August
    assert (await desk.get(first)).closing_meeting is not None
    assert (await desk.get(last)).closing_meeting is not None


async def test_a_rebooking_moves_the_one_closing_meeting(desk: Desk) -> None:
    referral_id = await started(desk)
    booked = (await desk.get(referral_id)).closing_meeting
    later = AT - timedelta(days=3)
    moved = await rebook_closing_meeting(
        desk.uow(), COORDINATOR, referral_id, closing(later, PlaceKind.JOBCENTRE, False)
    )
    assert (moved.id, moved.starts_at, moved.place, moved.caseworker_invited) == (
        booked.id,
        later,
        PlaceKind.JOBCENTRE,
        False,
    )
    assert (await read_course_record(desk.uow(), CASEWORKER, referral_id)).meetings == [moved]
    assert (await desk.get(referral_id, CASEWORKER)).closing_meeting == moved


async def test_a_rebooking_outside_the_course_is_refused_and_keeps_the_meeting(desk: Desk) -> None:
    referral_id = await started(desk)
    booked = (await desk.get(referral_id)).closing_meeting
    with pytest.raises(InvalidInput) as refused:
        await rebook_closing_meeting(desk.uow(), COORDINATOR, referral_id, closing(datetime(2026, 9, 1, 9, tzinfo=UTC)))
    assert refused.value.extra["field"] == "starts_at"
    assert (await desk.get(referral_id)).closing_meeting == booked


async def test_a_held_closing_meeting_stays_and_a_cancelled_one_is_booked_anew(desk: Desk) -> None:
    referral_id = await started(desk)
    booked = (await desk.get(referral_id)).closing_meeting
    await settle_meeting(desk.uow(), COORDINATOR, referral_id, booked.id, MeetingStatus.CANCELLED)
    assert (await desk.get(referral_id)).closing_meeting is None
    anew = await rebook_closing_meeting(desk.uow(), COORDINATOR, referral_id, closing(AT + timedelta(days=1)))
    assert anew.id != booked.id
    await settle_meeting(desk.uow(), COORDINATOR, referral_id, anew.id, MeetingStatus.HELD)
    with pytest.raises(Conflict) as refused:
        await rebook_closing_meeting(desk.uow(), COORDINATOR, referral_id, closing(AT))
    assert refused.value.extra["current_state"] == "held"


async def test_a_rebooking_books_the_meeting_when_the_start_did_not(desk: Desk) -> None:
    referral_id = await accepted(desk)
    await desk.start(referral_id)
    booked = await rebook_closing_meeting(desk.uow(), COORDINATOR, referral_id, closing())
    assert (await desk.get(referral_id)).closing_meeting == booked


async def test_a_rebooking_needs_a_started_course_of_ones_own(desk: Desk) -> None:
    referral_id = await accepted(desk)
    with pytest.raises(Conflict):
        await rebook_closing_meeting(desk.uow(), COORDINATOR, referral_id, closing())
    await desk.start(referral_id, start_date=FIRST_INTAKE)
    with pytest.raises(NotFound):
        await rebook_closing_meeting(desk.uow(), OTHER_COORDINATOR, referral_id, closing())


async def test_the_record_books_a_closing_meeting_within_the_course_only(desk: Desk) -> None:
    referral_id = await accepted(desk)
    await desk.start(referral_id)
    with pytest.raises(InvalidInput) as refused:
        await book_meeting(desk.uow(), COORDINATOR, referral_id, closing(datetime(2026, 9, 3, 9, tzinfo=UTC)))
    assert refused.value.extra["field"] == "starts_at"
    # Other meetings are not bound to the course's days (a follow-up after the end, say).
    later = BookMeeting(MeetingKind.FOLLOW_UP, datetime(2026, 9, 3, 9, tzinfo=UTC), PlaceKind.PHONE, False)
    assert (await book_meeting(desk.uow(), COORDINATOR, referral_id, later)).kind is MeetingKind.FOLLOW_UP


async def test_a_course_is_not_shortened_past_its_planned_closing_meeting(desk: Desk) -> None:
    referral_id = await started(desk)  # the meeting on 27 August, the end on 30 August
    before = list(desk.store.published)
    with pytest.raises(InvalidInput) as refused:
        await reschedule_course(desk.uow(), COORDINATOR, referral_id, 12, HORIZON)
    assert refused.value.extra["field"] == "weeks"
    assert desk.store.published == before
    assert (await desk.get(referral_id)).referral.planned_end_date.isoformat() == "2026-08-30"
    await rebook_closing_meeting(desk.uow(), COORDINATOR, referral_id, closing(datetime(2026, 8, 20, 8, tzinfo=UTC)))
    shorter = await reschedule_course(desk.uow(), COORDINATOR, referral_id, 12, HORIZON)
    assert shorter.referral.planned_end_date.isoformat() == "2026-08-23"
    assert shorter.closing_meeting is not None

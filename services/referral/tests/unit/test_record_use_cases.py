"""The course record and the messages on the in-memory unit of work: who writes, who reads what,
the read receipts, and the message event that carries ids only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from forlob_referral.application.messages import post_message, read_thread, unread_count
from forlob_referral.application.record import (
    BookMeeting,
    RecordTalk,
    attach_specialist_note,
    book_meeting,
    read_course_record,
    record_staff_change,
    record_talk,
    settle_meeting,
    write_specialist_note,
)
from forlob_referral.application.retention import erase_expired_personal_data
from forlob_referral.domain.course_record import MeetingKind, MeetingStatus, PlaceKind, Specialism, TalkTopic
from forlob_referral.domain.messages import Side
from forlob_referral.domain.referral import State
from forlob_shared.errors import Conflict, InvalidInput, NotFound
from forlob_shared.events.provider import StaffChanged
from forlob_shared.events.referral import MessagePosted
from forlob_shared.http.auth import Principal
from forlob_testkit.referral import PROVIDER_ORG, REFERRING_ORG
from forlob_testkit.referral_rules import CASEWORKER, COORDINATOR, OTHER_CASEWORKER, OTHER_COORDINATOR, Desk

PSYCHOLOGIST = Principal("ps-1", PROVIDER_ORG, frozenset({"specialist"}))
CONTACT = Principal("cp-1", PROVIDER_ORG, frozenset({"contact_person"}))
WORKSHOP = Principal("wl-1", PROVIDER_ORG, frozenset({"workshop_lead"}))
OTHER_CASEWORKER_SAME_ORG = Principal("cw-8", REFERRING_ORG, frozenset({"caseworker"}))
NOTE = "Anxiety in groups; suggests smaller workshop."


async def started(desk: Desk) -> UUID:
    await desk.programme()
    referral_id = await desk.refer()
    await desk.accept(referral_id)
    await desk.start(referral_id)
    return referral_id


def talk(**fields: object) -> RecordTalk:
    values: dict[str, object] = {
        "held_on": date(2026, 5, 19),
        "staff_ids": ("co-3", "cp-1", "co-3"),
        "topics": (TalkTopic.ATTENDANCE, TalkTopic.HEALTH),
        "next_steps": "Four days next week",
    }
    values.update(fields)
    return RecordTalk(**values)  # type: ignore[arg-type]


async def test_a_talk_is_recorded_by_the_contact_person_and_read_by_the_caseworker(desk: Desk) -> None:
    referral_id = await started(desk)
    made = await record_talk(desk.uow(), CONTACT, referral_id, talk())
    assert made.staff_ids == ("co-3", "cp-1")  # each person once
    record = await read_course_record(desk.uow(), CASEWORKER, referral_id)
    assert [t.next_steps for t in record.talks] == ["Four days next week"]
    assert desk.event_types(referral_id)[-1] == "programme.started.v1"  # the record emits nothing


async def test_a_talk_before_the_start_or_in_the_future_is_refused(desk: Desk) -> None:
    await desk.programme()
    waiting = await desk.refer()
    with pytest.raises(Conflict):
        await record_talk(desk.uow(), COORDINATOR, waiting, talk())
    referral_id = await started(desk)
    with pytest.raises(InvalidInput):
        await record_talk(desk.uow(), COORDINATOR, referral_id, talk(held_on=date(2026, 5, 21)))


async def test_another_organisation_gets_404_for_every_part_of_the_record(desk: Desk) -> None:
    referral_id = await started(desk)
    with pytest.raises(NotFound):
        await record_talk(desk.uow(), OTHER_COORDINATOR, referral_id, talk())
    with pytest.raises(NotFound):
        await read_course_record(desk.uow(), OTHER_CASEWORKER, referral_id)
    with pytest.raises(NotFound):
        await record_talk(desk.uow(), CASEWORKER, referral_id, talk())  # the provider's record, not theirs


async def test_one_closing_meeting_which_is_held_or_cancelled_once(desk: Desk) -> None:
    referral_id = await started(desk)
    at = datetime(2026, 8, 27, 9, tzinfo=UTC)
    closing = BookMeeting(MeetingKind.CLOSING, at, PlaceKind.ON_SITE, caseworker_invited=True)
    meeting = await book_meeting(desk.uow(), COORDINATOR, referral_id, closing)
    with pytest.raises(Conflict):
        await book_meeting(desk.uow(), COORDINATOR, referral_id, closing)
    cancelled = await settle_meeting(desk.uow(), COORDINATOR, referral_id, meeting.id, MeetingStatus.CANCELLED)
    assert cancelled.status is MeetingStatus.CANCELLED
    with pytest.raises(Conflict):
        await settle_meeting(desk.uow(), COORDINATOR, referral_id, meeting.id, MeetingStatus.HELD)
    moved = BookMeeting(MeetingKind.CLOSING, at + timedelta(days=1), PlaceKind.VIDEO, caseworker_invited=True)
    again = await book_meeting(desk.uow(), COORDINATOR, referral_id, moved)  # booked anew after a cancel
    held = await settle_meeting(desk.uow(), COORDINATOR, referral_id, again.id, MeetingStatus.HELD)
    record = await read_course_record(desk.uow(), CASEWORKER, referral_id)
    assert [(m.status, m.caseworker_invited) for m in record.meetings] == [
        (MeetingStatus.CANCELLED, True),
        (held.status, True),
    ]
    with pytest.raises(NotFound):
        await settle_meeting(desk.uow(), OTHER_COORDINATOR, referral_id, again.id, MeetingStatus.HELD)


async def test_a_specialist_note_is_read_by_specialists_and_the_coordinator_and_the_caseworker_once_attached(
    desk: Desk,
) -> None:
    referral_id = await started(desk)
    note = await write_specialist_note(desk.uow(), PSYCHOLOGIST, referral_id, Specialism.PSYCHOLOGIST, NOTE)

    async def readable(viewer: Principal) -> list[str]:
        return [n.text for n in (await read_course_record(desk.uow(), viewer, referral_id)).notes]

    assert await readable(PSYCHOLOGIST) == [NOTE]
    assert await readable(COORDINATOR) == [NOTE]
    assert await readable(CONTACT) == []
    assert await readable(WORKSHOP) == []
    assert await readable(CASEWORKER) == []
    attached = await attach_specialist_note(desk.uow(), COORDINATOR, referral_id, note.id)
    assert attached.attached_by == "co-3"
    assert await readable(CASEWORKER) == [NOTE]
    assert await readable(CONTACT) == []  # attaching opens it to the jobcentre, not to everyone
    with pytest.raises(Conflict):
        await attach_specialist_note(desk.uow(), COORDINATOR, referral_id, note.id)


async def test_a_message_tells_the_other_side_with_ids_only_and_the_thread_keeps_read_receipts(
    desk: Desk,
) -> None:
    referral_id = await started(desk)
    text = "Jens was ill on Monday, can we move the meeting?"
    message = await post_message(desk.uow(), CASEWORKER, referral_id, text)
    assert message.side is Side.REFERRER
    [event] = desk.events("referral.message_posted.v1")
    assert isinstance(event, MessagePosted)
    assert event.message_id == message.id
    assert event.from_side == "referrer"
    assert event.contact_person_id == "cp-1"
    assert event.caseworker_id == "cw-7"
    assert "Jens" not in event.model_dump_json()
    assert "ill" not in event.model_dump_json()

    assert await unread_count(desk.uow(), COORDINATOR, referral_id) == 1
    own = await read_thread(desk.uow(), OTHER_CASEWORKER_SAME_ORG, referral_id)  # the same side: no receipt
    assert own.messages[0].read_at is None
    desk.clock.advance(timedelta(minutes=5))
    thread = await read_thread(desk.uow(), CONTACT, referral_id)
    assert thread.side is Side.PROVIDER
    assert thread.messages[0].read_by == "cp-1"
    assert thread.messages[0].read_at == desk.clock.now()
    assert await unread_count(desk.uow(), COORDINATOR, referral_id) == 0

    await post_message(desk.uow(), COORDINATOR, referral_id, "Yes, Thursday 10:00")
    assert [m.side for m in (await read_thread(desk.uow(), CASEWORKER, referral_id)).messages] == [
        Side.REFERRER,
        Side.PROVIDER,
    ]


async def test_only_the_two_parties_reach_the_thread(desk: Desk) -> None:
    referral_id = await started(desk)
    for outsider in (OTHER_CASEWORKER, OTHER_COORDINATOR, PSYCHOLOGIST, WORKSHOP):
        with pytest.raises(NotFound):
            await post_message(desk.uow(), outsider, referral_id, "hello")
        with pytest.raises(NotFound):
            await read_thread(desk.uow(), outsider, referral_id)
    assert desk.events("referral.message_posted.v1") == []


async def test_retention_erases_the_record_and_the_messages_with_the_personal_data(desk: Desk) -> None:
    referral_id = await started(desk)
    await record_talk(desk.uow(), CONTACT, referral_id, talk())
    await write_specialist_note(desk.uow(), PSYCHOLOGIST, referral_id, Specialism.PHYSICIAN, NOTE)
    await post_message(desk.uow(), CASEWORKER, referral_id, "a question")
    async with desk.uow() as uow:
        referral = await uow.referrals.get_provided_by(referral_id, PROVIDER_ORG)
        assert referral is not None
        referral.closed_at = datetime(2020, 1, 1, tzinfo=UTC)
        referral.state = State.ENDED
        await uow.referrals.save(referral)
        await uow.commit()
    assert await erase_expired_personal_data(desk.uow(), desk.clock.now(), timedelta(days=5 * 365)) == 1
    for table in ("course_talks", "specialist_notes", "referral_messages"):
        assert desk.store.tables[table] == {}


def _staff(
    staff_id: str, *, active: bool = True, at: datetime = datetime(2026, 5, 1, tzinfo=UTC), org: str = PROVIDER_ORG
) -> StaffChanged:
    return StaffChanged(org=org, staff_id=staff_id, role="contact_person", active=active, changed_at=at)


async def _hear(desk: Desk, change: StaffChanged) -> None:
    """As the consumer hands ``staff.changed`` on: in its transaction, committed after."""
    uow = desk.uow()
    async with uow:
        await record_staff_change(uow, change)
        await uow.commit()


async def test_a_talk_names_only_the_organisations_active_staff_once_it_keeps_a_directory(desk: Desk) -> None:
    referral_id = await started(desk)
    # No directory kept for the organisation yet: its staff ids are taken as given.
    assert (await record_talk(desk.uow(), CONTACT, referral_id, talk())).staff_ids == ("co-3", "cp-1")
    for change in (_staff("co-3"), _staff("cp-1"), _staff("cp-2", active=False), _staff("zz-1", org="aspa-odense")):
        await _hear(desk, change)
    for staff_ids, unknown in ((("co-3", "cp-2"), ["cp-2"]), (("zz-1", "cp-1", "zz-1"), ["zz-1"])):
        with pytest.raises(InvalidInput) as refused:
            await record_talk(desk.uow(), CONTACT, referral_id, talk(staff_ids=staff_ids))
        assert (refused.value.extra["field"], refused.value.extra["unknown"]) == ("staff_ids", unknown)
    assert len((await read_course_record(desk.uow(), CASEWORKER, referral_id)).talks) == 1  # nothing written
    assert (await record_talk(desk.uow(), CONTACT, referral_id, talk(staff_ids=("cp-1",)))).staff_ids == ("cp-1",)


async def test_the_newest_change_of_a_staff_member_wins_whatever_the_order(desk: Desk) -> None:
    referral_id = await started(desk)
    later = datetime(2026, 5, 10, tzinfo=UTC)
    await _hear(desk, _staff("cp-1", active=False, at=later))
    await _hear(desk, _staff("cp-1", active=True))  # older: arrives late, changes nothing
    with pytest.raises(InvalidInput):
        await record_talk(desk.uow(), CONTACT, referral_id, talk(staff_ids=("cp-1",)))
    await _hear(desk, _staff("cp-1", active=True, at=later + timedelta(days=1)))
    assert (await record_talk(desk.uow(), CONTACT, referral_id, talk(staff_ids=("cp-1",)))).staff_ids == ("cp-1",)

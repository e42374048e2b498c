"""One contract for the course record's and the messages' repositories, run against PostgreSQL
and the in-memory twins alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import uuid4

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
)
from forlob_referral.domain.messages import Message, Side
from forlob_referral.domain.referral import Referral
from forlob_shared.events.provider import StaffChanged
from forlob_testkit.referral import NOW
from forlob_testkit.referral_rules import referral

MakeUoW = Callable[[], ReferralUoW]


async def _referrals(make_uow: MakeUoW, count: int = 2) -> list[Referral]:
    made = [referral() for _ in range(count)]
    async with make_uow() as uow:
        for r in made:
            await uow.referrals.add(r)
        await uow.commit()
    return made


async def test_talks_meetings_and_notes_are_read_back_per_referral_in_order(make_uow: MakeUoW) -> None:
    mine, other = await _referrals(make_uow)
    later = FollowUpTalk(uuid4(), mine.id, date(2026, 5, 19), ("co-3",), (TalkTopic.HEALTH,), "b", "co-3", NOW)
    earlier = FollowUpTalk(
        uuid4(), mine.id, date(2026, 5, 12), ("co-3", "cp-1"), (TalkTopic.GOALS, TalkTopic.ATTENDANCE), "a", "cp-1", NOW
    )
    meeting = Meeting(
        uuid4(), mine.id, MeetingKind.CLOSING, NOW + timedelta(days=90), PlaceKind.ON_SITE, True,
        MeetingStatus.PLANNED, "co-3", NOW,
    )  # fmt: skip
    note = SpecialistNote(uuid4(), mine.id, Specialism.PHYSIOTHERAPIST, "pt-1", "Back pain", NOW)
    async with make_uow() as uow:
        await uow.record.add_talk(later)
        await uow.record.add_talk(earlier)
        await uow.record.add_meeting(meeting)
        await uow.record.add_note(note)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.record.talks(mine.id) == [earlier, later]
        assert await uow.record.meetings(mine.id) == [meeting]
        assert await uow.record.notes(mine.id) == [note]
        assert await uow.record.talks(other.id) == []
        await uow.record.save_meeting(meeting.settle(MeetingStatus.HELD))
        await uow.record.save_note(note.attach("co-3", NOW + timedelta(days=1)))
        await uow.commit()
    async with make_uow() as uow:
        [saved_meeting] = await uow.record.meetings(mine.id)
        [saved_note] = await uow.record.notes(mine.id)
        assert saved_meeting.status is MeetingStatus.HELD
        assert (saved_note.attached_by, saved_note.attached_at) == ("co-3", NOW + timedelta(days=1))
        await uow.record.erase([mine.id])
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.record.talks(mine.id) == []
        assert await uow.record.meetings(mine.id) == []
        assert await uow.record.notes(mine.id) == []


async def test_a_rebooked_meeting_keeps_its_new_time_place_and_invitation(make_uow: MakeUoW) -> None:
    [mine] = await _referrals(make_uow, 1)
    meeting = Meeting(
        uuid4(), mine.id, MeetingKind.CLOSING, NOW + timedelta(days=90), PlaceKind.ON_SITE, True,
        MeetingStatus.PLANNED, "co-3", NOW,
    )  # fmt: skip
    moved = meeting.rebook(NOW + timedelta(days=80), PlaceKind.VIDEO, False)
    async with make_uow() as uow:
        await uow.record.add_meeting(meeting)
        await uow.commit()
    async with make_uow() as uow:
        await uow.record.save_meeting(moved)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.record.meetings(mine.id) == [moved]
        assert (moved.booked_by, moved.booked_at, moved.status) == ("co-3", NOW, MeetingStatus.PLANNED)


async def test_the_record_is_gone_when_its_unit_of_work_is_left_without_commit(make_uow: MakeUoW) -> None:
    [mine] = await _referrals(make_uow, 1)
    async with make_uow() as uow:
        await uow.record.add_talk(FollowUpTalk(uuid4(), mine.id, date(2026, 5, 1), ("a",), (), "x", "a", NOW))
    async with make_uow() as uow:
        assert await uow.record.talks(mine.id) == []


async def test_read_receipts_mark_only_the_other_sides_unread_messages(make_uow: MakeUoW) -> None:
    mine, other = await _referrals(make_uow)
    asked = Message(uuid4(), mine.id, Side.REFERRER, "cw-7", "question", NOW)
    answered = Message(uuid4(), mine.id, Side.PROVIDER, "co-3", "answer", NOW + timedelta(minutes=1))
    elsewhere = Message(uuid4(), other.id, Side.REFERRER, "cw-7", "other", NOW)
    async with make_uow() as uow:
        for m in (answered, asked, elsewhere):
            await uow.messages.add(m)
        await uow.commit()
    read_at = NOW + timedelta(hours=1)
    async with make_uow() as uow:
        assert await uow.messages.mark_read(mine.id, Side.REFERRER, "cp-1", read_at) == 1
        assert await uow.messages.mark_read(mine.id, Side.REFERRER, "co-3", read_at + timedelta(hours=1)) == 0
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.messages.thread(mine.id) == [asked.read("cp-1", read_at), answered]
        assert [m.read_at for m in await uow.messages.thread(other.id)] == [None]
        await uow.messages.erase([mine.id])
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.messages.thread(mine.id) == []
        assert len(await uow.messages.thread(other.id)) == 1


async def test_the_staff_directory_keeps_each_persons_newest_change_per_organisation(make_uow: MakeUoW) -> None:
    def change(staff_id: str, active: bool, days: int, org: str = "rca-aalborg") -> StaffChanged:
        return StaffChanged(
            org=org, staff_id=staff_id, role="coordinator", active=active, changed_at=NOW + timedelta(days=days)
        )

    async with make_uow() as uow:
        assert await uow.staff.active_of("rca-aalborg") is None
        for c in (
            change("co-3", True, 0),
            change("cp-1", False, 2),
            change("cp-1", True, 1),
            change("x-1", True, 0, "aspa"),
        ):
            await uow.staff.record(c)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.staff.active_of("rca-aalborg") == {"co-3"}  # cp-1's older change came last
        await uow.staff.record(change("co-3", False, 3))
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.staff.active_of("rca-aalborg") == set()  # a directory, with nobody active
        assert await uow.staff.active_of("aspa") == {"x-1"}

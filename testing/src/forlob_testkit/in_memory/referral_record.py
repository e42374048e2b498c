"""In-memory twins of the course record's and the messages' repositories (referral service).

They satisfy ``CourseRecordStore`` and ``MessageStore`` of ``forlob_referral.application.ports``
and pass ``services/referral/tests/unit/test_record_contract.py`` with the SQL originals.
The domain objects are frozen, so what is handed out needs no copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from forlob_referral.domain.course_record import FollowUpTalk, Meeting, SpecialistNote
from forlob_referral.domain.messages import Message, Side
from forlob_referral.domain.referral import Referral
from forlob_shared.events.provider import StaffChanged
from forlob_testkit.fakes import FakeStore


def _check_referral(referrals: dict[UUID, Referral], referral_id: UUID) -> None:
    if referral_id not in referrals:
        raise KeyError(f"no referral {referral_id}")  # the foreign key


class InMemoryCourseRecord:
    def __init__(self, store: FakeStore) -> None:
        self._referrals: dict[UUID, Referral] = store.table("referrals")
        self._talks: dict[UUID, FollowUpTalk] = store.table("course_talks")
        self._meetings: dict[UUID, Meeting] = store.table("course_meetings")
        self._notes: dict[UUID, SpecialistNote] = store.table("specialist_notes")

    async def add_talk(self, talk: FollowUpTalk) -> None:
        _check_referral(self._referrals, talk.referral_id)
        self._talks[talk.id] = talk

    async def talks(self, referral_id: UUID) -> list[FollowUpTalk]:
        found = [t for t in self._talks.values() if t.referral_id == referral_id]
        return sorted(found, key=lambda t: (t.held_on, t.recorded_at, str(t.id)))

    async def add_meeting(self, meeting: Meeting) -> None:
        _check_referral(self._referrals, meeting.referral_id)
        self._meetings[meeting.id] = meeting

    async def save_meeting(self, meeting: Meeting) -> None:
        if (found := self._meetings.get(meeting.id)) is not None:
            # What a meeting's change may touch; who booked it and when stay as they were.
            self._meetings[meeting.id] = replace(
                found,
                status=meeting.status,
                starts_at=meeting.starts_at,
                place=meeting.place,
                caseworker_invited=meeting.caseworker_invited,
            )

    async def meetings(self, referral_id: UUID) -> list[Meeting]:
        found = [m for m in self._meetings.values() if m.referral_id == referral_id]
        return sorted(found, key=lambda m: (m.starts_at, str(m.id)))

    async def add_note(self, note: SpecialistNote) -> None:
        _check_referral(self._referrals, note.referral_id)
        self._notes[note.id] = note

    async def save_note(self, note: SpecialistNote) -> None:
        if (found := self._notes.get(note.id)) is not None:
            self._notes[note.id] = replace(found, attached_by=note.attached_by, attached_at=note.attached_at)

    async def notes(self, referral_id: UUID) -> list[SpecialistNote]:
        found = [n for n in self._notes.values() if n.referral_id == referral_id]
        return sorted(found, key=lambda n: (n.written_at, str(n.id)))

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        gone = set(referral_ids)
        for table in (self._talks, self._meetings, self._notes):
            for key in [k for k, v in table.items() if v.referral_id in gone]:
                del table[key]


class InMemoryMessages:
    def __init__(self, store: FakeStore) -> None:
        self._referrals: dict[UUID, Referral] = store.table("referrals")
        self._rows: dict[UUID, Message] = store.table("referral_messages")

    async def add(self, message: Message) -> None:
        _check_referral(self._referrals, message.referral_id)
        self._rows[message.id] = message

    async def thread(self, referral_id: UUID) -> list[Message]:
        found = [m for m in self._rows.values() if m.referral_id == referral_id]
        return sorted(found, key=lambda m: (m.posted_at, str(m.id)))

    async def mark_read(self, referral_id: UUID, sent_by: Side, reader_id: str, at: datetime) -> int:
        unread = [
            m for m in self._rows.values() if m.referral_id == referral_id and m.side is sent_by and m.read_at is None
        ]
        for message in unread:
            self._rows[message.id] = message.read(reader_id, at)
        return len(unread)

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        gone = set(referral_ids)
        for key in [k for k, m in self._rows.items() if m.referral_id in gone]:
            del self._rows[key]


class InMemoryStaffDirectory:
    """``StaffDirectory``: the newest change of each person, by organisation."""

    def __init__(self, store: FakeStore) -> None:
        self._members: dict[tuple[str, str], StaffChanged] = store.table("staff_members")

    async def record(self, change: StaffChanged) -> None:
        kept = self._members.get((change.org, change.staff_id))
        if kept is None or kept.changed_at <= change.changed_at:
            self._members[(change.org, change.staff_id)] = change

    async def active_of(self, org: str) -> set[str] | None:
        members = [m for (o, _), m in self._members.items() if o == org]
        return {m.staff_id for m in members if m.active} if members else None

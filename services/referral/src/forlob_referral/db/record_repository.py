"""The course record's, the messages' and the staff directory's repositories (Protocols in
``application/ports.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_referral.db.models import MeetingRow, MessageRow, SpecialistNoteRow, StaffMemberRow, TalkRow
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
from forlob_shared.events.provider import StaffChanged


def _talk(row: TalkRow) -> FollowUpTalk:
    return FollowUpTalk(
        id=row.id,
        referral_id=row.referral_id,
        held_on=row.held_on,
        staff_ids=tuple(row.staff_ids),
        topics=tuple(TalkTopic(t) for t in row.topics),
        next_steps=row.next_steps,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _meeting_values(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "referral_id": meeting.referral_id,
        "kind": meeting.kind.value,
        "starts_at": meeting.starts_at,
        "place": meeting.place.value,
        "caseworker_invited": meeting.caseworker_invited,
        "status": meeting.status.value,
        "booked_by": meeting.booked_by,
        "booked_at": meeting.booked_at,
    }


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(
        id=row.id,
        referral_id=row.referral_id,
        kind=MeetingKind(row.kind),
        starts_at=row.starts_at,
        place=PlaceKind(row.place),
        caseworker_invited=row.caseworker_invited,
        status=MeetingStatus(row.status),
        booked_by=row.booked_by,
        booked_at=row.booked_at,
    )


def _note(row: SpecialistNoteRow) -> SpecialistNote:
    return SpecialistNote(
        id=row.id,
        referral_id=row.referral_id,
        specialism=Specialism(row.specialism),
        author_id=row.author_id,
        text=row.text,
        written_at=row.written_at,
        attached_by=row.attached_by,
        attached_at=row.attached_at,
    )


class CourseRecordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_talk(self, talk: FollowUpTalk) -> None:
        self.session.add(
            TalkRow(
                id=talk.id,
                referral_id=talk.referral_id,
                held_on=talk.held_on,
                staff_ids=list(talk.staff_ids),
                topics=[t.value for t in talk.topics],
                next_steps=talk.next_steps,
                recorded_by=talk.recorded_by,
                recorded_at=talk.recorded_at,
            )
        )
        await self.session.flush()

    async def talks(self, referral_id: UUID) -> list[FollowUpTalk]:
        rows = await self.session.scalars(
            sa.select(TalkRow)
            .where(TalkRow.referral_id == referral_id)
            .order_by(TalkRow.held_on, TalkRow.recorded_at, TalkRow.id)
        )
        return [_talk(r) for r in rows]

    async def add_meeting(self, meeting: Meeting) -> None:
        self.session.add(MeetingRow(**_meeting_values(meeting)))
        await self.session.flush()

    async def save_meeting(self, meeting: Meeting) -> None:
        await self.session.execute(
            sa.update(MeetingRow)
            .where(MeetingRow.id == meeting.id)
            .values(
                status=meeting.status.value,
                starts_at=meeting.starts_at,
                place=meeting.place.value,
                caseworker_invited=meeting.caseworker_invited,
            )
        )

    async def meetings(self, referral_id: UUID) -> list[Meeting]:
        rows = await self.session.scalars(
            sa.select(MeetingRow)
            .where(MeetingRow.referral_id == referral_id)
            .order_by(MeetingRow.starts_at, MeetingRow.id)
        )
        return [_meeting(r) for r in rows]

    async def add_note(self, note: SpecialistNote) -> None:
        self.session.add(
            SpecialistNoteRow(
                id=note.id,
                referral_id=note.referral_id,
                specialism=note.specialism.value,
                author_id=note.author_id,
                text=note.text,
                written_at=note.written_at,
                attached_by=note.attached_by,
                attached_at=note.attached_at,
            )
        )
        await self.session.flush()

    async def save_note(self, note: SpecialistNote) -> None:
        await self.session.execute(
            sa.update(SpecialistNoteRow)
            .where(SpecialistNoteRow.id == note.id)
            .values(attached_by=note.attached_by, attached_at=note.attached_at)
        )

    async def notes(self, referral_id: UUID) -> list[SpecialistNote]:
        rows = await self.session.scalars(
            sa.select(SpecialistNoteRow)
            .where(SpecialistNoteRow.referral_id == referral_id)
            .order_by(SpecialistNoteRow.written_at, SpecialistNoteRow.id)
        )
        return [_note(r) for r in rows]

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        for table in (TalkRow, MeetingRow, SpecialistNoteRow):
            await self.session.execute(sa.delete(table).where(table.referral_id.in_(list(referral_ids))))


def _message(row: MessageRow) -> Message:
    return Message(
        id=row.id,
        referral_id=row.referral_id,
        side=Side(row.side),
        author_id=row.author_id,
        text=row.text,
        posted_at=row.posted_at,
        read_by=row.read_by,
        read_at=row.read_at,
    )


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: Message) -> None:
        self.session.add(
            MessageRow(
                id=message.id,
                referral_id=message.referral_id,
                side=message.side.value,
                author_id=message.author_id,
                text=message.text,
                posted_at=message.posted_at,
                read_by=message.read_by,
                read_at=message.read_at,
            )
        )
        await self.session.flush()

    async def thread(self, referral_id: UUID) -> list[Message]:
        rows = await self.session.scalars(
            sa.select(MessageRow)
            .where(MessageRow.referral_id == referral_id)
            .order_by(MessageRow.posted_at, MessageRow.id)
        )
        return [_message(r) for r in rows]

    async def mark_read(self, referral_id: UUID, sent_by: Side, reader_id: str, at: datetime) -> int:
        result = await self.session.execute(
            sa.update(MessageRow)
            .where(
                MessageRow.referral_id == referral_id,
                MessageRow.side == sent_by.value,
                MessageRow.read_at.is_(None),
            )
            .values(read_by=reader_id, read_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def erase(self, referral_ids: Sequence[UUID]) -> None:
        await self.session.execute(sa.delete(MessageRow).where(MessageRow.referral_id.in_(list(referral_ids))))


class StaffDirectoryRepository:
    """The organisations' staff as ``staff.changed`` tells them (the notifications service keeps
    the directory); the newest change of a person wins, whatever order the events arrive in."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, change: StaffChanged) -> None:
        values = {
            "org": change.org,
            "staff_id": change.staff_id,
            "role": change.role,
            "active": change.active,
            "changed_at": change.changed_at,
        }
        insert = pg_insert(StaffMemberRow).values(**values)
        await self.session.execute(
            insert.on_conflict_do_update(
                index_elements=[StaffMemberRow.org, StaffMemberRow.staff_id],
                set_={k: insert.excluded[k] for k in ("role", "active", "changed_at")},
                where=StaffMemberRow.changed_at <= insert.excluded.changed_at,
            )
        )

    async def active_of(self, org: str) -> set[str] | None:
        rows = (
            await self.session.execute(
                sa.select(StaffMemberRow.staff_id, StaffMemberRow.active).where(StaffMemberRow.org == org)
            )
        ).all()
        if not rows:
            return None
        return {staff_id for staff_id, active in rows if active}

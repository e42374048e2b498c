"""Attendance's text-message store in memory, and the questions its sweep asks: the twin of
``forlob_attendance.db.sms`` (held to it by services/attendance/tests/unit/test_sms_contract.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from forlob_attendance.db.models import CourseRow, SlotRow, SmsConsentRow, SmsReplyRow
from forlob_attendance.domain.sms import (
    end_of_day,
    question_request_id,
    question_template,
    reminder_day,
    reminder_request_id,
)
from forlob_shared.events import (
    PendingEvent,
    SmsConsentChanged,
    SmsConsentStatus,
    SmsReplied,
    SmsRequested,
    SmsTemplate,
)
from forlob_testkit.fakes import FakeStore


def _opted_in(store: FakeStore, referral_id: UUID) -> bool:
    consents: dict[UUID, SmsConsentRow] = store.table("sms_consents")
    found = consents.get(referral_id)
    return found is not None and found.status == SmsConsentStatus.OPTED_IN.value


def _local_time(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


def _ask(store: FakeStore, emit: Callable[..., None], course: CourseRow, requested: SmsRequested) -> bool:
    asked: dict[UUID, SmsRequested] = store.table("sms_requests")
    if requested.request_id in asked:
        return False  # ON CONFLICT DO NOTHING
    asked[requested.request_id] = requested
    emit(PendingEvent(data=requested, subject=str(requested.request_id), provider_org=course.provider_org))
    return True


def ask_question(store: FakeStore, emit: Callable[..., None], course: CourseRow, slot: SlotRow, now: datetime) -> None:
    """The sweep's question about ``slot``, just marked absent, if its participant opted in."""
    zone = ZoneInfo(course.timezone)
    expires = end_of_day(slot.day, zone)
    if not _opted_in(store, course.referral_id) or expires <= now:
        return
    template = question_template(slot.meeting_id)
    _ask(
        store,
        emit,
        course,
        SmsRequested(
            referral_id=course.referral_id,
            participant_id=course.participant_id,
            provider_org=course.provider_org,
            request_id=question_request_id(slot.id, template),
            template=template,
            day=slot.day,
            local_time=_local_time(slot.expected_start, zone),
            absence_id=slot.id,
            meeting_id=slot.meeting_id,
            requested_at=now,
            expires_at=expires.astimezone(UTC),
        ),
    )


class InMemorySms:
    def __init__(self, store: FakeStore, emit: Callable[..., None]) -> None:
        self._store = store
        self._consents: dict[UUID, SmsConsentRow] = store.table("sms_consents")
        self._replies: dict[UUID, SmsReplyRow] = store.table("sms_replies")
        self._courses: dict[UUID, CourseRow] = store.table("courses")
        self._slots: dict[UUID, SlotRow] = store.table("slots")
        self._emit = emit

    async def consent(self, referral_id: UUID) -> SmsConsentRow | None:
        return self._consents.get(referral_id)

    async def set_consent(self, event: SmsConsentChanged) -> bool:
        kept = self._consents.get(event.referral_id)
        if kept is not None and kept.changed_at >= event.changed_at:
            return False
        self._consents[event.referral_id] = SmsConsentRow(
            referral_id=event.referral_id,
            participant_id=event.participant_id,
            provider_org=event.provider_org,
            status=event.status.value,
            channel=event.channel.value,
            changed_at=event.changed_at.astimezone(UTC),
        )
        return True

    async def record_reply(self, event: SmsReplied, now: datetime) -> bool:
        if event.reply_id in self._replies:
            return False
        self._replies[event.reply_id] = SmsReplyRow(
            reply_id=event.reply_id,
            referral_id=event.referral_id,
            absence_id=event.absence_id,
            code=event.code.value,
            received_at=event.received_at.astimezone(UTC),
            recorded_at=now.astimezone(UTC),
        )
        return True

    async def request_reminders(self, now: datetime, at: time) -> int:
        asked = 0
        for referral_id in sorted(self._consents, key=str):
            course = self._courses.get(referral_id)
            if course is None or course.ended or not _opted_in(self._store, referral_id):
                continue
            zone = ZoneInfo(course.timezone)
            day = reminder_day(now, zone, at)
            slots = sorted(
                (s for s in self._slots.values() if s.referral_id == referral_id),
                key=lambda s: (s.day, s.expected_start),
            )
            windows = [s for s in slots if s.meeting_id is None]
            first_day = windows[0].day if windows else None
            due = [s for s in slots if s.day == day and s.state == "expected" and s.expected_start > now]
            meetings = [s for s in due if s.meeting_id is not None]
            first = [s for s in due if s.meeting_id is None and s.day == first_day][:1]
            for slot in first + meetings:
                template = SmsTemplate.REMINDER_MEETING if slot.meeting_id else SmsTemplate.REMINDER_FIRST_DAY
                requested = SmsRequested(
                    referral_id=referral_id,
                    participant_id=course.participant_id,
                    provider_org=course.provider_org,
                    request_id=reminder_request_id(slot.meeting_id or referral_id, slot.day, template),
                    template=template,
                    day=slot.day,
                    local_time=_local_time(slot.expected_start, zone),
                    meeting_id=slot.meeting_id,
                    requested_at=now,
                    expires_at=slot.expected_start.astimezone(UTC),
                )
                asked += _ask(self._store, self._emit, course, requested)
        return asked

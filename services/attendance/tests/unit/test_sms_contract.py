"""The text-message half of attendance's storage, run against PostgreSQL and the in-memory twin
alike: consent kept newest-first, a reply taken once, the sweep's questions and the evening's
reminders asked once each, with the same ids (uuid5 in SQL as in Python) and the same fields."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.domain.sms import question_request_id, reminder_request_id
from forlob_shared.clock import ManualClock
from forlob_shared.events import (
    SmsConsentChanged,
    SmsConsentChannel,
    SmsConsentStatus,
    SmsReplied,
    SmsReplyCode,
    SmsRequested,
    SmsTemplate,
)
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.attendance import FakeAttendanceUnitOfWork

MakeUoW = Callable[[], AttendanceUoW]
Requested = Callable[[], Any]
ORG = "rca-aalborg"
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 6, tzinfo=UTC)


def course(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "referral_id": uuid4(),
        "participant_id": uuid4(),
        "programme_code": "RCA-UDV-13",
        "provider_org": ORG,
        "referring_org": "jobcenter-aalborg",
        "contact_person_id": "cp-1",
        "start_date": MONDAY,
        "end_date": MONDAY + timedelta(days=60),
        "ended": False,
        "country": "DK",
        "timezone": "Europe/Copenhagen",
        "opening_hours": [],
        "rules": {},
        "grace_minutes": 15,
        "materialised_through": None,
        "summarised_through": None,
        "breach_marks": {},
        "shape": "timetabled",
        "cadence_kind": None,
        "cadence_max_days": None,
    }
    return values | fields


def slot(referral_id: UUID, day: date, start: time, **fields: Any) -> dict[str, Any]:
    """A window from ``start`` UTC, two hours long."""
    opens = datetime.combine(day, start, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": uuid4(),
        "referral_id": referral_id,
        "day": day,
        "window_start": start,
        "window_end": time(start.hour + 2),
        "expected_start": opens,
        "expected_end": opens + timedelta(hours=2),
        "due_at": opens + timedelta(minutes=15),
        "state": "expected",
        "reason": None,
        "report_id": None,
        "meeting_id": None,
    }
    return values | fields


async def started(make_uow: MakeUoW, *courses: dict[str, Any], slots: list[dict[str, Any]]) -> None:
    async with make_uow() as uow:
        schedules = [{"referral_id": c["referral_id"], "effective_from": MONDAY, "windows": []} for c in courses]
        await uow.courses.start(list(courses), schedules)
        await uow.slots.add(slots)
        await uow.commit()


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.servers)])
async def halves(request: pytest.FixtureRequest) -> AsyncIterator[tuple[MakeUoW, Requested]]:
    """A unit-of-work factory, and what ``sms.requested.v1`` it has published (oldest first)."""
    clock = ManualClock(NOW)
    if request.param == "memory":
        store = FakeStore()

        async def from_memory() -> list[SmsRequested]:
            return [e.data for e in store.published if isinstance(e.data, SmsRequested)]

        yield (lambda: FakeAttendanceUnitOfWork(store, clock)), from_memory
        return
    from forlob_attendance.db.uow import AttendanceUnitOfWork
    from forlob_attendance.main import spec
    from forlob_testkit.contract import sql_units_of_work

    async with sql_units_of_work(request, spec(), clock, AttendanceUnitOfWork) as make:

        async def from_outbox() -> list[SmsRequested]:
            async with make() as uow:
                rows = await uow.session.execute(
                    sa.text("SELECT headers, body FROM outbox WHERE routing_key = 'sms.requested.v1' ORDER BY position")
                )
                found = []
                for headers, body in rows:
                    assert "referringorg" not in headers  # never a partner's header
                    found.append(SmsRequested.model_validate(json.loads(body)["data"]))
                return found

        yield make, from_outbox


def consent(referral_id: UUID, status: SmsConsentStatus, at: datetime) -> SmsConsentChanged:
    return SmsConsentChanged(
        referral_id=referral_id,
        participant_id=uuid4(),
        provider_org=ORG,
        status=status,
        channel=SmsConsentChannel.WEB,
        changed_at=at,
    )


async def opted_in(make_uow: MakeUoW, *referral_ids: UUID) -> None:
    async with make_uow() as uow:
        for referral_id in referral_ids:
            await uow.sms.set_consent(consent(referral_id, SmsConsentStatus.OPTED_IN, NOW))
        await uow.commit()


async def test_the_newest_consent_is_kept(halves: tuple[MakeUoW, Requested]) -> None:
    make_uow, _ = halves
    course_id = uuid4()  # consent may come before the course
    async with make_uow() as uow:
        assert await uow.sms.consent(course_id) is None
        assert await uow.sms.set_consent(consent(course_id, SmsConsentStatus.OPTED_IN, NOW))
        assert await uow.sms.set_consent(consent(course_id, SmsConsentStatus.OPTED_OUT, NOW + timedelta(hours=1)))
        assert not await uow.sms.set_consent(consent(course_id, SmsConsentStatus.OPTED_IN, NOW))
        await uow.commit()
    async with make_uow() as uow:
        kept = await uow.sms.consent(course_id)
        assert kept is not None
        assert (kept.status, kept.channel, kept.changed_at) == ("opted_out", "web", NOW + timedelta(hours=1))


async def test_a_reply_is_taken_once(halves: tuple[MakeUoW, Requested]) -> None:
    make_uow, _ = halves
    replied = SmsReplied(
        referral_id=uuid4(),
        participant_id=uuid4(),
        provider_org=ORG,
        reply_id=uuid4(),
        code=SmsReplyCode.SICK,
        received_at=NOW,
    )
    async with make_uow() as uow:
        assert await uow.sms.record_reply(replied, NOW)
        await uow.commit()
    async with make_uow() as uow:
        assert not await uow.sms.record_reply(replied, NOW)


async def test_the_sweep_asks_the_opted_in_once_with_the_derived_id(halves: tuple[MakeUoW, Requested]) -> None:
    make_uow, requested = halves
    texted, silent = course(), course()
    monday = slot(texted["referral_id"], MONDAY, time(7))  # 08:00 in Copenhagen
    meeting = slot(texted["referral_id"], MONDAY, time(9), meeting_id=uuid4())
    meeting["meeting_id"] = meeting["id"]
    await started(make_uow, texted, silent, slots=[monday, meeting, slot(silent["referral_id"], MONDAY, time(7))])
    await opted_in(make_uow, texted["referral_id"])
    now = datetime.combine(MONDAY, time(10), tzinfo=UTC)
    async with make_uow() as uow:
        assert await uow.slots.mark_missed(now, 10) == 3
        await uow.commit()
    asked = sorted(await requested(), key=lambda r: r.local_time)
    assert [(r.template, r.absence_id, r.meeting_id, r.local_time) for r in asked] == [
        (SmsTemplate.QUESTION_MISSED_ARRIVAL, monday["id"], None, "08:00"),
        (SmsTemplate.QUESTION_MISSED_MEETING, meeting["id"], meeting["id"], "10:00"),
    ]
    for r in asked:
        assert r.request_id == question_request_id(r.absence_id, r.template)
        assert (r.referral_id, r.participant_id) == (texted["referral_id"], texted["participant_id"])
        assert r.provider_org == ORG
        assert (r.day, r.requested_at, r.expires_at) == (MONDAY, now, datetime(2026, 11, 23, 23, tzinfo=UTC))


async def test_reminders_for_tomorrow_s_first_day_and_meetings_once(halves: tuple[MakeUoW, Requested]) -> None:
    make_uow, requested = halves
    tuesday = MONDAY + timedelta(days=1)
    starting = course(start_date=tuesday)
    running = course()
    meeting = slot(running["referral_id"], tuesday, time(12), meeting_id=uuid4())
    meeting["meeting_id"] = meeting["id"]
    faroe = course(start_date=tuesday, timezone="Atlantic/Faroe")
    slots = [
        slot(starting["referral_id"], tuesday, time(7)),
        slot(starting["referral_id"], tuesday, time(11)),  # a second window: one reminder a day
        slot(running["referral_id"], MONDAY, time(7)),
        slot(running["referral_id"], tuesday, time(7)),  # not its first day
        meeting,
        slot(faroe["referral_id"], tuesday, time(8)),
    ]
    await started(make_uow, starting, running, faroe, slots=slots)
    await opted_in(make_uow, starting["referral_id"], running["referral_id"], faroe["referral_id"])

    async def remind(at: datetime) -> int:
        async with make_uow() as uow:
            asked = await uow.sms.request_reminders(at, time(18))
            await uow.commit()
        return asked

    assert await remind(datetime(2026, 11, 23, 16, 59, tzinfo=UTC)) == 0  # 17:59 in Copenhagen
    assert await remind(datetime(2026, 11, 23, 17, tzinfo=UTC)) == 2
    assert await remind(datetime(2026, 11, 23, 17, 30, tzinfo=UTC)) == 0
    assert await remind(datetime(2026, 11, 23, 18, tzinfo=UTC)) == 1  # 18:00 on the Faroe Islands
    asked = await requested()
    got = {(r.referral_id, r.template, r.local_time, r.expires_at) for r in asked}
    assert got == {
        (starting["referral_id"], SmsTemplate.REMINDER_FIRST_DAY, "08:00", datetime(2026, 11, 24, 7, tzinfo=UTC)),
        (running["referral_id"], SmsTemplate.REMINDER_MEETING, "13:00", datetime(2026, 11, 24, 12, tzinfo=UTC)),
        (faroe["referral_id"], SmsTemplate.REMINDER_FIRST_DAY, "08:00", datetime(2026, 11, 24, 8, tzinfo=UTC)),
    }
    by_course = {r.referral_id: r for r in asked}
    assert by_course[starting["referral_id"]].request_id == reminder_request_id(
        starting["referral_id"], tuesday, SmsTemplate.REMINDER_FIRST_DAY
    )
    assert by_course[running["referral_id"]].request_id == reminder_request_id(
        meeting["id"], tuesday, SmsTemplate.REMINDER_MEETING
    )
    assert all(r.day == tuesday and r.absence_id is None for r in asked)

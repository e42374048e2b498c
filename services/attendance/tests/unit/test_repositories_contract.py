"""One contract for the attendance service's repositories, run against PostgreSQL and the
in-memory twins alike: what a use case may rely on from storage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.db.models import (
    AbsenceReportRow,
    BreachRow,
    ClosureRow,
    ContactAttemptRow,
    WeekSummaryRow,
)
from forlob_shared.calendar import Closure
from forlob_shared.clock import ManualClock
from forlob_shared.events import TimeWindow
from forlob_testkit.fakes import FakeStore
from forlob_testkit.in_memory.attendance import FakeAttendanceUnitOfWork

MakeUoW = Callable[[], AttendanceUoW]
ORG = "rca-aalborg"
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 6, tzinfo=UTC)
WINDOWS = [TimeWindow(weekday=d, start=time(8), end=time(13)) for d in range(5)]


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.servers)])
async def make_uow(request: pytest.FixtureRequest) -> AsyncIterator[MakeUoW]:
    clock = ManualClock(NOW)
    if request.param == "memory":
        store = FakeStore()
        yield lambda: FakeAttendanceUnitOfWork(store, clock)
        return
    from forlob_attendance.db.uow import AttendanceUnitOfWork
    from forlob_attendance.main import spec
    from forlob_testkit.contract import sql_units_of_work

    async with sql_units_of_work(request, spec(), clock, AttendanceUnitOfWork) as make:
        yield make


def course(referral_id: UUID | None = None, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "referral_id": referral_id or uuid4(),
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
        "opening_hours": [w.model_dump(mode="json") for w in WINDOWS],
        "rules": {},
        "grace_minutes": 15,
        "materialised_through": None,
        "summarised_through": None,
        "breach_marks": {},
        "shape": "timetabled",
        "cadence_kind": None,
        "cadence_max_days": None,
    }
    values.update(fields)
    return values


def schedule(values: dict[str, Any], effective_from: date = MONDAY) -> dict[str, Any]:
    return {
        "referral_id": values["referral_id"],
        "effective_from": effective_from,
        "windows": [w.model_dump(mode="json") for w in WINDOWS],
    }


def slot(referral_id: UUID, day: date, start: time = time(8), **fields: Any) -> dict[str, Any]:
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
        "place": None,
        "staff_id": None,
    }
    values.update(fields)
    return values


async def started(make_uow: MakeUoW, *courses: dict[str, Any], slots: list[dict[str, Any]] | None = None) -> None:
    async with make_uow() as uow:
        assert await uow.courses.start(list(courses), [schedule(c) for c in courses]) == {
            c["referral_id"] for c in courses
        }
        await uow.slots.add(slots or [])
        await uow.commit()


async def test_courses_start_once_with_their_schedules(make_uow: MakeUoW) -> None:
    a, b = course(), course()
    await started(make_uow, a)
    async with make_uow() as uow:
        assert await uow.courses.start([a, b], [schedule(a), schedule(b)]) == {b["referral_id"]}
    async with make_uow() as uow:  # the refused batch was not committed
        assert await uow.courses.row(b["referral_id"]) is None
        row = await uow.courses.row(a["referral_id"], lock=True)
        assert row is not None
        assert (row.start_date, row.provider_org, row.ended) == (MONDAY, ORG, False)
        (version,) = await uow.courses.versions(a["referral_id"])
        assert (version.effective_from, version.windows) == (MONDAY, tuple(WINDOWS))
        assert await uow.courses.start([], []) == set()


async def test_a_schedule_change_is_a_new_version_or_replaces_one_on_the_same_day(make_uow: MakeUoW) -> None:
    a = course()
    await started(make_uow, a)
    later = [TimeWindow(weekday=2, start=time(10), end=time(14))]
    async with make_uow() as uow:
        await uow.courses.set_schedule(a["referral_id"], MONDAY + timedelta(days=7), WINDOWS[:1])
        await uow.courses.set_schedule(a["referral_id"], MONDAY + timedelta(days=7), later)
        await uow.commit()
    async with make_uow() as uow:
        versions = await uow.courses.versions(a["referral_id"])
    assert [(v.effective_from, v.windows) for v in versions] == [
        (MONDAY, tuple(WINDOWS)),
        (MONDAY + timedelta(days=7), tuple(later)),
    ]


async def test_a_changed_row_is_kept_by_the_commit_and_only_then(make_uow: MakeUoW) -> None:
    a = course()
    await started(make_uow, a, slots=[slot(a["referral_id"], MONDAY)])
    async with make_uow() as uow:
        row = await uow.courses.row(a["referral_id"])
        assert row is not None
        row.end_date = MONDAY + timedelta(days=3)
        (s,) = await uow.slots.on_day(a["referral_id"], MONDAY, lock=True)
        s.state = "present"
    async with make_uow() as uow:
        row = await uow.courses.row(a["referral_id"])
        assert row is not None
        assert row.end_date == MONDAY + timedelta(days=60)
        row.end_date, row.ended = MONDAY + timedelta(days=3), True
        (s,) = await uow.slots.on_day(a["referral_id"], MONDAY)
        s.state, s.checked_in_at = "present", NOW
        await uow.commit()
    async with make_uow() as uow:
        row = await uow.courses.row(a["referral_id"])
        assert row is not None
        assert (row.end_date, row.ended) == (MONDAY + timedelta(days=3), True)
        (s,) = await uow.slots.on_day(a["referral_id"], MONDAY)
        assert (s.state, s.checked_in_at) == ("present", NOW)


async def test_a_participant_s_courses_at_one_provider_by_start(make_uow: MakeUoW) -> None:
    participant = uuid4()
    later = course(
        participant_id=participant, start_date=MONDAY + timedelta(days=90), end_date=MONDAY + timedelta(days=120)
    )
    first = course(participant_id=participant)
    elsewhere = course(participant_id=participant, provider_org="aspa-odense")
    await started(make_uow, later, first, elsewhere)
    async with make_uow() as uow:
        rows = await uow.courses.rows_of_participant(participant, ORG)
        assert [r.referral_id for r in rows] == [first["referral_id"], later["referral_id"]]
        assert await uow.courses.rows_of_participant(uuid4(), ORG) == []


async def test_courses_due_for_slots_and_summaries_in_key_order_and_batches(make_uow: MakeUoW) -> None:
    fresh = course()
    done = course(materialised_through=MONDAY + timedelta(days=60), summarised_through=MONDAY + timedelta(days=60))
    ended = course(ended=True, summarised_through=MONDAY + timedelta(days=60))
    partly = course(materialised_through=MONDAY + timedelta(days=3))
    await started(make_uow, fresh, done, ended, partly)
    bound = MONDAY + timedelta(days=14)
    expected = sorted([fresh["referral_id"], partly["referral_id"]], key=str)
    async with make_uow() as uow:
        assert [r.referral_id for r in await uow.courses.due_for_slots(bound, 10)] == expected
        assert [r.referral_id for r in await uow.courses.due_for_slots(bound, 1)] == expected[:1]
        assert await uow.courses.due_for_slots(MONDAY - timedelta(days=1), 10) == []
        summary = [r.referral_id for r in await uow.courses.due_for_summary(bound, 10)]
        assert summary == sorted([fresh["referral_id"], partly["referral_id"]], key=str)


async def test_running_courses_with_slots_on_some_days(make_uow: MakeUoW) -> None:
    through = course(materialised_through=MONDAY + timedelta(days=13))
    not_yet = course(materialised_through=None)
    ended = course(materialised_through=MONDAY + timedelta(days=13), ended=True)
    elsewhere = course(materialised_through=MONDAY + timedelta(days=13), provider_org="aspa-odense")
    await started(make_uow, through, not_yet, ended, elsewhere)
    async with make_uow() as uow:
        found = await uow.courses.running_at(ORG, MONDAY + timedelta(days=7), MONDAY + timedelta(days=20))
        assert [r.referral_id for r in found] == [through["referral_id"]]
        assert await uow.courses.running_at(ORG, MONDAY + timedelta(days=14), MONDAY + timedelta(days=20)) == []


async def test_slots_are_unique_per_course_day_and_window(make_uow: MakeUoW) -> None:
    a = course()
    rid = a["referral_id"]
    await started(
        make_uow, a, slots=[slot(rid, MONDAY, time(12)), slot(rid, MONDAY), slot(rid, MONDAY + timedelta(days=1))]
    )
    async with make_uow() as uow:
        await uow.slots.add([slot(rid, MONDAY, state="excused"), slot(rid, MONDAY + timedelta(days=2))])
        await uow.commit()
    async with make_uow() as uow:
        assert [(s.window_start, s.state) for s in await uow.slots.on_day(rid, MONDAY)] == [
            (time(8), "expected"),
            (time(12), "expected"),
        ]
        between = await uow.slots.between(rid, MONDAY, MONDAY + timedelta(days=1), lock=True)
        assert [(s.day, s.window_start) for s in between] == [
            (MONDAY, time(8)),
            (MONDAY, time(12)),
            (MONDAY + timedelta(days=1), time(8)),
        ]
        await uow.slots.delete([between[0].id])
        await uow.slots.delete([])
        await uow.commit()
    async with make_uow() as uow:
        assert len(await uow.slots.between(rid, MONDAY, MONDAY + timedelta(days=9))) == 3


async def test_undecided_slots_are_dropped_and_decided_ones_kept(make_uow: MakeUoW) -> None:
    a = course()
    rid = a["referral_id"]
    days = [MONDAY + timedelta(days=n) for n in range(5)]
    await started(make_uow, a, slots=[slot(rid, d) for d in days])
    async with make_uow() as uow:
        (wed,) = await uow.slots.on_day(rid, days[2])
        wed.checked_in_at, wed.state = NOW, "present"
        (thu,) = await uow.slots.on_day(rid, days[3])
        thu.absence_id, thu.state = thu.id, "absent"
        await uow.commit()
    async with make_uow() as uow:
        await uow.slots.drop_undecided_after(rid, days[3])
        await uow.slots.drop_undecided_from(rid, days[1])
        await uow.commit()
    async with make_uow() as uow:
        kept = await uow.slots.between(rid, days[0], days[4])
        # Inside the unit of work: a row read through it is not to be used after it ends.
        assert [(s.day, s.state) for s in kept] == [(days[0], "expected"), (days[2], "present"), (days[3], "absent")]


async def test_the_sweep_marks_each_due_arrival_once_and_flags_its_course(make_uow: MakeUoW) -> None:
    a, b = course(), course()
    due = [slot(a["referral_id"], MONDAY), slot(b["referral_id"], MONDAY, time(9))]
    later = slot(a["referral_id"], MONDAY + timedelta(days=1))
    registered = slot(b["referral_id"], MONDAY + timedelta(days=1), state="excused", reason="illness")
    await started(make_uow, a, b, slots=[*due, later, registered])
    now = datetime.combine(MONDAY, time(10), tzinfo=UTC)
    async with make_uow() as uow:
        assert await uow.slots.mark_missed(now, 1) == 1
        assert await uow.slots.mark_missed(now, 10) == 1
        assert await uow.slots.mark_missed(now, 10) == 0
        await uow.commit()
    async with make_uow() as uow:
        (first,) = await uow.slots.on_day(a["referral_id"], MONDAY)
        assert (first.state, first.absence_id, first.detected_at) == ("absent", first.id, now)
        found = await uow.slots.absence(first.id, ORG)
        assert found is not None
        assert found[1].referral_id == a["referral_id"]
        assert await uow.slots.absence(first.id, "aspa-odense") is None
        (tuesday,) = await uow.slots.on_day(a["referral_id"], MONDAY + timedelta(days=1))
        assert await uow.slots.absence(tuesday.id, ORG) is None  # not an absence
        flagged = await uow.courses.flagged_for_breach_check(10)
        assert {r.referral_id for r in flagged} == {a["referral_id"], b["referral_id"]}
        facts = await uow.slots.facts_through([a["referral_id"]], MONDAY + timedelta(days=1))
        assert facts == [
            (a["referral_id"], MONDAY, "absent", first.id),
            (a["referral_id"], MONDAY + timedelta(days=1), "expected", None),
        ]
        await uow.courses.unflag_breach_check([a["referral_id"]])
        await uow.commit()
    async with make_uow() as uow:
        assert [r.referral_id for r in await uow.courses.flagged_for_breach_check(10)] == [b["referral_id"]]


async def test_the_sweep_s_next_due_instant_is_the_earliest_still_expected(make_uow: MakeUoW) -> None:
    a, b = course(), course(shape="meetings", cadence_kind="weekly", cadence_max_days=7)
    async with make_uow() as uow:
        assert await uow.slots.next_due() is None  # nothing expected: the sweep waits its interval
    meeting = uuid4()
    arrival = slot(a["referral_id"], MONDAY, time(9))
    planned = slot(b["referral_id"], MONDAY, time(8), id=meeting, meeting_id=meeting)  # a meeting is due too
    checked_in = slot(a["referral_id"], MONDAY, time(7), state="present")  # no longer expected
    await started(make_uow, a, b, slots=[arrival, planned, checked_in])
    async with make_uow() as uow:
        assert await uow.slots.next_due() == planned["due_at"]
    async with make_uow() as uow:
        assert await uow.slots.mark_missed(planned["due_at"], 10) == 1
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.slots.next_due() == arrival["due_at"]


async def test_a_provider_s_calendar(make_uow: MakeUoW) -> None:
    def closure(first: date, last: date, org: str = ORG) -> ClosureRow:
        return ClosureRow(
            id=uuid4(),
            provider_org=org,
            first_day=first,
            last_day=last,
            start_time=None,
            end_time=None,
            reason="staff_day",
            declared_at=NOW,
            declared_by="co-1",
        )

    december, old, other = (
        closure(date(2026, 12, 1), date(2026, 12, 2)),
        closure(date(2026, 1, 5), date(2026, 1, 5)),
        closure(date(2026, 12, 1), date(2026, 12, 1), "aspa-odense"),
    )
    async with make_uow() as uow:
        await uow.calendar.lock(ORG)
        for c in (december, old, other):
            await uow.calendar.add_closure(c)
        await uow.calendar.work_on_customary(ORG, "christmas_eve", NOW, "co-1")
        await uow.calendar.work_on_customary(ORG, "christmas_eve", NOW, "co-2")
        await uow.calendar.work_on_customary(ORG, "new_years_eve", NOW, "co-1")
        await uow.commit()
    async with make_uow() as uow:
        assert [c.id for c in await uow.calendar.closures(ORG)] == [old.id, december.id]
        assert [c.id for c in await uow.calendar.closures(ORG, ending_from=date(2026, 6, 1))] == [december.id]
        assert await uow.calendar.worked_customary(ORG) == ["christmas_eve", "new_years_eve"]
        declared = await uow.courses.declared([ORG, "nobody"])
        assert declared[ORG][0] == (
            Closure(date(2026, 1, 5), date(2026, 1, 5), reason="staff_day"),
            Closure(date(2026, 12, 1), date(2026, 12, 2), reason="staff_day"),
        )
        assert declared[ORG][1] == frozenset({"christmas_eve", "new_years_eve"})
        assert declared["nobody"] == ((), frozenset())
        assert await uow.calendar.closure(december.id, "aspa-odense") is None
        found = await uow.calendar.closure(december.id, ORG)
        assert found is not None
        await uow.calendar.remove_closure(found)
        await uow.calendar.observe_customary(ORG, "christmas_eve")
        await uow.calendar.observe_customary(ORG, "christmas_eve")
        await uow.commit()
    async with make_uow() as uow:
        assert [c.id for c in await uow.calendar.closures(ORG)] == [old.id]
        assert await uow.calendar.worked_customary(ORG) == ["new_years_eve"]


async def test_records_beside_the_slots(make_uow: MakeUoW) -> None:
    a = course()
    rid = a["referral_id"]
    absent = slot(rid, MONDAY, state="absent")
    absent["absence_id"] = absent["id"]
    await started(make_uow, a, slots=[absent])

    def report(first: date, last: date, at: datetime) -> AbsenceReportRow:
        return AbsenceReportRow(
            id=uuid4(),
            referral_id=rid,
            reason="illness",
            first_day=first,
            last_day=last,
            reported_at=at,
            reported_by="x",
        )

    newer = report(MONDAY + timedelta(days=1), MONDAY + timedelta(days=3), NOW + timedelta(hours=1))
    older = report(MONDAY + timedelta(days=2), MONDAY + timedelta(days=2), NOW)
    apart = report(MONDAY + timedelta(days=10), MONDAY + timedelta(days=11), NOW)
    async with make_uow() as uow:
        for r in (newer, older, apart):
            await uow.reports.add(r)
        for minutes, outcome in ((30, "reached"), (10, "called_no_answer")):
            await uow.contacts.add(
                ContactAttemptRow(
                    id=uuid4(),
                    absence_id=absent["id"],
                    outcome=outcome,
                    reason=None,
                    contacted_at=NOW + timedelta(minutes=minutes),
                    recorded_at=NOW,
                    recorded_by="wl-1",
                )
            )
        await uow.breaches.add(
            BreachRow(
                id=uuid4(),
                referral_id=rid,
                rule="consecutive_days",
                window_first_day=MONDAY,
                window_last_day=MONDAY + timedelta(days=1),
                absence_ids=[str(absent["id"])],
                detected_at=NOW,
            )
        )
        week = {
            "referral_id": rid,
            "week_start": MONDAY,
            "agreed_minutes": 1500,
            "attended_minutes": 1200,
            "internship_minutes": 0,
            "absent_minutes": 300,
            "unexcused_absences": 1,
            "summarised_at": NOW,
        }
        assert await uow.summaries.add_if_new(WeekSummaryRow(**week)) is True
        assert await uow.summaries.add_if_new(WeekSummaryRow(**{**week, "attended_minutes": 0})) is False
        await uow.commit()
    async with make_uow() as uow:
        found = await uow.reports.between(rid, MONDAY, MONDAY + timedelta(days=2))
        assert [r.id for r in found] == [older.id, newer.id]
        assert await uow.reports.between(rid, MONDAY + timedelta(days=4), MONDAY + timedelta(days=9)) == []
        assert [c.outcome for c in await uow.contacts.of_absence(absent["id"])] == ["called_no_answer", "reached"]
        assert [b.rule for b in await uow.breaches.of_course(rid)] == ["consecutive_days"]
        (kept,) = await uow.summaries.of_course(rid)
        assert kept.attended_minutes == 1200


async def test_the_read_side(make_uow: MakeUoW) -> None:
    a, b = course(), course(timezone="Europe/London")
    elsewhere = course(provider_org="aspa-odense")
    await started(
        make_uow,
        a,
        b,
        elsewhere,
        slots=[
            slot(a["referral_id"], MONDAY, time(9)),
            slot(b["referral_id"], MONDAY, time(8)),
            slot(a["referral_id"], MONDAY + timedelta(days=1)),
            slot(elsewhere["referral_id"], MONDAY),
        ],
    )
    async with make_uow() as uow:
        listed = await uow.reads.day_list(ORG, MONDAY)
        assert [(p, zone, s.window_start) for p, zone, s in listed] == [
            (b["participant_id"], "Europe/London", time(8)),  # each with its course's zone
            (a["participant_id"], "Europe/Copenhagen", time(9)),
        ]
        slots = await uow.reads.slots_of([a["referral_id"]], MONDAY, MONDAY + timedelta(days=6))
        assert [s.day for s in slots] == [MONDAY, MONDAY + timedelta(days=1)]
        assert (
            await uow.reads.slots_of([a["referral_id"]], MONDAY + timedelta(days=2), MONDAY + timedelta(days=6)) == []
        )


async def test_meetings_are_slots_found_by_id_org_and_week(make_uow: MakeUoW) -> None:
    a = course(shape="meetings", cadence_kind="weekly", cadence_max_days=7)
    b = course(provider_org="aspa-odense", shape="meetings", cadence_kind="weekly", cadence_max_days=7)
    m1, m2 = uuid4(), uuid4()
    meetings = [
        slot(
            a["referral_id"], MONDAY + timedelta(days=1), time(10), id=m1, meeting_id=m1, place="home", staff_id="cp-1"
        ),
        slot(a["referral_id"], MONDAY, time(9), id=m2, meeting_id=m2, place="phone", staff_id="cp-2"),
    ]
    window = slot(a["referral_id"], MONDAY + timedelta(days=2))
    await started(make_uow, a, b, slots=[*meetings, window])
    async with make_uow() as uow:
        found = await uow.slots.meeting(m1, ORG, lock=True)
        assert found is not None
        assert (found[0].place, found[0].staff_id, found[1].shape) == ("home", "cp-1", "meetings")
        assert await uow.slots.meeting(m1, "aspa-odense") is None  # another organisation's
        assert await uow.slots.meeting(window["id"], ORG) is None  # not a meeting
        week = await uow.reads.meetings_at(ORG, MONDAY, MONDAY + timedelta(days=6))
        assert [s.id for s, _ in week] == [m2, m1]
        assert [s.id for s, _ in await uow.reads.meetings_at(ORG, MONDAY, MONDAY + timedelta(days=6), "cp-1")] == [m1]
        assert await uow.reads.meetings_at(ORG, MONDAY + timedelta(days=2), MONDAY + timedelta(days=6)) == []


async def test_meetings_courses_are_due_for_the_cadence_once_a_day(make_uow: MakeUoW) -> None:
    a = course(shape="meetings", cadence_kind="weekly", cadence_max_days=7)
    no_cadence = course(shape="meetings")
    ended = course(shape="meetings", cadence_kind="weekly", cadence_max_days=7, ended=True)
    timetabled = course()
    await started(make_uow, a, no_cadence, ended, timetabled)
    today = MONDAY + timedelta(days=3)
    async with make_uow() as uow:
        assert await uow.courses.due_for_cadence(MONDAY - timedelta(days=1), 10) == []  # not started yet
        (due,) = await uow.courses.due_for_cadence(today, 10)
        assert due.referral_id == a["referral_id"]
        due.cadence_checked_on = today
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.courses.due_for_cadence(today, 10) == []
        assert [r.referral_id for r in await uow.courses.due_for_cadence(today + timedelta(days=1), 10)] == [
            a["referral_id"]
        ]
        row = await uow.courses.row(timetabled["referral_id"])
        assert row is not None
        assert (row.shape, row.cadence_max_days) == ("timetabled", None)

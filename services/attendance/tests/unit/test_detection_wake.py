"""Detection as an arrival falls due: the service's detection job sleeps until the earliest due
instant still expected, not a whole sweep interval, and still stops at once when told; every use
case that adds an expected slot (or moves a meeting) wakes it at the slot's due instant, after its
commit only, so a slot added due before the job's next wake is detected then too."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from forlob_attendance.application.courses import start_course
from forlob_attendance.application.meetings import MeetingPlan, move_meeting, plan_meeting
from forlob_attendance.application.sweep import DETECTION, falls_due
from forlob_attendance.main import spec
from forlob_shared.clock import ManualClock
from forlob_shared.events import AttendanceRules, MeetingPlace, ProgrammeShape
from forlob_testkit.attendance import MONDAY, local, programme_started
from forlob_testkit.attendance_rules import CONTACT_PERSON, Centre
from forlob_testkit.in_memory.attendance import FakeAttendanceUnitOfWork
from forlob_testkit.wait import eventually

FIVE_MINUTES = timedelta(minutes=5)
# A meeting planned to start now, with five minutes' grace: due in five minutes.
GRACE = AttendanceRules(absence_grace_minutes=5)


def _detection_job(centre: Centre, units: list[object] | None = None) -> tuple[SimpleNamespace, Any]:
    (detect,) = [task for task in spec().background if task.name == DETECTION]
    # An hour between sweeps: only waking at the due instant can detect the arrival within the test.
    settings = SimpleNamespace(periodic_enabled=True, sweep_interval=3600.0, sweep_batch_size=50_000)

    def uow() -> object:
        unit = centre.uow()
        if units is not None:
            units.append(unit)
        return unit

    runtime = SimpleNamespace(
        uow=uow, clock=centre.clock, settings=settings, stopping=asyncio.Event(), wakes=centre.wakes
    )
    assert detect.enabled(settings)
    return runtime, detect


async def test_a_missed_arrival_is_detected_when_it_falls_due_not_an_interval_later(centre: Centre) -> None:
    course = await centre.start()
    first = centre.slots(course.referral_id)[0]
    units: list[object] = []
    runtime, detect = _detection_job(centre, units)
    centre.at(first.due_at - timedelta(seconds=0.2))
    running: asyncio.Task[None] = asyncio.create_task(detect.run(runtime))

    async def asked_when() -> bool:  # its first run swept (nothing due yet) and asked for the next due
        return len(units) >= 2

    await eventually(asked_when, what="the first run")
    assert first.state == "expected"
    centre.at(first.due_at + timedelta(seconds=1))

    async def detected() -> list[object]:
        return centre.data("absence.detected.v1")

    [absence] = await eventually(detected, what="the arrival detected at its due instant")
    assert absence.absence_id == first.id
    runtime.stopping.set()  # the next due instant is tomorrow's: the sleep ends on the stop, not the interval
    await asyncio.wait_for(running, timeout=5)


class _Raced(ManualClock):
    """The centre's clock, saying it runs ten thousand times real time: the job's sleep until an
    instant five minutes on lasts hundredths of a second, so the test moves the clock there and
    never waits for wall-clock time."""

    def speed(self) -> float:
        return 10_000.0


async def test_a_meeting_planned_after_the_jobs_last_run_is_detected_at_its_due_instant() -> None:
    centre = Centre(clock=_Raced(local(MONDAY - timedelta(days=3), 0)))
    course = await centre.start(shape=ProgrammeShape.MEETINGS, rules=GRACE)
    units: list[object] = []
    runtime, detect = _detection_job(centre, units)
    running: asyncio.Task[None] = asyncio.create_task(detect.run(runtime))

    async def ran_and_asked() -> bool:  # nothing is expected yet: it will sleep the hour
        return len(units) >= 2

    await eventually(ran_and_asked, what="the first run")
    now = centre.clock.now()
    meeting = await plan_meeting(
        centre.uow(), CONTACT_PERSON, course.referral_id, MeetingPlan(now, now + timedelta(hours=1), MeetingPlace.HOME)
    )
    centre.at(now + FIVE_MINUTES)

    async def detected() -> list[Any]:
        return centre.data("absence.detected.v1")

    [absence] = await eventually(detected, what="the meeting detected at its due instant, not an hour later")
    assert absence.meeting_id == meeting.meeting_id
    runtime.stopping.set()
    await asyncio.wait_for(running, timeout=5)


async def _meetings_course(centre: Centre) -> Any:
    return await centre.start(shape=ProgrammeShape.MEETINGS, rules=GRACE)


def _now_for_an_hour(centre: Centre) -> MeetingPlan:
    now = centre.clock.now()
    return MeetingPlan(now, now + timedelta(hours=1), MeetingPlace.HOME)


async def test_planning_a_meeting_due_in_five_minutes_asks_for_a_wake_then_rung_after_its_commit(
    centre: Centre,
) -> None:
    course = await _meetings_course(centre)
    wake = centre.wakes.wake(DETECTION)
    wake.take()  # what the start rang (a meetings course expects nothing: nothing)
    at_commit: list[tuple[dict[str, datetime], datetime | None]] = []

    class _Watched(FakeAttendanceUnitOfWork):
        async def commit(self, result: Any = None) -> None:
            at_commit.append((self.wakes_asked, wake.due))
            await super().commit(result)

    due = centre.clock.now() + FIVE_MINUTES
    await plan_meeting(
        _Watched(centre.store, centre.clock, centre.wakes), CONTACT_PERSON, course.referral_id, _now_for_an_hour(centre)
    )
    assert at_commit == [({DETECTION: due}, None)]  # asked for in the transaction; nothing rung before its commit
    assert wake.take() == due  # rung once it committed


async def test_a_meeting_whose_commit_fails_rings_nothing(centre: Centre) -> None:
    course = await _meetings_course(centre)
    wake = centre.wakes.wake(DETECTION)
    wake.take()

    class _Failing(FakeAttendanceUnitOfWork):
        async def commit(self, result: Any = None) -> None:
            raise ConnectionError("the database went away at the commit")

    with pytest.raises(ConnectionError):
        await plan_meeting(
            _Failing(centre.store, centre.clock, centre.wakes),
            CONTACT_PERSON,
            course.referral_id,
            _now_for_an_hour(centre),
        )
    assert centre.slots(course.referral_id) == []  # rolled back
    assert wake.due is None
    assert not wake.rung.is_set()


async def test_a_course_start_rolled_back_rings_nothing(centre: Centre) -> None:
    event = programme_started()
    centre.at(local(MONDAY, 5))
    async with centre.uow() as uow:  # the consumer's transaction, left without its commit
        await start_course(uow, event, centre.policy)
        assert uow.wakes_asked == {DETECTION: local(MONDAY, 8, 15)}  # the first window, 08:00, with 15 minutes' grace
    assert centre.slots(event.referral_id) == []
    wake = centre.wakes.wake(DETECTION)
    assert wake.due is None
    assert not wake.rung.is_set()


async def test_moving_a_meeting_sooner_wakes_the_job_at_its_new_due_instant(centre: Centre) -> None:
    course = await _meetings_course(centre)
    now = centre.clock.now()
    later = MeetingPlan(now + timedelta(hours=5), now + timedelta(hours=6), MeetingPlace.HOME)
    meeting = await plan_meeting(centre.uow(), CONTACT_PERSON, course.referral_id, later)
    wake = centre.wakes.wake(DETECTION)
    assert wake.take() == now + timedelta(hours=5) + FIVE_MINUTES
    await move_meeting(centre.uow(), CONTACT_PERSON, meeting.meeting_id, _now_for_an_hour(centre))
    assert wake.take() == now + FIVE_MINUTES


async def test_a_course_started_wakes_the_job_at_its_first_expected_arrival(centre: Centre) -> None:
    course = await centre.start()
    first = min(s.due_at for s in centre.slots(course.referral_id) if s.state == "expected")
    assert centre.wakes.wake(DETECTION).take() == first


def test_a_slot_falls_due_at_its_due_instant_only_while_it_is_expected() -> None:
    due = local(MONDAY, 8, 15)  # a window from 08:00 with 15 minutes' grace
    assert falls_due({"due_at": due, "state": "expected"}) == due
    for state in ("internship", "excused", "present", "absent", "cancelled"):
        assert falls_due({"due_at": due, "state": state}) is None

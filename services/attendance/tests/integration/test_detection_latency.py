"""Detection latency against PostgreSQL, with the service's own periodic work running: a meeting
planned after the detection job's last run, due long before its next tick, is detected when it
falls due, because the plan's commit wakes the job (docs/attendance.md#detection-latency)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from forlob_attendance.application.sweep import DETECTION
from forlob_attendance.main import spec
from forlob_shared.clock import ManualClock
from forlob_shared.events import AttendanceRules, ProgrammeShape
from forlob_testkit.attendance import PROVIDER, Attendance, auth, local
from forlob_testkit.wait import eventually

pytestmark = pytest.mark.servers

CP = auth(PROVIDER, "contact_person", staff="cp-1")
HOUR = 3600.0  # the sweep's interval: the test ends long before its next tick


class _Raced(ManualClock):
    """The services' clock, saying it runs ten thousand times real time (as the test kit's clock
    does in a compressed morning): the job's sleep until an instant five minutes on lasts a few
    hundredths of a second, so the test moves the clock to the instant and waits for nothing else."""

    def speed(self) -> float:
        return 10_000.0


async def test_a_meeting_due_before_the_next_sweep_tick_is_detected_when_due(
    make_database: Any, run_service: Any
) -> None:
    clock = _Raced(local(date(2026, 1, 1), 0))
    database = await make_database(spec())
    async with run_service(
        spec(), database, clock=clock, with_relay=False, periodic_enabled=True, sweep_interval=HOUR
    ) as service:
        attendance = Attendance(service, clock)
        wake = service.runtime.wakes.wake(DETECTION)

        async def job_asleep() -> bool:  # it has run once (nothing expected) and sleeps the hour
            return wake.waiters == 1

        await eventually(job_asleep, what="the detection job's first run")
        course = await attendance.start(shape=ProgrammeShape.MEETINGS, rules=AttendanceRules(absence_grace_minutes=5))
        now = clock.now()
        planned = await attendance.client.post(
            f"/referrals/{course.referral_id}/meetings",
            headers=CP,
            json={"starts_at": _iso(now), "ends_at": _iso(now + timedelta(hours=1)), "place": "home"},
        )
        assert planned.status_code == 201, planned.text
        clock.advance(timedelta(minutes=5))  # the meeting's start plus the grace: it is due

        async def detected() -> list[Any]:
            return await attendance.events("absence.detected.v1")

        [absence] = await eventually(detected, timeout=10, what="the missed meeting detected, not an hour later")
        assert str(absence.data.meeting_id) == planned.json()["meeting_id"]
        assert await attendance.scalar("SELECT state FROM slots") == "absent"


def _iso(at: datetime) -> str:
    return at.isoformat()

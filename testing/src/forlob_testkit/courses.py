"""A steady load of whole courses through the four services, for the reliability suite and the
pipeline benchmark: the same requests a caseworker, a coordinator and a workshop lead would make,
over HTTP only, on the services' moved clock.

Each call to :meth:`CourseLoad.day` plays one working day at the provider:

- 07:00: ``new_courses`` referrals are made, accepted for today and started (08:00-12:00 on
  weekdays), each with a pattern of attendance drawn for its days;
- 08:05: the ones due on time are checked in for 08:00 (one list, as a workshop lead would);
- 08:16: the grace period has passed: the others are detected absent (alerts, e-mails);
- 08:20: the late ones arrive, which closes their alerts;
- 12:05: everyone present is checked out, and courses on their last day are ended with an outcome;
- then the clock moves to 07:00 on the next working day.

Alongside, :class:`Expected` keeps what the services must hold once every event is through: who
was on time, late or absent on which day, which courses ended, who breached the agreement. An
unacknowledged alert escalates at 08:46 (30 of the contact person's working minutes), so every
absence that was not followed by a late arrival has escalated by the day's end.
"""

from __future__ import annotations

import asyncio
import random
import time as monotonic
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from forlob_shared.calendar import ProviderCalendar
from forlob_testkit.course_parts import (
    CASEWORKER,
    CONTACT_PERSON,
    HEADERS,
    LOAD_COURSE,
    LOAD_PROGRAMME,
    OUTCOMES,
    SCHEDULE,
    STAFF_EMAILS,
    TEAM_LEADER,
    Arrival,
    Clocked,
    Course,
    DayReport,
    Expected,
    LoadError,
)
from forlob_testkit.scenario import referral_body
from forlob_testkit.wait import eventually

# Read by the reliability suite, the pipeline bench and the course-load test from here.
__all__ = [
    "CASEWORKER",
    "CONTACT_PERSON",
    "HEADERS",
    "LOAD_PROGRAMME",
    "TEAM_LEADER",
    "CourseLoad",
    "DayReport",
    "Expected",
]


class CourseLoad:
    def __init__(
        self,
        http: httpx.AsyncClient,
        system: Clocked,
        *,
        seed: int = 1,
        concurrency: int = 16,
        days_per_course: int = 3,
        breach_share: float = 0.05,
        late_share: float = 0.15,
        absent_share: float = 0.10,
        timeout: float = 60,
        poll_interval: float = 0.02,
    ) -> None:
        self.http = http
        self.system = system
        self.rng = random.Random(seed)
        self.days_per_course = days_per_course
        self.shares = (breach_share, late_share, absent_share)
        self.timeout = timeout
        # How often a wait for the services asks again: each probe is a request that lists the
        # day's slots or the inbox, so a benchmark spaces them to leave the services the CPU.
        self.poll_interval = poll_interval
        self.calendar = ProviderCalendar("DK")
        self.expected = Expected()
        self.today: date | None = None
        self.requests = 0
        self._gate = asyncio.Semaphore(concurrency)

    # -- set-up ---------------------------------------------------------------------------------

    async def prepare(self, first_day: date = date(2026, 11, 30)) -> None:
        """Staff, the programme and the clock at 07:00 on the first working day on or after ``first_day``."""
        self.today = self.calendar.next_working_day(first_day)
        await self._set_clock(self.today, time(7, 0), first=True)
        notifications = self.system.url("notifications")
        office_hours = [{"weekday": d, "start": "08:00", "end": "16:00"} for d in range(5)]
        for staff, role, org_admin, extra in (
            (CONTACT_PERSON, "contact_person", "provider_admin", {"team_leader_id": TEAM_LEADER}),
            (TEAM_LEADER, "team_leader", "provider_admin", {}),
            (CASEWORKER, "caseworker", "jobcentre_admin", {}),
        ):
            body = {
                "role": role,
                "email": STAFF_EMAILS[staff],
                "channels": ["inbox", "email"],
                "country": "DK",
                "working_hours": office_hours,
                **extra,
            }
            await self._call("PUT", f"{notifications}/staff/{staff}", org_admin, json=body)
        await self._call(
            "PUT", f"{self.system.url('referral')}/programmes/{LOAD_PROGRAMME}", "coordinator", json=LOAD_COURSE
        )

    # -- one working day ------------------------------------------------------------------------

    async def day(self, new_courses: int) -> DayReport:
        if self.today is None:
            raise LoadError("call prepare() first")
        day, started_at, requests_before = self.today, monotonic.perf_counter(), self.requests
        await asyncio.gather(*(self._start_course(day) for _ in range(new_courses)))
        running = [c for c in self.expected.courses.values() if not c.ended and day in c.days]
        await self._wait_for_slots(day, {c.participant_id for c in running})

        arrivals = {c.participant_id: c.arrival_on(day) for c in running}
        on_time = [p for p, a in arrivals.items() if a is Arrival.ON_TIME]
        late = [p for p, a in arrivals.items() if a is Arrival.LATE]
        absent = [p for p, a in arrivals.items() if a is Arrival.ABSENT]

        await self._set_clock(day, time(8, 5))
        await self._check_in_list(day, on_time, time(8, 0))
        await self._set_clock(day, time(8, 16))
        await self._wait_for_detection(day, set(late) | set(absent))
        await self._wait_for_alerts(day, set(late) | set(absent), "raised")
        await self._set_clock(day, time(8, 20))
        await self._check_in_list(day, late, time(8, 20))
        # The late arrivals' alerts must be closed before 08:46, when the open ones escalate.
        await self._wait_for_alerts(day, set(absent), "open")
        await self._set_clock(day, time(12, 5))
        await asyncio.gather(*(self._check_out(p, day) for p in on_time + late))
        last_day = [c for c in running if c.days[-1] == day]
        await asyncio.gather(*(self._end_course(c, day) for c in last_day))

        self.expected.on_time |= {(p, day) for p in on_time}
        self.expected.late |= {(p, day) for p in late}
        self.expected.absent |= {(p, day) for p in absent}
        for course in running:
            if all(a is Arrival.ABSENT for a in course.arrivals) and course.days[-1] == day:
                self.expected.breached.add(course.participant_id)

        self.today = self.calendar.next_working_day(day + timedelta(days=1))
        await self._set_clock(self.today, time(7, 0))
        return DayReport(
            day=day,
            started=new_courses,
            ended=len(last_day),
            on_time=len(on_time),
            late=len(late),
            absent=len(absent),
            requests=self.requests - requests_before,
            seconds=monotonic.perf_counter() - started_at,
        )

    async def start_courses(self, count: int) -> int:
        """Refer, accept and start ``count`` courses for today, and nothing more: only the referral
        service is called, so a benchmark can pile their events up while the services downstream
        are held. They count in :attr:`expected` and run on the days :meth:`day` plays next.
        Returns the requests made."""
        if self.today is None:
            raise LoadError("call prepare() first")
        before = self.requests
        await asyncio.gather(*(self._start_course(self.today) for _ in range(count)))
        return self.requests - before

    # -- the steps ------------------------------------------------------------------------------

    def _arrivals(self) -> list[Arrival]:
        """The course's attendance, day by day: mostly on time, a share late or absent one day,
        and a few who never come (three unexcused days in a row: a breach of the agreement)."""
        breach, late, absent = self.shares
        draw = self.rng.random()
        arrivals = [Arrival.ON_TIME] * self.days_per_course
        if draw < breach and self.days_per_course >= 3:
            return [Arrival.ABSENT] * self.days_per_course
        if draw < breach + late:
            arrivals[self.rng.randrange(self.days_per_course)] = Arrival.LATE
        elif draw < breach + late + absent:
            arrivals[self.rng.randrange(self.days_per_course)] = Arrival.ABSENT
        return arrivals

    async def _start_course(self, day: date) -> None:
        referral = self.system.url("referral")
        body = referral_body(self.rng, LOAD_PROGRAMME, wished_start=day.isoformat())
        arrivals, outcome = self._arrivals(), self.rng.choice(OUTCOMES)
        async with self._gate:
            created = await self._call("POST", f"{referral}/referrals", "caseworker", json=body, idempotent=True)
            rid = created["id"]
            accepted = await self._call("POST", f"{referral}/referrals/{rid}/accept", "coordinator", idempotent=True)
            if accepted.get("intake_date") != day.isoformat():
                raise LoadError(f"referral {rid} was accepted for {accepted.get('intake_date')}, not {day}")
            start = {
                "start_date": day.isoformat(),
                "weeks": LOAD_COURSE["min_weeks"],
                "schedule": SCHEDULE,
                "contact_person_id": CONTACT_PERSON,
                "team_leader_id": TEAM_LEADER,
                "plan": {"workshop": "Wood workshop", "goals": [{"text": "Stable attendance"}]},
            }
            await self._call("POST", f"{referral}/referrals/{rid}/start", "coordinator", json=start, idempotent=True)
        days = [day]
        while len(days) < self.days_per_course:
            days.append(self.calendar.next_working_day(days[-1] + timedelta(days=1)))
        self.expected.courses[rid] = Course(rid, created["participant_id"], days, arrivals, outcome)

    async def _check_in_list(self, day: date, participants: list[str], at: time) -> None:
        moment = self.calendar.at(day, at).isoformat()
        for first in range(0, len(participants), 500):  # the API takes at most 500 a time
            entries = [{"participant_id": p, "at": moment} for p in participants[first : first + 500]]
            await self._call(
                "POST", f"{self.system.url('attendance')}/check-ins", "workshop_lead", json={"entries": entries}
            )

    async def _check_out(self, participant_id: str, day: date) -> None:
        url = f"{self.system.url('attendance')}/participants/{participant_id}/check-out"
        async with self._gate:
            await self._call("POST", url, "workshop_lead", json={"at": self.calendar.at(day, time(12, 0)).isoformat()})

    async def _end_course(self, course: Course, day: date) -> None:
        body = {
            "end_date": day.isoformat(),
            "outcome": course.outcome,
            "first_job_date": day.isoformat() if course.outcome == "ordinary_employment" else None,
            "closing_note": {
                "summary": "Attended as agreed most days.",
                "resources": "Punctual.",
                "development_possibilities": "Ready for the next step.",
                "goal_attainment": [  # each goal of scenario.referral_body
                    {
                        "goal": "Stable attendance",
                        "attainment": "partly_achieved",
                        "sub_goals": [
                            {"sub_goal": "Arrive by 08:00 four days a week", "attainment": "partly_achieved"}
                        ],
                    },
                    {"goal": "Increase weekly hours", "attainment": "achieved"},
                ],
                "next_step": "Follow-up with the jobcentre.",
            },
        }
        url = f"{self.system.url('referral')}/referrals/{course.referral_id}/end"
        async with self._gate:
            await self._call("POST", url, "coordinator", json=body, idempotent=True)
        course.ended = True

    async def _day_slots(self, day: date) -> dict[str, dict[str, Any]]:
        answer = await self._call("GET", f"{self.system.url('attendance')}/days/{day.isoformat()}", "workshop_lead")
        return {slot["participant_id"]: slot for slot in answer["slots"]}

    async def _wait_for_slots(self, day: date, participants: set[str]) -> None:
        """Until attendance plans exactly the running courses' arrivals for ``day``.

        Exactly, not at least: a course ended yesterday keeps its planned slots until attendance
        has taken in ``programme.ended``. Between a course's end at 12:05 and the next morning's
        sweep there are hours in real life, but only the milliseconds of a clock move here; an
        end still on its way (a relay or consumer reconnecting after a broker fault) would have
        its participant detected absent at 08:16 on a day the driver knows to be after the course.
        """
        last: set[str] = set()

        async def planned() -> bool:
            nonlocal last
            last = set(await self._day_slots(day))
            return last == participants

        try:
            await eventually(
                planned,
                timeout=self.timeout,
                interval=self.poll_interval,
                what=f"attendance to plan {len(participants)} arrivals on {day}",
            )
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}; missing {sorted(participants - last)}, not running {sorted(last - participants)}"
            ) from None

    async def _wait_for_detection(self, day: date, participants: set[str]) -> None:
        async def detected() -> bool:
            slots = await self._day_slots(day)
            return all(slots[p]["absence_id"] is not None for p in participants)

        await eventually(
            detected,
            timeout=self.timeout,
            interval=self.poll_interval,
            what=f"the sweep to detect {len(participants)} absences",
        )

    async def _wait_for_alerts(self, day: date, participants: set[str], which: str) -> None:
        """Until the contact person's absence alerts raised today (``raised``: in any state;
        ``open``: still open) are those of exactly ``participants``."""
        if len(participants) > 500:
            raise LoadError("more than 500 absences a day: the inbox answers 500 at most")
        params: dict[str, Any] = {
            "kind": "absence",
            "since": self.calendar.at(day, time(0, 0)).isoformat(),
            "limit": 500,
        }
        if which == "open":
            params["state"] = "open"
        url = f"{self.system.url('notifications')}/inbox"

        last: list[dict[str, Any]] = []

        async def alerted() -> bool:
            nonlocal last
            last = await self._call("GET", url, "contact_person", params=params)
            return {a["participant_ref"] for a in last} == participants

        try:
            await eventually(
                alerted,
                timeout=self.timeout,
                interval=self.poll_interval,
                what=f"{len(participants)} {which} absence alerts on {day}",
            )
        except AssertionError as exc:
            # What a failed wait leaves to read: who was missing or extra, and the alerts answered.
            answered = {a["participant_ref"] for a in last}
            fields = ("participant_ref", "state", "raised_at", "occurred_at", "closed_at", "close_reason")
            raise AssertionError(
                f"{exc}; since {params['since']}: missing {sorted(participants - answered)}, "
                f"extra {sorted(answered - participants)}, answered "
                f"{[{k: a.get(k) for k in fields} for a in last]}"
            ) from None

    # -- plumbing -------------------------------------------------------------------------------

    async def _set_clock(self, day: date, at: time, *, first: bool = False) -> None:
        target = self.calendar.at(day, at).astimezone(UTC)
        delta = target - (datetime.now(UTC) + self.system.offset)
        if not first and delta <= timedelta(0):
            raise LoadError(f"the clock would move back to {target}: the load fell behind the day")
        self.system.move_clock(delta)

    async def _call(
        self,
        method: str,
        url: str,
        who: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Any:
        """One request; transport failures and 5xx/503 are retried (with the same
        ``Idempotency-Key`` for POSTs) until ``timeout``, as a partner system would."""
        headers = dict(HEADERS[who])
        if idempotent:
            headers["Idempotency-Key"] = f"load-{self.rng.getrandbits(64):016x}"
        deadline = monotonic.monotonic() + self.timeout
        while True:
            self.requests += 1
            try:
                response = await self.http.request(method, url, json=json, params=params, headers=headers)
            except httpx.TransportError as exc:
                problem = repr(exc)
            else:
                if response.status_code < 300:
                    return response.json() if response.content else None
                if response.status_code < 500:
                    raise LoadError(f"{method} {url} -> {response.status_code}: {response.text[:500]}")
                problem = f"{response.status_code}: {response.text[:200]}"
            if monotonic.monotonic() > deadline:
                raise LoadError(f"{method} {url} kept failing for {self.timeout:.0f} s: {problem}")
            await _pause(0.2)


async def _pause(seconds: float) -> None:
    # Backing off between retries of a refused request, not waiting for a message.
    await asyncio.sleep(seconds)

"""A national morning, written straight into the services' databases (bench/morning.py).

Tens of thousands of courses through referral's HTTP API would take longer than the morning they
set up, so the rows are written with one ``INSERT ... SELECT`` per table, in the shape the
services' own use cases write them:

- attendance: each participant's course (as ``start_courses`` stores ``programme.started``), its
  schedule (one agreed window each weekday, from the participant's arrival to 14:00) and the
  morning's expected arrival (a slot, as the materialiser plans it: due at arrival + grace). The
  ones who came are checked in three minutes early; the missed ones are still ``expected``.
  Slots are materialised through the course's end and last week is summarised, so neither the
  materialiser nor the week summaries work meanwhile.
- notifications: the directory as ``programme.started`` and ``PUT /staff`` leave it: an
  assignment per course naming its contact person, and each provider's contact persons and team
  leader with an e-mail address, in and e-mail channels, and working hours 07:00-16:00.

Who is who is a pure function of the participant's index ``i`` (:class:`MorningPlan`), computed
the same way in SQL and here, so the bench (and its test) know each slot's due time and whether
it was missed without reading them back: arrivals spread evenly over 07:30-08:00 in ``i``'s
order, the missed ones spaced evenly among them (an exact share), the provider and contact
person drawn from ``md5(i)`` so every provider has some of each. No names, only coded ids.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import time as wall_clock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from forlob_shared.events import AttendanceRules
from forlob_shared.settings import plain_postgres_url
from forlob_testkit.benchmarks import percentile
from forlob_testkit.clock import write_clock_offset
from forlob_testkit.processes import System

ZONE = "Europe/Copenhagen"
FIRST_ARRIVAL = time(7, 30)
SPAN_SECONDS = 30 * 60  # arrivals fall in [07:30, 08:00)
WINDOW_END = time(14, 0)
PROGRAMME = "BENCH-MORNING"
JOBCENTRES = 98  # the Danish municipalities: each provider's referring jobcentre is one of them
BASIS_POINTS = 10_000  # the missed share in whole basis points: integer arithmetic, same in SQL and here
WEEKDAYS = range(5)


@dataclass(frozen=True)
class MorningPlan:
    run: str  # makes this run's ids its own
    providers: int
    participants: int
    missed_bp: int  # missed share, in basis points
    staff_per_provider: int
    grace_minutes: int
    day: date  # the morning's local date (a weekday)

    @staticmethod
    def _hash(i: int) -> int:
        return int(hashlib.md5(str(i).encode()).hexdigest()[:8], 16)

    def provider(self, i: int) -> int:
        return self._hash(i) % self.providers

    def contact(self, i: int) -> int:
        return (self._hash(i) // self.providers) % self.staff_per_provider

    def arrival_seconds(self, i: int) -> int:
        """Seconds after 07:30 of participant ``i``'s agreed arrival."""
        return i * SPAN_SECONDS // self.participants

    def missed(self, i: int) -> bool:
        return (i + 1) * self.missed_bp // BASIS_POINTS > i * self.missed_bp // BASIS_POINTS

    def expected_start(self, i: int) -> datetime:
        local = datetime.combine(self.day, FIRST_ARRIVAL, ZoneInfo(ZONE)) + timedelta(seconds=self.arrival_seconds(i))
        return local.astimezone(UTC)

    def due(self, i: int) -> datetime:
        return self.expected_start(i) + timedelta(minutes=self.grace_minutes)

    def slot_id(self, i: int) -> UUID:
        """The slot's id, which is also its absence's id once the sweep marks it."""
        return _uuid(f"{self.run}:s:{i}")

    def referral_id(self, i: int) -> UUID:
        return _uuid(f"{self.run}:{i}")

    @cached_property
    def missed_indices(self) -> list[int]:
        return [i for i in range(self.participants) if self.missed(i)]

    def recipients(self) -> list[tuple[str, str]]:
        """(provider org, staff id) of every contact person who will have an alert."""
        return sorted(
            {
                (provider_org(self.provider(i)), contact_id(self.provider(i), self.contact(i)))
                for i in self.missed_indices
            }
        )


def _uuid(text: str) -> UUID:
    return UUID(hashlib.md5(text.encode()).hexdigest())


def provider_org(p: int) -> str:
    return f"bench-provider-{p:03d}"


def contact_id(p: int, k: int) -> str:
    return f"cp-{p:03d}-{k}"


# The plan as SQL, the same arithmetic as MorningPlan's methods ($1 run, $2 providers,
# $3 participants, $4 missed basis points, $5 staff per provider).
_PLAN = f"""
    CREATE TEMP TABLE plan ON COMMIT DROP AS
    SELECT i,
           md5($1 || ':' || i)::uuid AS referral_id,
           md5($1 || ':p:' || i)::uuid AS participant_id,
           md5($1 || ':s:' || i)::uuid AS slot_id,
           'bench-provider-' || lpad((h % $2)::text, 3, '0') AS provider_org,
           'bench-jobcentre-' || lpad((h % $2 % {JOBCENTRES})::text, 2, '0') AS referring_org,
           'cp-' || lpad((h % $2)::text, 3, '0') || '-' || ((h / $2) % $5) AS contact_person_id,
           'tl-' || lpad((h % $2)::text, 3, '0') AS team_leader_id,
           time '{FIRST_ARRIVAL}' + (i * {SPAN_SECONDS} / $3) * interval '1 second' AS arrival,
           (i + 1) * $4 / {BASIS_POINTS} > i * $4 / {BASIS_POINTS} AS missed
    FROM (
        SELECT i, ('x' || substr(md5(i::text), 1, 8))::bit(32)::bigint AS h
        FROM generate_series(0::bigint, $3 - 1) AS i
    ) AS hashed
"""

_COURSES = """
    INSERT INTO courses (referral_id, participant_id, programme_code, provider_org, referring_org,
        contact_person_id, start_date, end_date, ended, country, timezone, opening_hours, rules, grace_minutes,
        materialised_through, summarised_through, breach_marks, shape, traceparent)
    SELECT referral_id, participant_id, $1, provider_org, referring_org, contact_person_id, $2::date - 7,
        $2::date + 84, false, 'DK', $3, $4::jsonb, $5::jsonb, $6, $2::date + 84, $7::date, '{}'::jsonb, 'timetabled',
        NULL
    FROM plan
"""

_SCHEDULES = """
    INSERT INTO schedule_versions (referral_id, effective_from, windows)
    SELECT referral_id, $1::date - 7, (
        SELECT jsonb_agg(jsonb_build_object('weekday', d, 'start', to_char(arrival, 'HH24:MI:SS'), 'end', $2::text)
                         ORDER BY d)
        FROM generate_series(0, 4) AS d)
    FROM plan
"""

_SLOTS = """
    INSERT INTO slots (id, referral_id, day, window_start, window_end, expected_start, expected_end, due_at,
        state, checked_in_at, minutes_late)
    SELECT slot_id, referral_id, $1::date, arrival, $2::time, ($1::date + arrival) AT TIME ZONE $3,
        ($1::date + $2::time) AT TIME ZONE $3, ($1::date + arrival) AT TIME ZONE $3 + $4 * interval '1 minute',
        CASE WHEN missed THEN 'expected' ELSE 'present' END,
        CASE WHEN missed THEN NULL ELSE ($1::date + arrival) AT TIME ZONE $3 - interval '3 minutes' END,
        CASE WHEN missed THEN NULL ELSE 0 END
    FROM plan
"""

_ASSIGNMENTS = """
    INSERT INTO assignments (referral_id, provider_org, referring_org, programme_code, participant_id,
        contact_person_id, team_leader_id, caseworker_id, legal_basis, escalation_minutes, country, timezone,
        state, end_date)
    SELECT referral_id, provider_org, referring_org, $1, participant_id, contact_person_id, team_leader_id,
        'cw-' || referring_org, NULL, $2, 'DK', $3, 'started', NULL
    FROM plan
"""

# Every provider's contact persons and its team leader ($1 providers, $2 contact persons each).
_STAFF = """
    INSERT INTO staff (org, staff_id, role, email, team_leader_id, working_hours, channels, country, timezone,
        active, updated_at)
    SELECT 'bench-provider-' || lpad(p::text, 3, '0'), s.staff_id, s.role, s.staff_id || '@bench.example',
        s.team_leader_id, $3::jsonb, ARRAY['inbox', 'email'], 'DK', $4, true, now()
    FROM generate_series(0, $1 - 1) AS p
    CROSS JOIN LATERAL (
        SELECT 'cp-' || lpad(p::text, 3, '0') || '-' || k AS staff_id, 'contact_person' AS role,
               'tl-' || lpad(p::text, 3, '0') AS team_leader_id
        FROM generate_series(0, $2 - 1) AS k
        UNION ALL
        SELECT 'tl-' || lpad(p::text, 3, '0'), 'team_leader', NULL
    ) AS s
"""


def _windows(start: time, end: time) -> str:
    return json.dumps([{"weekday": d, "start": start.isoformat(), "end": end.isoformat()} for d in WEEKDAYS])


OPENING = _windows(time(7, 0), time(16, 0))  # the providers' opening hours and the staff's working hours


def last_sunday(day: date) -> date:
    """The end of the last whole week before ``day``: summarised in the night, as on any morning
    (else the service would summarise every course's week during the bench)."""
    return day - timedelta(days=day.weekday() + 1)


async def _with_plan(
    url: str, plan: MorningPlan, statements: list[tuple[str, tuple[object, ...]]], tables: tuple[str, ...]
) -> None:
    connection = await asyncpg.connect(plain_postgres_url(url))
    try:
        async with connection.transaction():
            await connection.execute(
                _PLAN, plan.run, plan.providers, plan.participants, plan.missed_bp, plan.staff_per_provider
            )
            for sql, args in statements:
                await connection.execute(sql, *args)
        for table in tables:  # the sweep's and the consumers' plans see the new rows at once
            await connection.execute(f"ANALYZE {table}")
    finally:
        await connection.close()


async def seed_attendance(url: str, plan: MorningPlan) -> None:
    rules = AttendanceRules(absence_grace_minutes=plan.grace_minutes).model_dump(mode="json")
    await _with_plan(
        url,
        plan,
        [
            (
                _COURSES,
                (PROGRAMME, plan.day, ZONE, OPENING, json.dumps(rules), plan.grace_minutes, last_sunday(plan.day)),
            ),
            (_SCHEDULES, (plan.day, WINDOW_END.isoformat())),
            (_SLOTS, (plan.day, WINDOW_END, ZONE, plan.grace_minutes)),
        ],
        ("courses", "schedule_versions", "slots"),
    )


async def seed_notifications(url: str, plan: MorningPlan) -> None:
    escalation = AttendanceRules().escalation_minutes
    await _with_plan(
        url,
        plan,
        [
            (_ASSIGNMENTS, (PROGRAMME, escalation, ZONE)),
            (_STAFF, (plan.providers, plan.staff_per_provider, OPENING, ZONE)),
        ],
        ("assignments", "staff"),
    )


def morning_day(today: date) -> date:
    """The first weekday after ``today``: the services' clock only moves forward to it."""
    day = today + timedelta(days=1)
    while day.weekday() not in WEEKDAYS:
        day += timedelta(days=1)
    return day


@dataclass
class ClockSteps:
    """When the services' clock was moved: (wall ``time.time()`` of the write, offset seconds).

    Between two writes the services' clock runs with the wall clock, ``offset`` ahead; at a write
    it jumps. :meth:`passed_at` answers when, in wall time, the services' clock passed a moment of
    theirs: what a latency "from the due time" is measured from when the morning runs compressed.
    """

    steps: list[tuple[float, float]]

    def note(self, wall: float, offset: float) -> None:
        if self.steps and wall < self.steps[-1][0]:
            raise ValueError("clock steps are noted in wall-clock order")
        self.steps.append((wall, offset))

    def passed_at(self, moment: datetime) -> float | None:
        """Wall time at which the services' clock reaches ``moment`` (after the last step: at the
        last offset); None before any step was noted."""
        target = moment.timestamp()
        for index, (wall, offset) in enumerate(self.steps):
            if wall + offset >= target:
                return wall  # passed by this jump (the earlier steps did not reach it)
            following = self.steps[index + 1][0] if index + 1 < len(self.steps) else math.inf
            if target - offset < following:
                return target - offset  # passed while the clock ran between two jumps
        return None


STEP_SECONDS = 0.2  # wall seconds between two moves of the clock
MARGIN = timedelta(minutes=1)  # the clock races from this before the first due time to this after the last


async def race_clock(system: System, plan: MorningPlan, speed: float) -> ClockSteps:
    """Move the services' clock from MARGIN before the first due time to MARGIN after the last,
    ``speed`` times faster than the wall clock; then leave it running at normal speed."""
    steps = ClockSteps([])
    start = (plan.due(0) - MARGIN).timestamp()
    end = (plan.due(plan.participants - 1) + MARGIN).timestamp()
    began = wall_clock.time()
    while True:
        now = wall_clock.time()
        moment = min(end, start + speed * (now - began))
        offset = moment - now
        # The speed too: a service sleeping until a due instant sleeps ``speed`` times less, as long
        # as a real morning would have it wait (forlob_shared.clock.clock_speed); 1 once it ends.
        write_clock_offset(str(system.clock_file), timedelta(seconds=offset), speed if moment < end else 1.0)
        system.offset = timedelta(seconds=offset)
        steps.note(wall_clock.time(), offset)
        if moment >= end:
            return steps
        await asyncio.sleep(STEP_SECONDS)


# --- the figures: per missed arrival, from its due time passing to what followed ------------------

PATHS = ("detected", "raised", "e-mail", "inbox stream")  # due -> ...; the last two are the goal's


@dataclass(frozen=True)
class Alert:
    """One absence alert as the services stored it (their clock: the moved one)."""

    absence_id: str
    alert_id: str
    email_id: str | None  # the alert.raised e-mail's delivery id (its Message-ID's local part)
    detected_at: datetime | None
    raised_at: datetime


@dataclass
class PathFigures:
    name: str
    latencies: list[float]
    expected: int

    def as_dict(self) -> dict[str, Any]:
        values = self.latencies
        return {
            "delivered": len(values),
            "expected": self.expected,
            "p50_s": percentile(values, 50),
            "p99_s": percentile(values, 99),
            "max_s": max(values, default=0.0),
        }


def latencies(
    plan: MorningPlan,
    steps: ClockSteps,
    alerts: Sequence[Alert],
    accepted: Mapping[str, float],
    seen: Mapping[str, float],
) -> tuple[dict[str, PathFigures], int]:
    """Per path, wall seconds from each missed arrival's due time passing to what followed; and how
    many alerts were not for a missed arrival of the plan (there should be none)."""
    due = {str(plan.slot_id(i)): plan.due(i) for i in plan.missed_indices}
    paths = {name: PathFigures(name, [], len(due)) for name in PATHS}
    unexpected = 0
    for alert in alerts:
        due_at = due.get(alert.absence_id)
        start = steps.passed_at(due_at) if due_at is not None else None
        if start is None:
            unexpected += 1
            continue
        ends = {
            "detected": steps.passed_at(alert.detected_at) if alert.detected_at else None,
            "raised": steps.passed_at(alert.raised_at),
            "e-mail": accepted.get(f"<{alert.email_id}@forlob>") if alert.email_id else None,
            "inbox stream": seen.get(alert.alert_id),
        }
        for name, end in ends.items():
            if end is not None:
                paths[name].latencies.append(end - start)
    return paths, unexpected


def cpu_per_alert(before: Mapping[str, float], after: Mapping[str, float], alerts: int) -> dict[str, float]:
    """CPU seconds each process spent per alert between the two readings."""
    return {name: (after[name] - before[name]) / max(alerts, 1) for name in before}

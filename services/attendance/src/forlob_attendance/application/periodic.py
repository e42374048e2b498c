"""One tick of the service's periodic work, in order: slots ahead, the sweep, breaches, weeks, the
meetings courses' cadence reminders, and the evening's reminders by text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from forlob_attendance.application.breaches import check_breaches
from forlob_attendance.application.meetings import remind_cadence
from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.application.slots import materialise_ahead
from forlob_attendance.application.sms import request_reminders
from forlob_attendance.application.summaries import summarise_weeks
from forlob_attendance.application.sweep import sweep_absences
from forlob_attendance.domain.sms import DEFAULT_REMINDER_AT

BREACH_BATCH = 1_000
MATERIALISE_BATCH = 500
SUMMARY_BATCH = 200
CADENCE_BATCH = 500


@dataclass(frozen=True)
class TickResult:
    slots_created: int = 0
    absences_detected: int = 0
    breaches_raised: int = 0
    weeks_summarised: int = 0
    cadence_reminders: int = 0
    sms_reminders: int = 0


async def tick(
    uow: Callable[[], AttendanceUoW],
    now: datetime,
    *,
    days_ahead: int,
    sweep_batch: int,
    reminder_at: time = DEFAULT_REMINDER_AT,
) -> TickResult:
    """Each step repeats while it takes whole batches, so a backlog clears within one tick
    (the reminders by text are one statement: each is asked once, whenever the tick runs)."""
    created = raised = summarised = reminded = 0
    while True:
        taken, n = await materialise_ahead(uow(), now, days_ahead, MATERIALISE_BATCH)
        created += n
        if taken < MATERIALISE_BATCH:
            break
    detected = await detect_absences(uow, now, sweep_batch)
    while True:
        taken, n = await check_breaches(uow(), now, BREACH_BATCH)
        raised += n
        if taken < BREACH_BATCH:
            break
    while True:
        taken, n = await summarise_weeks(uow(), now, SUMMARY_BATCH)
        summarised += n
        if taken < SUMMARY_BATCH:
            break
    while True:
        taken, n = await remind_cadence(uow(), now, CADENCE_BATCH)
        reminded += n
        if taken < CADENCE_BATCH:
            break
    texted = await request_reminders(uow(), now, reminder_at)
    return TickResult(created, detected, raised, summarised, reminded, texted)


async def detect_absences(uow: Callable[[], AttendanceUoW], now: datetime, sweep_batch: int) -> int:
    """The sweep, repeated while it takes whole batches (a backlog clears in one call)."""
    detected = 0
    while True:
        n = await sweep_absences(uow(), now, sweep_batch)
        detected += n
        if n < sweep_batch:
            return detected

"""One tick of the service's periodic work, in order: slots ahead, the sweep, breaches, weeks, and
the meetings courses' cadence reminders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from forlob_attendance.application.breaches import check_breaches
from forlob_attendance.application.meetings import remind_cadence
from forlob_attendance.application.ports import AttendanceUoW
from forlob_attendance.application.slots import materialise_ahead
from forlob_attendance.application.summaries import summarise_weeks
from forlob_attendance.application.sweep import sweep_absences

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


async def tick(uow: Callable[[], AttendanceUoW], now: datetime, *, days_ahead: int, sweep_batch: int) -> TickResult:
    """Each step repeats while it takes whole batches, so a backlog clears within one tick."""
    created = detected = raised = summarised = reminded = 0
    while True:
        taken, n = await materialise_ahead(uow(), now, days_ahead, MATERIALISE_BATCH)
        created += n
        if taken < MATERIALISE_BATCH:
            break
    while True:
        n = await sweep_absences(uow(), now, sweep_batch)
        detected += n
        if n < sweep_batch:
            break
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
    return TickResult(created, detected, raised, summarised, reminded)

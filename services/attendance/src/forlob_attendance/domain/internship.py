"""Combined courses (seed 002: part internship at a company, part workshop): the agreed plan names
the weekdays of a period the participant spends at an employer's internship. Those days' agreed
windows are attendance elsewhere: never a missed arrival, counted as attended at the internship
(not at the provider, not absent). Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from forlob_shared.errors import InvalidInput

MAX_INTERNSHIP_DAYS = 366


@dataclass(frozen=True)
class InternshipDays:
    """The weekdays (0 = Monday) of ``first_day``..``last_day`` spent at ``employer_id``."""

    id: UUID
    employer_id: UUID
    first_day: date
    last_day: date
    weekdays: tuple[int, ...]

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day and day.weekday() in self.weekdays


def check_plan(
    *, first_day: date, last_day: date, weekdays: tuple[int, ...], course_start: date, course_end: date, today: date
) -> tuple[int, ...]:
    """The weekdays, sorted and once each; 422 naming the field when the plan cannot hold.

    A plan looks ahead: a day gone by that was spent at a company is reported as absence with
    reason ``internship`` instead (the record of what happened is not rewritten)."""
    if last_day < first_day:
        raise InvalidInput("the internship ends before it begins", field="last_day")
    if (last_day - first_day).days + 1 > MAX_INTERNSHIP_DAYS:
        raise InvalidInput(f"plan at most {MAX_INTERNSHIP_DAYS} days at a time", field="last_day")
    if first_day < today:
        raise InvalidInput(
            "the plan looks ahead: a day gone by is reported as absence with reason internship", field="first_day"
        )
    if first_day < course_start or last_day > course_end:
        raise InvalidInput(f"the course runs {course_start} to {course_end}", field="first_day")
    days = tuple(sorted(set(weekdays)))
    if not days or any(d < 0 or d > 6 for d in days):
        raise InvalidInput("name the weekdays, 0 (Monday) to 6 (Sunday)", field="weekdays")
    return days


def internship_on(plans: list[InternshipDays], day: date) -> InternshipDays | None:
    """The plan covering ``day``; the latest planned wins where two overlap (plans come oldest first)."""
    found = None
    for plan in plans:
        if plan.covers(day):
            found = plan
    return found

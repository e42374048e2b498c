"""Check-in, check-out and reported absence: facts in whole minutes, never judgements."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from forlob_shared.errors import InvalidInput
from forlob_shared.events import AbsenceReason

MAX_REPORT_DAYS = 366


def minutes_between(earlier: datetime, later: datetime) -> int:
    """Whole minutes from ``earlier`` to ``later``, never negative (a minute begun is not counted)."""
    return max(0, int((later - earlier) / timedelta(minutes=1)))


def validate_report_period(first_day: date, last_day: date) -> None:
    if last_day < first_day:
        raise InvalidInput("the period ends before it begins", field="last_day")
    if (last_day - first_day).days + 1 > MAX_REPORT_DAYS:
        raise InvalidInput(f"a reported absence covers at most {MAX_REPORT_DAYS} days", field="last_day")


def excused_state(reason: AbsenceReason) -> str:
    # Days at an internship are attendance elsewhere, not absence.
    return "internship" if reason is AbsenceReason.INTERNSHIP else "excused"


CONTACT_OUTCOMES = ("called_no_answer", "reached", "reason_given", "contact_reestablished")

"""Hours a participant was present, week by week, and how they progressed over a course."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forlob_reporting.domain.groups import Fact
from forlob_reporting.domain.stats import mean

PROGRESSION_WEEKS = 4


def present_minutes(week: Fact) -> int:
    """Attended at the provider plus internship days: an internship is attendance elsewhere."""
    return int(week["attended_minutes"] or 0) + int(week["internship_minutes"] or 0)


def hours_progression(weeks: Sequence[Fact]) -> dict[str, Any] | None:
    """Mean weekly hours of a participant's first four summarised weeks against the last four.

    None when the course has fewer than eight summarised weeks (the two would overlap).
    """
    ordered = sorted(weeks, key=lambda w: w["week_start"])
    if len(ordered) < 2 * PROGRESSION_WEEKS:
        return None
    first = mean([present_minutes(w) / 60 for w in ordered[:PROGRESSION_WEEKS]])
    last = mean([present_minutes(w) / 60 for w in ordered[-PROGRESSION_WEEKS:]])
    assert first is not None
    assert last is not None
    return {"first_four_weeks_hours": first, "last_four_weeks_hours": last, "change_hours": last - first}

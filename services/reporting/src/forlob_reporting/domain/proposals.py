"""Next steps the provider proposed, and what became of them (docs/reporting.md, "Next steps
proposed"). Pure.

The proposals made on a day of the period (the proposal's day in the programme's zone), each
counted once by what has become of it so far: accepted (the caseworker referred on as proposed),
declined (by the caseworker's coded reason), withdrawn (by the provider), or still open. So
``proposals`` = ``accepted`` + ``declined`` + ``withdrawn`` + ``open``. The days from proposal to
decision are the local days between the two, over the decided ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from forlob_reporting.domain.facts import Row
from forlob_reporting.domain.groups import Period
from forlob_reporting.domain.stats import median
from forlob_shared.events.handover import DeclineReason

# Each decision's instant, and what it makes of the proposal.
DECISIONS = (("referred_at", "accepted"), ("declined_at", "declined"), ("withdrawn_at", "withdrawn"))


def decision(row: Row) -> tuple[str, datetime] | None:
    """What became of a proposal and when (the first, should the events ever say two): None while open."""
    found = [(row[column], outcome) for column, outcome in DECISIONS if row.get(column) is not None]
    if not found:
        return None
    at, outcome = min(found)
    return outcome, at


def proposal_figures(rows: Sequence[Row], period: Period, day_of: Callable[[datetime], date]) -> dict[str, Any]:
    """One group's proposals made in the period, by what became of them."""
    counts = {"accepted": 0, "declined": 0, "withdrawn": 0, "open": 0}
    reasons = {str(r): 0 for r in DeclineReason}
    days: list[float] = []
    made = 0
    for row in rows:
        if row.get("proposed_at") is None or day_of(row["proposed_at"]) not in period:
            continue  # a proposal whose own event is yet to come, or made outside the period
        made += 1
        decided = decision(row)
        if decided is None:
            counts["open"] += 1
            continue
        outcome, at = decided
        counts[outcome] += 1
        if outcome == "declined" and row.get("decline_reason") is not None:
            reasons[row["decline_reason"]] = reasons.get(row["decline_reason"], 0) + 1
        days.append(float((day_of(at) - day_of(row["proposed_at"])).days))
    return {
        "proposals": made,
        "accepted": counts["accepted"],
        "declined": counts["declined"],
        "declined_by_reason": reasons,
        "withdrawn": counts["withdrawn"],
        "open": counts["open"],
        "median_days_to_decision": median(days),
    }

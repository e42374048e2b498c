"""The figures the field reports, computed from fact rows: pure functions, no I/O.

Every figure is for one group of referrals (a provider's programme, optionally one referring
organisation) and one period ``[start, end]`` of local days, both inclusive. Which date puts a
fact into the period is part of each definition (docs/reporting.md lists them).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from forlob_reporting.domain import shape_figures
from forlob_reporting.domain.groups import Fact, distribution
from forlob_reporting.domain.groups import GroupFacts as GroupFacts
from forlob_reporting.domain.groups import GroupKey as GroupKey
from forlob_reporting.domain.groups import Period as Period
from forlob_reporting.domain.hours import hours_progression, present_minutes
from forlob_reporting.domain.stats import mean, share

DayOf = Callable[[datetime], date]  # the local day of an instant, in the group's zone

ORDINARY_WORK = "ordinary_employment"
EDUCATION = "education"


def referrals_received(facts: GroupFacts, period: Period) -> int:
    return sum(1 for r in facts.referrals if r["received_on"] in period)


def waiting_days(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """Days from the referral's arrival to its course's start, for courses that started in the period."""
    waits = [
        float((r["start_date"] - r["received_on"]).days)
        for r in facts.referrals
        if r["start_date"] in period and r["received_on"] is not None
    ]
    return distribution(waits)


def left_waiting_on(referral: Fact) -> date | None:
    """The day a referral stopped waiting: it started, was rejected or was withdrawn."""
    days = [referral[c] for c in ("start_date", "rejected_on", "withdrawn_on") if referral[c] is not None]
    return min(days) if days else None


def waiting_at_end_of(referrals: Iterable[Fact], day: date) -> int:
    count = 0
    for r in referrals:
        if r["received_on"] is None or r["received_on"] > day:
            continue
        left = left_waiting_on(r)
        if left is None or left > day:
            count += 1
    return count


def waiting_list_weeks(facts: GroupFacts, period: Period) -> list[dict[str, Any]]:
    """Per ISO week (clipped to the period): inflow, outflow and the length at the week's end."""
    rows = []
    for monday, first, last in period.weeks():
        inflow = sum(1 for r in facts.referrals if r["received_on"] is not None and first <= r["received_on"] <= last)
        outflow = 0
        for r in facts.referrals:
            left = left_waiting_on(r)
            if r["received_on"] is not None and left is not None and first <= left <= last:
                outflow += 1
        rows.append(
            {
                "week_start": monday,
                "inflow": inflow,
                "outflow": outflow,
                "length": waiting_at_end_of(facts.referrals, last),
            }
        )
    return rows


def waiting_list(facts: GroupFacts, period: Period) -> dict[str, Any]:
    weeks = waiting_list_weeks(facts, period)
    return {
        "length_before": waiting_at_end_of(facts.referrals, period.start - timedelta(days=1)),
        "length_at_end": weeks[-1]["length"] if weeks else 0,
        "inflow": sum(w["inflow"] for w in weeks),
        "outflow": sum(w["outflow"] for w in weeks),
        "mean_weekly_inflow": mean([w["inflow"] for w in weeks]),
        "mean_weekly_outflow": mean([w["outflow"] for w in weeks]),
    }


def seats_used(referrals: Iterable[Fact], day: date) -> int:
    """Courses running on ``day``: started on or before it, not ended before it."""
    return sum(
        1
        for r in referrals
        if r["start_date"] is not None and r["start_date"] <= day and (r["end_date"] is None or r["end_date"] >= day)
    )


def occupancy_days(facts: GroupFacts, period: Period) -> list[dict[str, Any]]:
    rows = []
    for day in period.days():
        used = seats_used(facts.referrals, day)
        rows.append(
            {"day": day, "seats_used": used, "capacity": facts.capacity, "occupancy": _ratio(used, facts.capacity)}
        )
    return rows


def _ratio(used: int, capacity: int | None) -> float | None:
    return used / capacity if capacity else None


def occupancy(facts: GroupFacts, period: Period) -> dict[str, Any]:
    days = occupancy_days(facts, period)
    used = [d["seats_used"] for d in days]
    return {
        "capacity": facts.capacity,
        "mean_seats_used": mean(used),
        "peak_seats_used": max(used) if used else None,
        "mean_occupancy": _ratio_mean(used, facts.capacity),
    }


def _ratio_mean(used: Sequence[int], capacity: int | None) -> float | None:
    return mean([u / capacity for u in used]) if capacity and used else None


def _weeks_in(facts: GroupFacts, period: Period) -> list[Fact]:
    return [w for w in facts.weeks if w["week_start"] in period]


def attendance(facts: GroupFacts, period: Period) -> dict[str, Any]:
    weeks = _weeks_in(facts, period)
    agreed = sum(int(w["agreed_minutes"] or 0) for w in weeks)
    present = sum(present_minutes(w) for w in weeks)
    reasons: Counter[str] = Counter()
    for w in weeks:
        reasons.update(json.loads(w["absences_by_reason"] or "{}"))
    return {
        "participant_weeks": len(weeks),
        "agreed_hours": agreed / 60,
        "attended_hours": present / 60,
        # Of those: at the provider, and at a company internship (a combined course's internship
        # days are attendance elsewhere: neither absent nor present at the provider).
        "at_provider_hours": sum(int(w["attended_minutes"] or 0) for w in weeks) / 60,
        "at_internship_hours": sum(int(w["internship_minutes"] or 0) for w in weeks) / 60,
        "attendance_rate": share(present, agreed),
        "mean_weekly_hours": mean([present_minutes(w) / 60 for w in weeks]),
        "unexcused_absences": sum(int(w["unexcused_absences"] or 0) for w in weeks),
        "absences_by_reason": dict(sorted(reasons.items())),
    }


def attendance_weeks(facts: GroupFacts, period: Period) -> list[dict[str, Any]]:
    by_week: dict[date, list[Fact]] = defaultdict(list)
    for w in _weeks_in(facts, period):
        by_week[w["week_start"]].append(w)
    rows = []
    for monday in sorted(by_week):
        weeks = by_week[monday]
        agreed = sum(int(w["agreed_minutes"] or 0) for w in weeks)
        present = sum(present_minutes(w) for w in weeks)
        rows.append(
            {
                "week_start": monday,
                "participants": len(weeks),
                "agreed_hours": agreed / 60,
                "attended_hours": present / 60,
                "attendance_rate": share(present, agreed),
                "mean_hours_per_participant": present / 60 / len(weeks),
            }
        )
    return rows


def progression(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """Over the courses that ended in the period."""
    by_referral: dict[Any, list[Fact]] = defaultdict(list)
    for w in facts.weeks:
        by_referral[w["referral_id"]].append(w)
    found = []
    for r in facts.referrals:
        if r["end_date"] in period:
            p = hours_progression(by_referral.get(r["referral_id"], []))
            if p is not None:
                found.append(p)
    return {
        "participants": len(found),
        "mean_first_four_weeks_hours": mean([p["first_four_weeks_hours"] for p in found]),
        "mean_last_four_weeks_hours": mean([p["last_four_weeks_hours"] for p in found]),
        "share_increased": share(sum(1 for p in found if p["change_hours"] > 0), len(found)),
    }


def outcome_class(outcome: str) -> str:
    if outcome == ORDINARY_WORK:
        return "ordinary_work"
    if outcome == EDUCATION:
        return "education"
    return "other"


def outcomes(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """Courses that ended in the period, by outcome; time to first job from the course's start."""
    ended = [r for r in facts.referrals if r["end_date"] in period and r["outcome"] is not None]
    classes = Counter(outcome_class(r["outcome"]) for r in ended)
    to_job = [
        float((r["first_job_date"] - r["start_date"]).days)
        for r in ended
        if r["first_job_date"] is not None and r["start_date"] is not None
    ]
    return {
        "ended": len(ended),
        "by_outcome": dict(sorted(Counter(r["outcome"] for r in ended).items())),
        "share_ordinary_work": share(classes["ordinary_work"], len(ended)),
        "share_education": share(classes["education"], len(ended)),
        "share_work_or_education": share(classes["ordinary_work"] + classes["education"], len(ended)),
        "share_other": share(classes["other"], len(ended)),
        "days_to_first_job": distribution(to_job),
    }


def breaches(facts: GroupFacts, period: Period, local_date: DayOf) -> dict[str, Any]:
    found = [b for b in facts.breaches if _detected_on(b, local_date) in period]
    return {"count": len(found), "participants": len({b["referral_id"] for b in found})}


def _detected_on(breach: Fact, local_date: DayOf) -> date | None:
    # In the group's zone; a row without its instant keeps the day it was stored with.
    detected_at = breach["detected_at"]
    return local_date(detected_at) if detected_at is not None else breach["detected_on"]


def alert_response(facts: GroupFacts, period: Period, local_date: DayOf) -> dict[str, Any]:
    """Alerts raised in the period: minutes to the first acknowledgement; share within the deadline.

    The deadline share counts alerts that had a deadline and needed acknowledging: one that
    closed by itself (the participant arrived) before anyone acknowledged it is left out.
    """
    raised = [a for a in facts.alerts if a["raised_at"] is not None and local_date(a["raised_at"]) in period]
    acked = [a for a in raised if a["acknowledged_at"] is not None]
    minutes = [(a["acknowledged_at"] - a["raised_at"]).total_seconds() / 60 for a in acked]
    with_deadline = [
        a for a in raised if a["due_at"] is not None and (a["acknowledged_at"] is not None or a["closed_at"] is None)
    ]
    in_time = sum(1 for a in with_deadline if a["acknowledged_at"] is not None and a["acknowledged_at"] <= a["due_at"])
    return {
        "raised": len(raised),
        "acknowledged": len(acked),
        "escalated": sum(1 for a in raised if (a["escalation_level"] or 0) >= 1),
        "response_minutes": distribution(minutes),
        "with_deadline": len(with_deadline),
        "share_acknowledged_in_time": share(in_time, len(with_deadline)),
    }


Block = Callable[[GroupFacts, Period, DayOf], Any]

BLOCK_FIGURES: dict[str, Block] = {
    "referrals_received": lambda g, p, d: referrals_received(g, p),
    "waiting_days": lambda g, p, d: waiting_days(g, p),
    "waiting_list": lambda g, p, d: waiting_list(g, p),
    "occupancy": lambda g, p, d: occupancy(g, p),
    "attendance": lambda g, p, d: attendance(g, p),
    "hours_progression": lambda g, p, d: progression(g, p),
    "outcomes": lambda g, p, d: outcomes(g, p),
    "breaches": breaches,
    "alerts": alert_response,
    "meetings": shape_figures.meetings,
    "outreach": shape_figures.outreach,
}

# The figures that mean something for each shape: a timetabled course has no meetings to count,
# a meetings-shaped one no agreed weekly hours, an outreach team no referrals, seats or courses
# (and no alerts linked to its programme: they name no referral).
BLOCKS: dict[str, tuple[str, ...]] = {
    "timetabled": (
        "referrals_received",
        "waiting_days",
        "waiting_list",
        "occupancy",
        "attendance",
        "hours_progression",
        "outcomes",
        "breaches",
        "alerts",
    ),
    "meetings": (
        "referrals_received",
        "waiting_days",
        "waiting_list",
        "occupancy",
        "meetings",
        "outcomes",
        "breaches",
        "alerts",
    ),
    "outreach": ("outreach",),
}
SHAPES = tuple(BLOCKS)


def all_figures(facts: GroupFacts, period: Period, local_date: DayOf) -> dict[str, Any]:
    blocks = BLOCKS.get(facts.shape, BLOCKS["timetabled"])
    return {name: BLOCK_FIGURES[name](facts, period, local_date) for name in blocks}

"""Handovers between two steps (DOMAIN.md: the next step should overlap with this one, or follow
it without a gap): days without any programme between them, and the share with no gap. Pure.

A handover (``course.referred_on``) pairs the course before with the next referral; their dates
are each one's referral facts: the next step's first day (``programme.started``) and the course
before's last day (``programme.ended``, else its planned end as last known). Counted once the next
step has started, dated by that first day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from forlob_reporting.domain.facts import Row
from forlob_reporting.domain.groups import Period
from forlob_reporting.domain.stats import mean, median, share


def previous_last_day(handover: Row, previous: Row | None) -> date:
    """The course before's last day: as ended, else as planned now, else as planned at the handover."""
    if previous is not None and previous.get("end_date") is not None:
        return previous["end_date"]  # type: ignore[no-any-return]
    if previous is not None and previous.get("planned_end_date") is not None:
        return previous["planned_end_date"]  # type: ignore[no-any-return]
    return handover["previous_planned_end"]  # type: ignore[no-any-return]


def days_without_programme(previous_last: date, next_first: date) -> int:
    """The days strictly between the course before's last day and the next step's first day:
    0 when they overlap or the next starts the day after."""
    return max(0, (next_first - previous_last).days - 1)


def _closed(row: Row | None) -> bool:
    return row is not None and (row.get("rejected_on") is not None or row.get("withdrawn_on") is not None)


def per_handover(handovers: Sequence[Row], referrals: Mapping[UUID, Row], period: Period) -> list[dict[str, Any]]:
    """Each handover whose next step started in the period, with its days without any programme."""
    rows = []
    for h in handovers:
        nxt = referrals.get(h["next_referral_id"])
        first = nxt.get("start_date") if nxt else None
        if first is None or first not in period:
            continue
        last = previous_last_day(h, referrals.get(h["referral_id"]))
        rows.append(
            {
                "handover_id": h["handover_id"],
                "provider_org": h["provider_org"],
                "programme_code": h["programme_code"],
                "next_provider_org": h["next_provider_org"],
                "next_programme_code": h["next_programme_code"],
                "relation": h["relation"],
                "previous_last_day": last,
                "next_first_day": first,
                "days_without_programme": days_without_programme(last, first),
            }
        )
    return rows


PairKey = tuple[str, str, str, str]


def by_pair(handovers: Sequence[Row], referrals: Mapping[UUID, Row], period: Period) -> list[dict[str, Any]]:
    """Per (provider, programme) → (next provider, next programme): the handovers whose next step
    started in the period, their days without any programme (median, mean), the share with none;
    and those planned to start in the period that have not started (yet, or the next referral closed)."""
    started: dict[PairKey, list[dict[str, Any]]] = defaultdict(list)
    for row in per_handover(handovers, referrals, period):
        key = (row["provider_org"], row["programme_code"], row["next_provider_org"], row["next_programme_code"])
        started[key].append(row)
    waiting: dict[PairKey, int] = defaultdict(int)
    not_taken: dict[PairKey, int] = defaultdict(int)
    for h in handovers:
        nxt = referrals.get(h["next_referral_id"])
        if (nxt is not None and nxt.get("start_date") is not None) or h["planned_start"] not in period:
            continue
        key = (h["provider_org"], h["programme_code"], h["next_provider_org"], h["next_programme_code"])
        if _closed(nxt):
            not_taken[key] += 1
        else:
            waiting[key] += 1
    rows = []
    for key in sorted(set(started) | set(waiting) | set(not_taken)):
        gaps = [float(r["days_without_programme"]) for r in started[key]]
        rows.append(
            {
                "provider_org": key[0],
                "programme_code": key[1],
                "next_provider_org": key[2],
                "next_programme_code": key[3],
                "handovers": len(gaps),
                "overlapping": sum(1 for r in started[key] if r["relation"] == "overlap"),
                "days_without_programme": {"median": median(gaps), "mean": mean(gaps)},
                "share_without_gap": share(sum(1 for g in gaps if g == 0), len(gaps)),
                "not_started": waiting[key],
                "next_step_not_taken": not_taken[key],
            }
        )
    return rows

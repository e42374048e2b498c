"""The IPS fidelity items the records can show, beside the scale's thresholds."""

from __future__ import annotations

from collections import Counter
from typing import Any

from forlob_reporting.domain.groups import GroupFacts, Period, distribution
from forlob_reporting.domain.stats import share

IPS_CASELOAD_LIMIT = 20
IPS_RAPID_SEARCH_DAYS = 30
IPS_FOLLOW_ALONG_DAYS = 365


def ips_fidelity(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """The IPS fidelity items the records can show, beside the scale's thresholds."""
    end = period.end
    active = [
        r
        for r in facts.referrals
        if r["start_date"] is not None and r["start_date"] <= end and (r["end_date"] is None or r["end_date"] > end)
    ]
    caseloads = Counter(r["contact_person_id"] or "unassigned" for r in active)
    to_job = [
        float((r["first_job_date"] - r["start_date"]).days)
        for r in facts.referrals
        if r["first_job_date"] in period and r["start_date"] is not None
    ]
    follow = [
        float((r["end_date"] - r["first_job_date"]).days)
        for r in facts.referrals
        if r["end_date"] in period and r["first_job_date"] is not None
    ]
    return {
        "caseload": {
            "as_of": end,
            "per_contact_person": dict(sorted(caseloads.items())),
            "max": max(caseloads.values()) if caseloads else 0,
            "threshold_max": IPS_CASELOAD_LIMIT,
            "within_threshold": all(n <= IPS_CASELOAD_LIMIT for n in caseloads.values()),
        },
        "days_start_to_first_job": {
            **distribution(to_job),
            "share_within_threshold": share(sum(1 for d in to_job if d <= IPS_RAPID_SEARCH_DAYS), len(to_job)),
            "threshold_days": IPS_RAPID_SEARCH_DAYS,
        },
        "follow_along_days": {
            **distribution(follow),
            "share_at_least_threshold": share(sum(1 for d in follow if d >= IPS_FOLLOW_ALONG_DAYS), len(follow)),
            "threshold_days": IPS_FOLLOW_ALONG_DAYS,
        },
    }

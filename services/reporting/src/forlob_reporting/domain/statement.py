"""The attendance statement for a closing note: one referral, week by week."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from forlob_reporting.domain.groups import Fact
from forlob_reporting.domain.hours import hours_progression, present_minutes
from forlob_reporting.domain.stats import share


def statement(referral: Fact, weeks: Sequence[Fact], days_attended: int) -> dict[str, Any]:
    """The attendance statement for a closing note: week by week, agreed against attended."""
    rows = []
    reasons: Counter[str] = Counter()
    for w in sorted(weeks, key=lambda w: w["week_start"]):
        by_reason = json.loads(w["absences_by_reason"] or "{}")
        reasons.update(by_reason)
        rows.append(
            {
                "week_start": w["week_start"],
                "agreed_hours": (w["agreed_minutes"] or 0) / 60,
                "attended_hours": (w["attended_minutes"] or 0) / 60,
                "internship_hours": (w["internship_minutes"] or 0) / 60,
                "absent_hours": (w["absent_minutes"] or 0) / 60,
                "unexcused_absences": w["unexcused_absences"] or 0,
                "absences_by_reason": dict(sorted(by_reason.items())),
            }
        )
    agreed = sum(int(w["agreed_minutes"] or 0) for w in weeks)
    present = sum(present_minutes(w) for w in weeks)
    return {
        "referral_id": referral["referral_id"],
        "programme_code": referral["programme_code"],
        "provider_org": referral["provider_org"],
        "referring_org": referral["referring_org"],
        "start_date": referral["start_date"],
        "end_date": referral["end_date"] or referral["planned_end_date"],
        "ended": referral["end_date"] is not None,
        "weeks": rows,
        "totals": {
            "weeks": len(rows),
            "days_attended": days_attended,
            "agreed_hours": agreed / 60,
            "attended_hours": present / 60,
            "attendance_rate": share(present, agreed),
            "unexcused_absences": sum(r["unexcused_absences"] for r in rows),
            "absences_by_reason": dict(sorted(reasons.items())),
        },
        "hours_progression": hours_progression(weeks),
    }

"""The figures a cohort must show, computed from its ground truth, deliberately not with the
reporting service's code: the integration tests compare the API's answers with these, the fast
tests the use cases' answers on the in-memory read model."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.encoders import jsonable_encoder

from forlob_reporting.domain.figures import Period
from forlob_testkit.reporting.cohort import Cohort, Referral

PERIODS = [Period(date(2025, 1, 1), date(2026, 11, 20)), Period(date(2026, 3, 2), date(2026, 5, 31))]


def p90(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def dist(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "median": statistics.median(values) if values else None, "p90": p90(values)}


def inside(day: date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


def waiting_on(r: Referral, day: date) -> bool:
    if r.received_on > day:
        return False
    gone = [d for d in (r.start_date, r.rejected_on, r.withdrawn_on) if d is not None and d <= day]
    return not gone


def running_on(r: Referral, day: date) -> bool:
    return r.start_date is not None and r.start_date <= day and (r.end_date is None or day <= r.end_date)


def hours(w: Any) -> float:
    return float((w.attended_minutes + w.internship_minutes) / 60)


def expected_group(rs: list[Referral], capacity: int | None, period: Period, org: str) -> dict[str, Any]:
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    weeks: dict[tuple[int, int], list[date]] = {}
    for d in days:
        weeks.setdefault(d.isocalendar()[:2], []).append(d)
    inflow = [sum(1 for r in rs if r.received_on in ds) for ds in weeks.values()]
    left = []
    for ds in weeks.values():
        n = 0
        for r in rs:
            gone = [d for d in (r.start_date, r.rejected_on, r.withdrawn_on) if d is not None]
            if gone and min(gone) in ds:
                n += 1
        left.append(n)
    used = [sum(1 for r in rs if running_on(r, d)) for d in days]
    ws = [w for r in rs for w in r.weeks if inside(w.week_start, period)]
    agreed = sum(w.agreed_minutes for w in ws)
    present = sum(w.attended_minutes + w.internship_minutes for w in ws)
    reasons: Counter[str] = Counter()
    for w in ws:
        reasons.update(w.absences_by_reason)
    progressed = [
        (statistics.mean(hours(w) for w in r.weeks[:4]), statistics.mean(hours(w) for w in r.weeks[-4:]))
        for r in rs
        if inside(r.end_date, period) and len(r.weeks) >= 8
    ]
    ended = [r for r in rs if inside(r.end_date, period)]
    work = sum(1 for r in ended if r.outcome == "ordinary_employment")
    education = sum(1 for r in ended if r.outcome == "education")
    # The viewer's own alerts only: the provider's to its contact persons, a jobcentre's to its
    # caseworkers (notices, breaches, closing notes), whoever the other side of the course is.
    alerts = [a for r in rs for a in r.alerts if a.org == org and inside(a.raised_at.date(), period)]
    acked = [a for a in alerts if a.acknowledged_at is not None]
    needing = [a for a in alerts if a.due_at is not None and a.closed_at is None]
    breaches = [(r.referral_id, d) for r in rs for d in r.breach_days if inside(d, period)]

    def share(n: int, d: int) -> float | None:
        return n / d if d else None

    return {
        "referrals_received": sum(1 for r in rs if inside(r.received_on, period)),
        "waiting_days": dist([float((r.start_date - r.received_on).days) for r in rs if inside(r.start_date, period)]),  # type: ignore[operator]
        "waiting_list": {
            "length_before": sum(1 for r in rs if waiting_on(r, period.start - timedelta(days=1))),
            "length_at_end": sum(1 for r in rs if waiting_on(r, period.end)),
            "inflow": sum(inflow),
            "outflow": sum(left),
            "mean_weekly_inflow": statistics.mean(inflow),
            "mean_weekly_outflow": statistics.mean(left),
        },
        "occupancy": {
            "capacity": capacity,
            "mean_seats_used": statistics.mean(used),
            "peak_seats_used": max(used),
            "mean_occupancy": statistics.mean(used) / capacity if capacity else None,
        },
        "attendance": {
            "participant_weeks": len(ws),
            "agreed_hours": agreed / 60,
            "attended_hours": present / 60,
            "at_provider_hours": sum(w.attended_minutes for w in ws) / 60,
            "at_internship_hours": sum(w.internship_minutes for w in ws) / 60,
            "attendance_rate": share(present, agreed) if agreed else None,
            "mean_weekly_hours": statistics.mean(hours(w) for w in ws) if ws else None,
            "unexcused_absences": sum(w.unexcused_absences for w in ws),
            "absences_by_reason": dict(sorted(reasons.items())),
        },
        "hours_progression": {
            "participants": len(progressed),
            "mean_first_four_weeks_hours": statistics.mean(a for a, _ in progressed) if progressed else None,
            "mean_last_four_weeks_hours": statistics.mean(b for _, b in progressed) if progressed else None,
            "share_increased": share(sum(1 for a, b in progressed if b > a), len(progressed)),
        },
        "outcomes": {
            "ended": len(ended),
            "by_outcome": dict(sorted(Counter(str(r.outcome) for r in ended).items())),
            "share_ordinary_work": share(work, len(ended)),
            "share_education": share(education, len(ended)),
            "share_work_or_education": share(work + education, len(ended)),
            "share_other": share(len(ended) - work - education, len(ended)),
            "days_to_first_job": dist(
                [float((r.first_job_date - r.start_date).days) for r in ended if r.first_job_date]  # type: ignore[operator]
            ),
        },
        "breaches": {"count": len(breaches), "participants": len({rid for rid, _ in breaches})},
        "alerts": {
            "raised": len(alerts),
            "acknowledged": len(acked),
            "escalated": sum(1 for a in alerts if a.escalated),
            "response_minutes": dist([(a.acknowledged_at - a.raised_at).total_seconds() / 60 for a in acked]),  # type: ignore[operator]
            "with_deadline": len(needing),
            "share_acknowledged_in_time": share(
                sum(
                    1
                    for a in needing
                    if a.acknowledged_at is not None and a.due_at is not None and a.acknowledged_at <= a.due_at
                ),
                len(needing),
            ),
        },
    }


def expected_rows(cohort: Cohort, org: str, period: Period, by_referring: bool) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], list[Referral]] = {}
    for r in cohort.referrals:
        if org not in (r.programme.provider_org, r.referring_org):
            continue
        key = (r.programme.provider_org, r.programme.code) + ((r.referring_org,) if by_referring else ())
        groups.setdefault(key, []).append(r)
    rows = []
    for key in sorted(groups):
        fields = {"provider_org": key[0], "programme_code": key[1]}
        if by_referring:
            fields["referring_org"] = key[2]
        # The seats are the provider's: a referring organisation sees its own courses on them.
        capacity = cohort.capacities[(key[0], key[1])] if org == key[0] else None
        rows.append({**fields, **expected_group(groups[key], capacity, period, org)})
    return rows


def assert_same(actual: Any, expected: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert set(actual) == set(expected), (path, set(actual) ^ set(expected))
        for k in expected:
            assert_same(actual[k], expected[k], f"{path}.{k}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), path
    else:
        assert actual == expected, path


VIEWS = [
    ("rca-aalborg", False),
    ("rca-aalborg", True),
    ("ips-nord", False),
    ("jobcenter-odense", False),
    ("jobcenter-odense", True),
]


def jsonable(value: Any) -> Any:
    return jsonable_encoder(value)


def assert_ips(answers: dict[str, Any], cohort: Cohort) -> None:
    for period in PERIODS:
        rows = answers[f"ips/ips-nord/False/{period.start}"]
        assert [r["programme_code"] for r in rows] == ["IPS-1"]
        ips = [r for r in cohort.referrals if r.programme.code == "IPS-1"]
        active = Counter(
            r.contact_person_id
            for r in ips
            if r.start_date is not None
            and r.start_date <= period.end
            and (r.end_date is None or r.end_date > period.end)
        )
        caseload = rows[0]["caseload"]
        assert caseload["per_contact_person"] == dict(sorted(active.items()))
        assert caseload["max"] == max(active.values())
        assert caseload["within_threshold"] == (max(active.values()) <= 20)
        to_job = [float((r.first_job_date - r.start_date).days) for r in ips if inside(r.first_job_date, period)]  # type: ignore[operator]
        assert_same(
            {k: rows[0]["days_start_to_first_job"][k] for k in ("count", "median", "p90")}, jsonable(dist(to_job))
        )
        follow = [
            float((r.end_date - r.first_job_date).days)
            for r in ips
            if r.end_date is not None and inside(r.end_date, period) and r.first_job_date
        ]
        assert_same({k: rows[0]["follow_along_days"][k] for k in ("count", "median", "p90")}, jsonable(dist(follow)))
        # the referring organisation does not see the provider's caseloads
        assert answers[f"ips/jobcenter-odense/False/{period.start}"] == []

"""The IPS fidelity items the records show, from the facts of the way into work (employer contacts,
spells of work or education, the support phase), beside the scale's thresholds; and what
clarification courses recommended. docs/reporting.md defines each figure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from forlob_reporting.domain.groups import Fact, GroupFacts, Period, distribution
from forlob_reporting.domain.stats import share

IPS_CASELOAD_LIMIT = 20
IPS_RAPID_SEARCH_DAYS = 30
IPS_FOLLOW_ALONG_DAYS = 365
SUPPORT = "employed_with_support"
SEARCH = "search"


def _running(r: Fact, day: date) -> bool:
    return r["start_date"] is not None and r["start_date"] <= day and (r["end_date"] is None or r["end_date"] > day)


def first_jobs(facts: GroupFacts) -> dict[Any, date]:
    """Per course, the first day of work or education: its earliest spell's start, or the date
    the course's end gave (a course ended before spells were recorded)."""
    first: dict[Any, date] = {}

    def keep(referral: Any, day: date | None) -> None:
        if day is not None and (referral not in first or day < first[referral]):
            first[referral] = day

    for spell in facts.job_spells:
        keep(spell["referral_id"], spell["start_date"])
    for r in facts.referrals:
        keep(r["referral_id"], r["first_job_date"])
    return first


def _earliest(pairs: Iterable[tuple[Any, date | None]]) -> dict[Any, date]:
    found: dict[Any, date] = {}
    for key, day in pairs:
        if day is not None and (key not in found or day < found[key]):
            found[key] = day
    return found


def caseload(facts: GroupFacts, period: Period) -> dict[str, Any]:
    caseloads = Counter(r["contact_person_id"] or "unassigned" for r in facts.referrals if _running(r, period.end))
    return {
        "as_of": period.end,
        "per_contact_person": dict(sorted(caseloads.items())),
        "max": max(caseloads.values()) if caseloads else 0,
        "threshold_max": IPS_CASELOAD_LIMIT,
        "within_threshold": all(n <= IPS_CASELOAD_LIMIT for n in caseloads.values()),
        "contact_persons_over_threshold": sum(1 for n in caseloads.values() if n > IPS_CASELOAD_LIMIT),
    }


def rapid_job_search(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """Courses whose search began in the period (the first meeting held; with none held, the
    course's start): days to the first employer contact for the participant, by the period's end."""
    first_meeting = _earliest((m["referral_id"], m["held_on"]) for m in facts.meetings)
    first_contact = _earliest(
        (c["referral_id"], c["day"]) for c in facts.employer_contacts if c["day"] is not None and c["day"] <= period.end
    )
    courses = from_start = decided = within = 0
    days: list[float] = []
    for r in facts.referrals:
        if r["start_date"] is None:
            continue  # a contact for a course whose start is yet to arrive: counted when it does
        began = first_meeting.get(r["referral_id"])
        if began is None:
            began = r["start_date"]
        if began not in period:
            continue
        courses += 1
        from_start += r["referral_id"] not in first_meeting
        contact = first_contact.get(r["referral_id"])
        waited = max(0, (contact - began).days) if contact is not None else None
        if waited is not None:
            days.append(float(waited))
        if waited is not None and waited <= IPS_RAPID_SEARCH_DAYS:
            within += 1
            decided += 1
        elif began + timedelta(days=IPS_RAPID_SEARCH_DAYS) <= period.end:
            decided += 1  # the 30 days are over without a contact in them
    return {
        "courses": courses,
        "measured_from_start": from_start,
        "days_to_first_employer_contact": distribution(days),
        "decided": decided,
        "share_within_threshold": share(within, decided),
        "threshold_days": IPS_RAPID_SEARCH_DAYS,
    }


def employer_contacts(contacts: Iterable[Fact], period: Period) -> dict[str, Any]:
    found = [c for c in contacts if c["day"] in period]
    weeks = len(period.days()) / 7
    per_consultant = Counter(c["staff_id"] for c in found)
    return {
        "total": len(found),
        "for_participants": sum(1 for c in found if c["referral_id"] is not None),
        "weeks": weeks,
        "per_consultant": {
            staff: {"contacts": n, "per_week": n / weeks} for staff, n in sorted(per_consultant.items())
        },
    }


def support(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """Running courses in work or education with support on the period's last day, and since when."""
    changes: dict[Any, list[Fact]] = defaultdict(list)
    for p in facts.support_phases:
        if p["since"] is not None and p["since"] <= period.end:
            changes[p["referral_id"]].append(p)
    days = []
    for r in facts.referrals:
        walked = sorted(changes.get(r["referral_id"], []), key=lambda p: (p["since"], p["changed_at"]))
        if _running(r, period.end) and walked and walked[-1]["phase"] == SUPPORT:
            days.append(float((period.end - walked[-1]["since"]).days))
    return {"as_of": period.end, "in_support": len(days), "days_in_support": distribution(days)}


def ips_fidelity(facts: GroupFacts, period: Period, general: Iterable[Fact] = ()) -> dict[str, Any]:
    """The IPS fidelity items of one group; ``general`` (for the row of contacts for no course)
    replaces the group's own employer contacts."""
    first_job = first_jobs(facts)
    ended = [r for r in facts.referrals if r["end_date"] in period and r["start_date"] is not None]
    employed = sum(1 for r in ended if r["referral_id"] in first_job and first_job[r["referral_id"]] <= r["end_date"])
    to_job = [
        float((first_job[r["referral_id"]] - r["start_date"]).days)
        for r in facts.referrals
        if r["start_date"] is not None and first_job.get(r["referral_id"]) in period
    ]
    follow = [float((r["end_date"] - first_job[r["referral_id"]]).days) for r in ended if r["referral_id"] in first_job]
    spells_ended = [s for s in facts.job_spells if s["end_date"] in period]
    resumed = [p for p in facts.support_phases if (p["previous_phase"], p["phase"]) == (SUPPORT, SEARCH)]
    return {
        "caseload": caseload(facts, period),
        "rapid_job_search": rapid_job_search(facts, period),
        "employer_contacts": employer_contacts(general or facts.employer_contacts, period),
        "into_work_or_education": {
            "courses_ended": len(ended),
            "ever_employed": employed,
            "share": share(employed, len(ended)),
        },
        "days_start_to_first_job": distribution(to_job),
        "time_unlimited_support": support(facts, period),
        "follow_along_days": {
            **distribution(follow),
            "share_at_least_threshold": share(sum(1 for d in follow if d >= IPS_FOLLOW_ALONG_DAYS), len(follow)),
            "threshold_days": IPS_FOLLOW_ALONG_DAYS,
        },
        "jobs_ended": {
            "count": len(spells_ended),
            "by_reason": dict(sorted(Counter(s["end_reason"] or "other" for s in spells_ended).items())),
            "search_resumed": sum(1 for p in resumed if p["since"] in period),
        },
    }


def clarification_results(facts: GroupFacts, period: Period) -> dict[str, Any]:
    """Results given on a day in the period, by recommendation, and the evidence behind them."""
    found = [c for c in facts.clarifications if c["day"] in period]
    return {
        "results": len(found),
        "by_recommendation": dict(sorted(Counter(c["recommendation"] for c in found).items())),
        "meetings_held": distribution([float(c["meetings_held"]) for c in found]),
        "with_work_trial": sum(1 for c in found if c["work_trials"]),
        "with_specialist_assessment": sum(1 for c in found if c["specialist_assessments"]),
    }

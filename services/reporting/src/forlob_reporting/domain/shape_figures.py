"""The figures of meetings-shaped courses, outreach work and safety on visits: pure functions.

Like domain/figures.py: one group (or, for visits, one organisation), one period of local days;
instants are dated in the group's zone (``local_date``). docs/reporting.md defines each figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from forlob_reporting.domain.groups import Fact, GroupFacts, Period, distribution
from forlob_reporting.domain.stats import share

DayOf = Callable[[datetime], date]

PARTICIPANT = "participant"
PROVIDER = "provider"
CONTACT_CREATION = "contact_creation"
# A stable contact: the case left contact creation for relationship work (or straight to bridging).
STABLE_PHASES = ("relationship", "bridging")
TIMED_PHASES = ("contact_creation", "relationship", "bridging")  # closed is where a case ends
CLOSED = "closed"


def meeting_day(meeting: Fact, local_date: DayOf) -> date | None:
    """The day a meeting belongs to: its (latest) planned start; one recorded as held without a
    plan, the day it was held; otherwise the day it was missed."""
    if meeting["starts_at"] is not None:
        return local_date(meeting["starts_at"])
    day: date | None = meeting["held_on"] or meeting["missed_on"]
    return day


def _held(meeting: Fact) -> bool:
    return meeting["held_at"] is not None or meeting["held_on"] is not None


def _missed(meeting: Fact) -> bool:
    # A late arrival recorded as held is not a missed meeting.
    return meeting["missed_on"] is not None and not _held(meeting) and meeting["cancelled_at"] is None


def meetings(facts: GroupFacts, period: Period, local_date: DayOf) -> dict[str, Any]:
    """Meetings whose day is in the period, what became of them, reminders, time to the first."""
    found = [m for m in facts.meetings if meeting_day(m, local_date) in period]
    held = sum(1 for m in found if _held(m))
    cancelled = Counter(m["cancelled_by"] for m in found if m["cancelled_at"] is not None and not _held(m))
    reminders = [
        r for r in facts.meeting_reminders if r["detected_at"] is not None and local_date(r["detected_at"]) in period
    ]
    return {
        "planned": len(found),
        "held": held,
        "cancelled_by_participant": cancelled[PARTICIPANT],
        "cancelled_by_provider": cancelled[PROVIDER],
        "missed": sum(1 for m in found if _missed(m)),
        "share_held": share(held, len(found)),
        "cadence_reminders": len(reminders),
        "days_start_to_first_meeting": distribution(days_start_to_first_meeting(facts, period, local_date)),
    }


def days_start_to_first_meeting(facts: GroupFacts, period: Period, local_date: DayOf) -> list[float]:
    """Per course whose first meeting was held in the period: days from its start to that meeting."""
    first: dict[Any, date] = {}
    for m in facts.meetings:
        if _held(m):
            day = m["held_on"] or local_date(m["held_at"])
            if m["referral_id"] not in first or day < first[m["referral_id"]]:
                first[m["referral_id"]] = day
    days = []
    for r in facts.referrals:
        held = first.get(r["referral_id"])
        if held is not None and held in period and r["start_date"] is not None:
            days.append(float((held - r["start_date"]).days))
    return days


def _phases_by_case(phases: Iterable[Fact]) -> dict[Any, list[Fact]]:
    by_case: dict[Any, list[Fact]] = defaultdict(list)
    for p in phases:
        by_case[p["case_id"]].append(p)
    for changes in by_case.values():
        changes.sort(key=lambda p: p["changed_at"])
    return by_case


def phase_stays(opened_at: datetime | None, changes: Sequence[Fact]) -> list[tuple[str, datetime, datetime]]:
    """(phase, entered, left) of each finished stay, walking the case's changes in time order;
    a stay whose start is unknown (a change missing, a case opened before the history) is left out."""
    stays = []
    phase, since = CONTACT_CREATION, opened_at
    for change in changes:
        if since is not None and change["previous_phase"] == phase:
            stays.append((phase, since, change["changed_at"]))
        phase, since = change["phase"], change["changed_at"]
    return stays


def outreach(facts: GroupFacts, period: Period, local_date: DayOf) -> dict[str, Any]:
    def in_period(instant: datetime | None) -> bool:
        return instant is not None and local_date(instant) in period

    cases = {c["case_id"]: c for c in facts.outreach_cases}
    by_case = _phases_by_case(facts.outreach_phases)
    attempts: dict[Any, list[datetime]] = defaultdict(list)
    for a in facts.outreach_attempts:
        if a["attempted_at"] is not None:
            attempts[a["case_id"]].append(a["attempted_at"])

    to_stable: list[float] = []
    stay_days: dict[str, list[float]] = {phase: [] for phase in TIMED_PHASES}
    for case_id, changes in by_case.items():
        stable = next((p["changed_at"] for p in changes if p["phase"] in STABLE_PHASES), None)
        if stable is not None and in_period(stable):
            to_stable.append(float(sum(1 for at in attempts.get(case_id, []) if at <= stable)))
        opened = cases[case_id]["opened_at"] if case_id in cases else None
        for phase, entered, left in phase_stays(opened, changes):
            if phase in stay_days and in_period(left):
                stay_days[phase].append(float((local_date(left) - local_date(entered)).days))

    closed = [p for p in facts.outreach_phases if p["phase"] == CLOSED and in_period(p["changed_at"])]
    by_reason = Counter(p["close_reason"] or "other" for p in closed)
    return {
        "cases_opened": sum(1 for c in facts.outreach_cases if in_period(c["opened_at"])),
        "contact_attempts": sum(1 for a in facts.outreach_attempts if in_period(a["attempted_at"])),
        "contact_reminders": sum(1 for r in facts.outreach_reminders if in_period(r["detected_at"])),
        "attempts_to_stable_contact": distribution(to_stable),
        **{f"days_in_{phase}": distribution(days) for phase, days in stay_days.items()},
        "consents_recorded": sum(1 for c in facts.outreach_cases if in_period(c["consent_recorded_at"])),
        "cases_identified": sum(1 for c in facts.outreach_cases if in_period(c["identified_at"])),
        "cases_handed_over": sum(1 for c in facts.outreach_cases if in_period(c["handed_over_at"])),
        "cases_closed": len(closed),
        "closed_by_reason": dict(sorted(by_reason.items())),
    }


def visits(rows: Iterable[Fact], period: Period, local_date: DayOf) -> dict[str, Any]:
    """Visits started in the period: with a colleague along, and overdue (not ended by the
    planned end plus grace: the overdue alert went out)."""
    started = [v for v in rows if v["started_at"] is not None and local_date(v["started_at"]) in period]
    overdue = sum(1 for v in started if v["overdue_at"] is not None)
    return {
        "started": len(started),
        "with_colleague": sum(1 for v in started if v["with_colleague"]),
        "overdue": overdue,
        "share_overdue": share(overdue, len(started)),
        "not_ended": sum(1 for v in started if v["ended_at"] is None),
    }

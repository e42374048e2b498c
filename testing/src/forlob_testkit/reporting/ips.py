"""A small history of the way into work: an IPS team's four courses (employer contacts on days 5
and 40 of the search and none, a job on day 60 with support since, a job ended and the search
resumed), its general job development, and a clarification provider's results; with the figures
they must give, worked out by hand in docs/reporting.md's terms, not by the code under test.

The unit tests project these events in any order; the integration test publishes them, lets the
live consumer build the read model, rebuilds it from the history and compares.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from forlob_shared.events import AttendanceRules, ProgrammeDefined, ProgrammeEnded, ProgrammeStarted, ReferralReceived
from forlob_shared.events.common import CadenceKind, MeetingCadence, Outcome, ProgrammeShape
from forlob_shared.events.employment import (
    ClarificationResult,
    Disclosure,
    EmployerContacted,
    EmployerContactKind,
    JobEnded,
    JobStarted,
    PhaseChanged,
    Recommendation,
    SpellEndReason,
    SpellKind,
    SupportPhase,
    WorkAbilityArea,
)
from forlob_shared.events.meetings import MeetingHeld
from forlob_testkit.reporting.cohort import Published
from forlob_testkit.reporting.shapes import HOURS, _at, _History

IPS = ("ips-syd", "IPS-S")
# The same team also runs a development course (meetings too): no IPS fidelity row is its.
IPS_TEAM_OTHER = (IPS[0], "UDV-S")
CLARIFICATION = ("aspa-aalborg", "AFK-1")
JOBCENTRE = "jobcenter-aarhus"
CONSULTANT, DEVELOPER = "cons-a", "cons-b"  # the contact person; a colleague doing general job development
# Twelve weeks: employer contacts per week are the count / 12.
PERIOD = (date(2026, 3, 2), date(2026, 5, 24))
EMPLOYER = UUID(int=0xE0 << 64 | 1)


def _id(n: int) -> UUID:
    return UUID(int=0x1B5 << 64 | n)


def participant(n: int) -> UUID:
    return _id(2000 + n)


def referral(n: int) -> UUID:
    return _id(1000 + n)


# GET /figures/ips-fidelity for PERIOD, the team's programme (days from the first meeting held:
# course 1 met on 4 March and was contacted about on 9 March, day 5; course 2 met on its start,
# 2 March, first contact 11 April, day 40; courses 3 and 4 had no meeting: from their starts).
EXPECTED_IPS: dict[str, Any] = {
    "provider_org": IPS[0],
    "programme_code": IPS[1],
    "caseload": {
        "as_of": "2026-05-24",
        "per_contact_person": {CONSULTANT: 2},  # courses 1 and 4; 2 and 3 ended before 24 May
        "max": 2,
        "threshold_max": 20,
        "within_threshold": True,
        "contact_persons_over_threshold": 0,
    },
    "rapid_job_search": {
        "courses": 4,
        "measured_from_start": 2,
        "days_to_first_employer_contact": {"count": 2, "median": 22.5, "p90": 5 + 0.9 * 35},
        "decided": 3,  # course 4 started 18 May: its 30 days are not over, and no contact yet
        "share_within_threshold": 1 / 3,
        "threshold_days": 30,
    },
    "employer_contacts": {
        "total": 4,
        "for_participants": 4,
        "weeks": 12.0,
        "per_consultant": {CONSULTANT: {"contacts": 4, "per_week": 4 / 12}},  # 26 May is after the period
    },
    "into_work_or_education": {"courses_ended": 2, "ever_employed": 1, "share": 0.5},  # courses 2 and 3
    "days_start_to_first_job": {"count": 2, "median": 54.5, "p90": 49 + 0.9 * 11},  # days 60 and 49
    "time_unlimited_support": {
        "as_of": "2026-05-24",
        "in_support": 1,
        "days_in_support": {"count": 1, "median": 23.0, "p90": 23.0},  # course 1, since 1 May
    },
    "follow_along_days": {  # course 2: ended 22 May, first job 20 April
        "count": 1,
        "median": 32.0,
        "p90": 32.0,
        "share_at_least_threshold": 0.0,
        "threshold_days": 365,
    },
    "jobs_ended": {"count": 1, "by_reason": {"fixed_term_ended": 1}, "search_resumed": 1},
}
EXPECTED_GENERAL: dict[str, Any] = {
    "provider_org": IPS[0],
    "programme_code": "general",
    "caseload": {
        "as_of": "2026-05-24",
        "per_contact_person": {},
        "max": 0,
        "threshold_max": 20,
        "within_threshold": True,
        "contact_persons_over_threshold": 0,
    },
    "rapid_job_search": {
        "courses": 0,
        "measured_from_start": 0,
        "days_to_first_employer_contact": {"count": 0, "median": None, "p90": None},
        "decided": 0,
        "share_within_threshold": None,
        "threshold_days": 30,
    },
    "employer_contacts": {
        "total": 3,
        "for_participants": 0,
        "weeks": 12.0,
        "per_consultant": {DEVELOPER: {"contacts": 3, "per_week": 0.25}},
    },
    "into_work_or_education": {"courses_ended": 0, "ever_employed": 0, "share": None},
    "days_start_to_first_job": {"count": 0, "median": None, "p90": None},
    "time_unlimited_support": {
        "as_of": "2026-05-24",
        "in_support": 0,
        "days_in_support": {"count": 0, "median": None, "p90": None},
    },
    "follow_along_days": {
        "count": 0,
        "median": None,
        "p90": None,
        "share_at_least_threshold": None,
        "threshold_days": 365,
    },
    "jobs_ended": {"count": 0, "by_reason": {}, "search_resumed": 0},
}
# GET /figures/clarification-results for PERIOD: two results (one corrected the next day), the
# third given in June.
EXPECTED_CLARIFICATION: dict[str, Any] = {
    "provider_org": CLARIFICATION[0],
    "programme_code": CLARIFICATION[1],
    "results": 2,
    "by_recommendation": {"flex_job": 1, "resource_course": 1},
    "meetings_held": {"count": 2, "median": 7.0, "p90": 6 + 0.9 * 2},
    "with_work_trial": 1,
    "with_specialist_assessment": 2,
}


def _define(h: _History, provider: str, code: str, kind: str) -> None:
    at = _at(date(2025, 12, 1), 8)
    data = ProgrammeDefined(
        provider_org=provider,
        programme_code=code,
        kind=kind,
        capacity=20,
        intake_weekdays=[0],
        default_weeks=52,
        min_weeks=1,
        max_weeks=104,
        opening_hours=HOURS,
        timezone="Europe/Copenhagen",
        country="DK",
        rules=AttendanceRules(),
        defined_at=at,
        shape=ProgrammeShape.MEETINGS,
    )
    h.emit(at, data, f"{provider}/{code}", provider)


def _course(h: _History, programme: tuple[str, str], n: int, received: date, start: date) -> dict[str, Any]:
    provider, code = programme
    ids = {
        "referral_id": referral(n),
        "participant_id": participant(n),
        "programme_code": code,
        "referring_org": JOBCENTRE,
        "provider_org": provider,
    }
    h.emit(_at(received), ReferralReceived(**ids, received_at=_at(received)), str(referral(n)), provider, JOBCENTRE)
    started = ProgrammeStarted(
        **ids,
        start_date=start,
        planned_end_date=date(2027, 3, 1),
        schedule=[],
        opening_hours=HOURS,
        timezone="Europe/Copenhagen",
        country="DK",
        contact_person_id=CONSULTANT,
        caseworker_id="cw-1",
        rules=AttendanceRules(),
        started_at=_at(start, 8),
        shape=ProgrammeShape.MEETINGS,
        cadence=MeetingCadence(kind=CadenceKind.WEEKLY, max_days_between=7),
    )
    h.emit(_at(start, 8), started, str(referral(n)), provider, JOBCENTRE)
    return ids


def _emit(h: _History, ids: dict[str, Any], at: datetime, data: Any) -> None:
    h.emit(at, data, str(ids["referral_id"]), ids["provider_org"], JOBCENTRE)


def _held(h: _History, ids: dict[str, Any], n: int, day: date) -> None:
    data = MeetingHeld(
        **ids,
        meeting_id=_id(3000 + n),
        day=day,
        held_at=_at(day, 9),
        minutes_late=0,
        duration_minutes=50,
        recorded_at=_at(day, 11),
    )
    _emit(h, ids, _at(day, 11), data)


def _contact(h: _History, n: int, day: date, kind: EmployerContactKind, ids: dict[str, Any] | None = None) -> None:
    staff = CONSULTANT if ids is not None else DEVELOPER
    course = {k: ids[k] for k in ("referral_id", "participant_id", "programme_code", "referring_org")} if ids else {}
    data = EmployerContacted(
        employer_id=EMPLOYER,
        provider_org=IPS[0],
        contact_id=_id(4000 + n),
        staff_id=staff,
        day=day,
        kind=kind,
        recorded_at=_at(day, 15),
        **course,
    )
    h.emit(_at(day, 15), data, str(EMPLOYER), IPS[0], JOBCENTRE if ids else None)


def _phase(h: _History, ids: dict[str, Any], to: SupportPhase, since: date, spell: UUID) -> None:
    before = SupportPhase.SEARCH if to == SupportPhase.EMPLOYED_WITH_SUPPORT else SupportPhase.EMPLOYED_WITH_SUPPORT
    data = PhaseChanged(**ids, phase=to, previous_phase=before, since=since, spell_id=spell, changed_at=_at(since, 16))
    _emit(h, ids, _at(since, 16), data)


def _job(h: _History, ids: dict[str, Any], n: int, kind: SpellKind, start: date) -> UUID:
    spell = _id(5000 + n)
    data = JobStarted(
        **ids,
        spell_id=spell,
        employer_id=EMPLOYER,
        kind=kind,
        start_date=start,
        weekly_hours=15,
        disclosure=Disclosure.PARTLY,
        recorded_at=_at(start, 14),
    )
    _emit(h, ids, _at(start, 14), data)
    _phase(h, ids, SupportPhase.EMPLOYED_WITH_SUPPORT, start, spell)
    return spell


def _ended(h: _History, ids: dict[str, Any], start: date, end: date, outcome: Outcome, first_job: date | None) -> None:
    data = ProgrammeEnded(
        **ids, start_date=start, end_date=end, outcome=outcome, first_job_date=first_job, ended_at=_at(end, 15)
    )
    _emit(h, ids, _at(end, 15), data)


def _ips(h: _History) -> None:
    _define(h, *IPS, "ips")
    _define(h, *IPS_TEAM_OTHER, "development_course")
    first = _course(h, IPS, 1, date(2026, 2, 20), date(2026, 3, 2))
    _held(h, first, 1, date(2026, 3, 4))
    _contact(h, 1, date(2026, 3, 9), EmployerContactKind.FIRST_CONTACT, first)
    _contact(h, 2, date(2026, 3, 16), EmployerContactKind.FOLLOW_UP, first)
    _job(h, first, 1, SpellKind.ORDINARY, date(2026, 5, 1))
    _contact(h, 3, date(2026, 5, 26), EmployerContactKind.FOLLOW_UP, first)  # after the period

    second = _course(h, IPS, 2, date(2026, 2, 20), date(2026, 3, 2))
    _held(h, second, 2, date(2026, 3, 2))
    _contact(h, 4, date(2026, 4, 11), EmployerContactKind.FIRST_CONTACT, second)
    _contact(h, 5, date(2026, 4, 14), EmployerContactKind.INTERVIEW, second)
    spell = _job(h, second, 2, SpellKind.EDUCATION, date(2026, 4, 20))
    ended = JobEnded(
        **second,
        spell_id=spell,
        employer_id=EMPLOYER,
        kind=SpellKind.EDUCATION,
        start_date=date(2026, 4, 20),
        end_date=date(2026, 5, 10),
        reason=SpellEndReason.FIXED_TERM_ENDED,
        recorded_at=_at(date(2026, 5, 11), 9),
    )
    _emit(h, second, _at(date(2026, 5, 11), 9), ended)
    _phase(h, second, SupportPhase.SEARCH, date(2026, 5, 11), spell)
    _ended(h, second, date(2026, 3, 2), date(2026, 5, 22), Outcome.ANOTHER_PROGRAMME, date(2026, 4, 20))

    third = _course(h, IPS, 3, date(2026, 3, 5), date(2026, 3, 16))
    _ended(h, third, date(2026, 3, 16), date(2026, 5, 20), Outcome.DROPPED_OUT, None)
    _course(h, IPS, 4, date(2026, 5, 10), date(2026, 5, 18))

    for n, day in ((6, date(2026, 3, 10)), (7, date(2026, 3, 24)), (8, date(2026, 4, 7))):
        _contact(h, n, day, EmployerContactKind.FIRST_CONTACT)


def _result(
    h: _History, ids: dict[str, Any], recommendation: Recommendation, day: date, evidence: tuple[int, int, int]
) -> None:
    meetings, trials, assessments = evidence
    data = ClarificationResult(
        **ids,
        recommendation=recommendation,
        resources=[WorkAbilityArea.WORK_EXPERIENCE],
        challenges=[WorkAbilityArea.HEALTH],
        meetings_held=meetings,
        work_trials=trials,
        specialist_assessments=assessments,
        day=day,
        staff_id="janni",
        recorded_at=_at(day, 13),
    )
    _emit(h, ids, _at(day, 13), data)


def _clarification(h: _History) -> None:
    _define(h, *CLARIFICATION, "clarification")
    one = _course(h, CLARIFICATION, 11, date(2026, 1, 5), date(2026, 1, 12))
    _result(h, one, Recommendation.FLEX_JOB, date(2026, 4, 10), (8, 1, 1))
    two = _course(h, CLARIFICATION, 12, date(2026, 1, 5), date(2026, 1, 19))
    _result(h, two, Recommendation.ANOTHER_PROGRAMME, date(2026, 5, 4), (5, 0, 1))
    _result(h, two, Recommendation.RESOURCE_COURSE, date(2026, 5, 5), (6, 0, 2))  # corrected: the latest
    three = _course(h, CLARIFICATION, 13, date(2026, 2, 2), date(2026, 2, 9))
    _result(h, three, Recommendation.DISABILITY_PENSION, date(2026, 6, 2), (10, 2, 3))  # June


def build_ips() -> list[Published]:
    h = _History()
    _ips(h)
    _clarification(h)
    return h.published()

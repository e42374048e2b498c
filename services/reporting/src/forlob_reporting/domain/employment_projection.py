"""How the events on the way into work change the read model: employer contacts, spells of work
or education, the support phase, a clarification's result, a referral on to the next programme.

Pure, like :mod:`forlob_reporting.domain.projection` (whose ``PROJECTORS`` take these in): each
change is set-once or guarded, so the facts are the same in any order and with duplicates. A
spell or contact may arrive before its course's start: it carries its own programme and
organisations, and the figures leave it out until the start is known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forlob_reporting.domain.facts import CLARIFICATIONS, EMPLOYER_CONTACTS, HANDOVERS, JOB_SPELLS, SUPPORT_PHASES
from forlob_reporting.domain.merge import Change, guard_of
from forlob_reporting.domain.proposal_projection import proposal_referred_on
from forlob_shared.events import Envelope, EventData
from forlob_shared.events.employment import ClarificationResult, EmployerContacted, JobEnded, JobStarted, PhaseChanged
from forlob_shared.events.handover import CourseReferredOn


def _course(e: Any) -> dict[str, Any]:
    # Not the participant id: no figure needs it, and an erased one must never come back.
    return {
        "referral_id": e.referral_id,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "provider_org": e.provider_org,
    }


def _contacted(env: Envelope[Any], e: EmployerContacted) -> list[Change]:
    values = {
        "provider_org": e.provider_org,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "referral_id": e.referral_id,
        "staff_id": e.staff_id,
        "day": e.day,
        "kind": str(e.kind),
    }
    return [Change(EMPLOYER_CONTACTS, (e.contact_id,), values)]


def _job_started(env: Envelope[Any], e: JobStarted) -> list[Change]:
    values = {**_course(e), "kind": str(e.kind), "start_date": e.start_date}
    return [Change(JOB_SPELLS, (e.spell_id,), values)]


def _job_ended(env: Envelope[Any], e: JobEnded) -> list[Change]:
    # The end carries the start too: a spell whose start event is late is whole all the same.
    values = {
        **_course(e),
        "kind": str(e.kind),
        "start_date": e.start_date,
        "end_date": e.end_date,
        "end_reason": str(e.reason),
    }
    return [Change(JOB_SPELLS, (e.spell_id,), values)]


def _phase_changed(env: Envelope[Any], e: PhaseChanged) -> list[Change]:
    values = {**_course(e), "previous_phase": str(e.previous_phase), "since": e.since}
    return [Change(SUPPORT_PHASES, (e.referral_id, e.changed_at, str(e.phase)), values)]


def _clarification(env: Envelope[Any], e: ClarificationResult) -> list[Change]:
    values = {
        **_course(e),
        "recommendation": str(e.recommendation),
        "day": e.day,
        "meetings_held": e.meetings_held,
        "work_trials": e.work_trials,
        "specialist_assessments": e.specialist_assessments,
    }
    guard = guard_of(e.recorded_at, env.sequence)
    return [Change(CLARIFICATIONS, (e.referral_id,), values, "result_guard", guard)]


def _referred_on(env: Envelope[Any], e: CourseReferredOn) -> list[Change]:
    values = {
        **_course(e),
        "next_referral_id": e.next_referral_id,
        "next_programme_code": e.next_programme_code,
        "next_provider_org": e.next_provider_org,
        "relation": str(e.relation),
        "planned_start": e.planned_start,
        "previous_planned_end": e.previous_planned_end,
        "referred_at": e.referred_at,
    }
    # A referral on as the provider proposed also decides its proposal (the same handover).
    return [Change(HANDOVERS, (e.handover_id,), values), *proposal_referred_on(e)]


EmploymentProjector = Callable[[Envelope[Any], Any], list[Change]]

EMPLOYMENT_PROJECTORS: dict[type[EventData], EmploymentProjector] = {
    EmployerContacted: _contacted,
    JobStarted: _job_started,
    JobEnded: _job_ended,
    PhaseChanged: _phase_changed,
    ClarificationResult: _clarification,
    CourseReferredOn: _referred_on,
}

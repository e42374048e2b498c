"""How the programme shapes' events change the read model: meetings, outreach cases, visits.

Pure, like :mod:`forlob_reporting.domain.projection` (whose ``PROJECTORS`` take these in): every
change is either set-once, guarded, or keeps the earliest value, so the facts are the same in
any order of events and with duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from forlob_reporting.domain.facts import (
    MEETING_REMINDERS,
    MEETINGS,
    OUTREACH_ATTEMPTS,
    OUTREACH_CASES,
    OUTREACH_PHASES,
    OUTREACH_REMINDERS,
    VISITS,
)
from forlob_reporting.domain.merge import Change, guard_of
from forlob_shared.events import Envelope, EventData
from forlob_shared.events.attendance import AbsenceDetected
from forlob_shared.events.meetings import MeetingCadenceOverdue, MeetingCancelled, MeetingHeld, MeetingPlanned
from forlob_shared.events.outreach import (
    OutreachCaseIdentified,
    OutreachCaseOpened,
    OutreachCloseReason,
    OutreachConsentRecorded,
    OutreachContactAttempted,
    OutreachContactOverdue,
    OutreachPhase,
    OutreachPhaseChanged,
)
from forlob_shared.events.referral import ReferralReceived
from forlob_shared.events.visits import VisitEnded, VisitOverdue, VisitStarted


def _course(e: Any) -> dict[str, Any]:
    return {
        "referral_id": e.referral_id,
        "programme_code": e.programme_code,
        "referring_org": e.referring_org,
        "provider_org": e.provider_org,
    }


def _meeting_planned(env: Envelope[Any], e: MeetingPlanned) -> list[Change]:
    # A meeting moved is planned again under its id: the latest plan wins.
    return [
        Change(MEETINGS, (e.meeting_id,), _course(e)),
        Change(
            MEETINGS, (e.meeting_id,), {"starts_at": e.starts_at}, "plan_guard", guard_of(e.planned_at, env.sequence)
        ),
    ]


def _meeting_held(env: Envelope[Any], e: MeetingHeld) -> list[Change]:
    values = {**_course(e), "held_on": e.day, "held_at": e.held_at}
    return [Change(MEETINGS, (e.meeting_id,), values, earliest=("held_at",))]


def _meeting_cancelled(env: Envelope[Any], e: MeetingCancelled) -> list[Change]:
    values = {**_course(e), "cancelled_at": e.cancelled_at, "cancelled_by": e.cancelled_by}
    return [Change(MEETINGS, (e.meeting_id,), values)]


def _absence_detected(env: Envelope[Any], e: AbsenceDetected) -> list[Change]:
    # An agreed window missed is counted by attendance's week summaries; only a meeting is ours.
    if e.meeting_id is None:
        return []
    return [Change(MEETINGS, (e.meeting_id,), {**_course(e), "missed_on": e.day})]


def _cadence_overdue(env: Envelope[Any], e: MeetingCadenceOverdue) -> list[Change]:
    values = {k: v for k, v in _course(e).items() if k != "referral_id"}
    return [Change(MEETING_REMINDERS, (e.referral_id, e.due_by), {**values, "detected_at": e.detected_at})]


def _case(e: Any) -> dict[str, Any]:
    return {"provider_org": e.provider_org, "programme_code": e.programme_code}


def _case_opened(env: Envelope[Any], e: OutreachCaseOpened) -> list[Change]:
    return [Change(OUTREACH_CASES, (e.case_id,), {**_case(e), "opened_at": e.opened_at})]


def _contact_attempted(env: Envelope[Any], e: OutreachContactAttempted) -> list[Change]:
    values = {**_case(e), "case_id": e.case_id, "attempted_at": e.attempted_at, "outcome": str(e.outcome)}
    return [Change(OUTREACH_ATTEMPTS, (e.attempt_id,), values), Change(OUTREACH_CASES, (e.case_id,), _case(e))]


def _phase_changed(env: Envelope[Any], e: OutreachPhaseChanged) -> list[Change]:
    values = {
        **_case(e),
        "previous_phase": str(e.previous_phase),
        "close_reason": str(e.close_reason) if e.close_reason is not None else None,
    }
    changes = [
        Change(OUTREACH_PHASES, (e.case_id, e.changed_at, str(e.phase)), values),
        Change(OUTREACH_CASES, (e.case_id,), _case(e)),
    ]
    if e.phase == OutreachPhase.CLOSED and e.close_reason == OutreachCloseReason.HANDED_OVER:
        changes.append(
            Change(OUTREACH_CASES, (e.case_id,), {"handed_over_at": e.changed_at}, earliest=("handed_over_at",))
        )
    return changes


def _consent_recorded(env: Envelope[Any], e: OutreachConsentRecorded) -> list[Change]:
    values = {**_case(e), "consent_recorded_at": e.recorded_at}
    return [Change(OUTREACH_CASES, (e.case_id,), values, earliest=("consent_recorded_at",))]


def _case_identified(env: Envelope[Any], e: OutreachCaseIdentified) -> list[Change]:
    # The participant id is not kept: no figure needs it, and the case stays pseudonymous here.
    values = {**_case(e), "identified_at": e.identified_at}
    return [Change(OUTREACH_CASES, (e.case_id,), values, earliest=("identified_at",))]


def _contact_overdue(env: Envelope[Any], e: OutreachContactOverdue) -> list[Change]:
    values = {**_case(e), "detected_at": e.detected_at}
    return [Change(OUTREACH_REMINDERS, (e.case_id, e.due_by), values), Change(OUTREACH_CASES, (e.case_id,), _case(e))]


def referral_from_outreach(env: Envelope[Any], e: ReferralReceived) -> list[Change]:
    """A handover to another programme is a referral naming the case: the case is handed over
    when it arrives (the referral's own facts are :mod:`projection`'s)."""
    if e.outreach_case_id is None:
        return []
    values = {"handed_over_at": e.received_at}
    return [Change(OUTREACH_CASES, (e.outreach_case_id,), values, earliest=("handed_over_at",))]


def _visit_started(env: Envelope[Any], e: VisitStarted) -> list[Change]:
    values = {
        "provider_org": e.provider_org,
        "kind": str(e.kind),
        "with_colleague": e.colleague_id is not None,
        "started_at": e.started_at,
        "planned_end": e.planned_end,
    }
    return [Change(VISITS, (e.visit_id,), values)]


def _visit_ended(env: Envelope[Any], e: VisitEnded) -> list[Change]:
    changes = [Change(VISITS, (e.visit_id,), {"provider_org": e.provider_org, "ended_at": e.ended_at})]
    if e.was_overdue:
        # Overdue by the visit's own account, should the overdue event itself be missing.
        changes.append(Change(VISITS, (e.visit_id,), {"overdue_at": e.ended_at}, earliest=("overdue_at",)))
    return changes


def _visit_overdue(env: Envelope[Any], e: VisitOverdue) -> list[Change]:
    values = {"provider_org": e.provider_org, "overdue_at": e.detected_at}
    return [Change(VISITS, (e.visit_id,), values, earliest=("overdue_at",))]


ShapeProjector = Callable[[Envelope[Any], Any], list[Change]]

SHAPE_PROJECTORS: dict[type[EventData], ShapeProjector] = {
    MeetingPlanned: _meeting_planned,
    MeetingHeld: _meeting_held,
    MeetingCancelled: _meeting_cancelled,
    AbsenceDetected: _absence_detected,
    MeetingCadenceOverdue: _cadence_overdue,
    OutreachCaseOpened: _case_opened,
    OutreachContactAttempted: _contact_attempted,
    OutreachPhaseChanged: _phase_changed,
    OutreachConsentRecorded: _consent_recorded,
    OutreachCaseIdentified: _case_identified,
    OutreachContactOverdue: _contact_overdue,
    VisitStarted: _visit_started,
    VisitEnded: _visit_ended,
    VisitOverdue: _visit_overdue,
}

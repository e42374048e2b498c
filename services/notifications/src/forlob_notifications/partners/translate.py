"""Internal events → partner events: the fields the referring organisation is entitled to, and
nothing else (no staff ids, no rules, no opening hours, no employer, no disclosure to it, no
reason a job ended). Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from forlob_shared import events as internal
from forlob_shared import partner
from forlob_shared.events.common import TimeWindow


def _about(event: Any) -> dict[str, Any]:
    """The ids and codes every partner event names."""
    return {
        "referral_id": event.referral_id,
        "participant_id": event.participant_id,
        "programme_code": event.programme_code,
        "referring_org": event.referring_org,
        "provider_org": event.provider_org,
    }


def agreed_schedule(windows: list[TimeWindow]) -> list[partner.AgreedWindow]:
    return [partner.AgreedWindow(weekday=w.weekday, start=w.start, end=w.end) for w in windows]


def weekly_minutes(windows: list[TimeWindow]) -> int:
    return sum(
        (datetime.combine(datetime.min, w.end) - datetime.combine(datetime.min, w.start)).seconds // 60 for w in windows
    )


def milestones(event: internal.EventData) -> list[partner.PartnerEvent]:
    """The partner events one internal milestone of a referral becomes (none for any other)."""
    match event:
        case internal.ReferralReceived():
            return [
                partner.ReferralReceived(
                    **_about(event),
                    received_at=event.received_at,
                    wished_start=event.wished_start,
                    wished_weekly_hours=event.wished_weekly_hours,
                    legal_basis=event.legal_basis,
                )
            ]
        case internal.ReferralAccepted():
            return [
                partner.ReferralAccepted(
                    **_about(event),
                    intake_date=event.intake_date,
                    decided_at=event.decided_at,
                    from_waiting_list=event.from_waiting_list,
                )
            ]
        case internal.ReferralWaitlisted():
            return [
                partner.ReferralWaitlisted(
                    **_about(event),
                    position=event.position,
                    estimated_start=event.estimated_start,
                    decided_at=event.decided_at,
                )
            ]
        case internal.SeatOffered():
            return [partner.SeatOffered(**_about(event), intake_date=event.intake_date, offered_at=event.offered_at)]
        case internal.ReferralRejected():
            return [
                partner.ReferralRejected(**_about(event), reason_code=event.reason_code, decided_at=event.decided_at)
            ]
        case internal.ReferralWithdrawn():
            return [
                partner.ReferralWithdrawn(
                    **_about(event),
                    previous_state=event.previous_state,
                    reason_code=event.reason_code,
                    withdrawn_at=event.withdrawn_at,
                )
            ]
        case internal.ProgrammeStarted():
            return [
                partner.CourseStarted(
                    **_about(event),
                    start_date=event.start_date,
                    planned_end_date=event.planned_end_date,
                    agreed_schedule=agreed_schedule(event.schedule),
                    agreed_weekly_minutes=weekly_minutes(event.schedule),
                    timezone=event.timezone,
                    legal_basis=event.legal_basis,
                    started_at=event.started_at,
                )
            ]
        case internal.ProgrammeRescheduled():
            return [
                partner.CourseRescheduled(
                    **_about(event),
                    change="shortened" if event.planned_end_date < event.previous_end_date else "extended",
                    previous_end_date=event.previous_end_date,
                    planned_end_date=event.planned_end_date,
                    changed_at=event.changed_at,
                )
            ]
        case internal.ProgrammeEnded():
            # The closing note is written with the end (referral ends a course with its note).
            return [
                partner.CourseEnded(
                    **_about(event),
                    start_date=event.start_date,
                    end_date=event.end_date,
                    outcome=event.outcome,
                    first_job_date=event.first_job_date,
                    ended_at=event.ended_at,
                ),
                partner.ClosingNoteAvailable(**_about(event), end_date=event.end_date, available_at=event.ended_at),
            ]
    return results(event)


def results(event: internal.EventData) -> list[partner.PartnerEvent]:
    """What a course's results become: work or education started and ended, the support phase,
    a clarification's recommendation, a proposed next step (withdrawn or declined), the next step it was
    referred on to (none for any other event)."""
    match event:
        case internal.JobStarted():
            return [
                partner.JobStarted(
                    **_about(event),
                    spell_id=event.spell_id,
                    kind=event.kind,
                    start_date=event.start_date,
                    weekly_hours=event.weekly_hours,
                    recorded_at=event.recorded_at,
                )
            ]
        case internal.JobEnded():
            return [
                partner.JobEnded(
                    **_about(event),
                    spell_id=event.spell_id,
                    kind=event.kind,
                    start_date=event.start_date,
                    end_date=event.end_date,
                    recorded_at=event.recorded_at,
                )
            ]
        case internal.PhaseChanged():
            return [
                partner.PhaseChanged(
                    **_about(event),
                    phase=event.phase,
                    previous_phase=event.previous_phase,
                    since=event.since,
                    spell_id=event.spell_id,
                    changed_at=event.changed_at,
                )
            ]
        case internal.ClarificationResult():
            return [
                partner.ClarificationResultGiven(
                    **_about(event),
                    recommendation=event.recommendation,
                    resources=event.resources,
                    challenges=event.challenges,
                    meetings_held=event.meetings_held,
                    work_trials=event.work_trials,
                    specialist_assessments=event.specialist_assessments,
                    result_date=event.day,
                    recorded_at=event.recorded_at,
                )
            ]
        case internal.CourseReferredOn():
            return [
                partner.NextStepPlanned(
                    **_about(event),
                    next_referral_id=event.next_referral_id,
                    next_programme_code=event.next_programme_code,
                    next_provider_org=event.next_provider_org,
                    relation=event.relation,
                    planned_start=event.planned_start,
                    previous_planned_end=event.previous_planned_end,
                    referred_at=event.referred_at,
                )
            ]
        case internal.NextStepProposed():
            return [
                partner.NextStepProposed(
                    **_about(event),
                    proposal_id=event.handover_id,
                    next_programme_code=event.next_programme_code,
                    next_provider_org=event.next_provider_org,
                    relation=event.relation,
                    planned_start=event.planned_start,
                    previous_planned_end=event.previous_planned_end,
                    proposed_at=event.proposed_at,
                )
            ]
        case internal.NextStepWithdrawn():
            return [
                partner.NextStepWithdrawn(
                    **_about(event), proposal_id=event.handover_id, withdrawn_at=event.withdrawn_at
                )
            ]
        case internal.NextStepDeclined():
            # the proposal and when; who declined it and the coded reason stay the jobcentre's own
            return [
                partner.NextStepDeclined(**_about(event), proposal_id=event.handover_id, declined_at=event.declined_at)
            ]
    return []


def agreed_hours_changed(
    event: internal.AgreementChanged, previous: list[TimeWindow] | None
) -> partner.AgreedHoursChanged | None:
    """The agreed attendance changed, if it did: a change of contact person alone is the
    provider's business and says nothing to the jobcentre."""
    if previous is not None and _normalised(previous) == _normalised(event.schedule):
        return None
    return partner.AgreedHoursChanged(
        **_about(event),
        effective_from=event.effective_from,
        agreed_schedule=agreed_schedule(event.schedule),
        agreed_weekly_minutes=weekly_minutes(event.schedule),
        previous_weekly_minutes=weekly_minutes(previous) if previous is not None else None,
        changed_at=event.changed_at,
    )


def _normalised(windows: list[TimeWindow]) -> list[tuple[int, str, str]]:
    return sorted((w.weekday, w.start.isoformat(), w.end.isoformat()) for w in windows)

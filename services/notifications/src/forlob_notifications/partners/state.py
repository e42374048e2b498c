"""What a referring organisation knows of one referral: the fold of the partner events it was
sent, in their order. Nothing here comes from elsewhere, so a partner reading the state learns
exactly what the feed told it, and no more.

An unknown event type (a newer version) is skipped, as partners are told to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError

from forlob_shared.events.common import Outcome
from forlob_shared.events.employment import Recommendation, SpellKind, SupportPhase, WorkAbilityArea
from forlob_shared.events.handover import HandoverRelation
from forlob_shared.partner import (
    AbsenceUnexplained,
    AgreedHoursChanged,
    AgreedWindow,
    AgreementBreached,
    ClarificationResultGiven,
    ClosingNoteAvailable,
    ContactReestablished,
    CourseEnded,
    CourseRescheduled,
    CourseStarted,
    JobEnded,
    JobStarted,
    NextStepDeclined,
    NextStepPlanned,
    NextStepProposed,
    NextStepWithdrawn,
    PartnerEvent,
    PhaseChanged,
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWaitlisted,
    ReferralWithdrawn,
    SeatOffered,
    partner_event_class,
    wire_sequence,
)

Status = Literal["received", "accepted", "waitlisted", "seat_offered", "rejected", "withdrawn", "started", "ended"]


class OpenNotice(BaseModel):
    """An absence told as unexplained whose contact has not been told as re-established."""

    absence_id: UUID
    expected_at: datetime
    minutes_missed: int | None
    agreed_minutes: int | None
    reason: str
    notified_at: datetime


class Breach(BaseModel):
    breach_id: UUID
    rule: str
    unexcused_absences: int
    window_first_day: date
    window_last_day: date
    detected_at: datetime


class Spell(BaseModel):
    """Work or education the participant started during the course, as told."""

    spell_id: UUID
    kind: SpellKind
    start_date: date
    weekly_hours: float | None = Field(description="null if its start was never told")
    end_date: date | None = None


class Result(BaseModel):
    """A clarification course's recommendation; the decision is the jobcentre's."""

    recommendation: Recommendation
    resources: list[WorkAbilityArea]
    challenges: list[WorkAbilityArea]
    meetings_held: int
    work_trials: int
    specialist_assessments: int
    result_date: date


class NextStep(BaseModel):
    next_referral_id: UUID
    next_programme_code: str
    next_provider_org: str
    relation: HandoverRelation
    planned_start: date


class OpenProposal(BaseModel):
    """A next step the provider proposed, as told: neither withdrawn, declined nor followed by a
    referral on. No staff, and never why it was declined."""

    proposal_id: UUID
    next_programme_code: str
    next_provider_org: str
    relation: HandoverRelation
    planned_start: date
    proposed_at: datetime


class ReferralState(BaseModel):
    referral_id: UUID
    participant_id: UUID
    programme_code: str
    referring_org: str
    provider_org: str
    status: Status
    legal_basis: str | None = None
    received_at: datetime | None = None
    intake_date: date | None = None
    waiting_list_position: int | None = None
    estimated_start: date | None = None
    reason_code: str | None = Field(default=None, description="why it was rejected or withdrawn")
    start_date: date | None = None
    planned_end_date: date | None = None
    end_date: date | None = None
    agreed_schedule: list[AgreedWindow] = Field(default_factory=list)
    agreed_weekly_minutes: int | None = None
    timezone: str | None = None
    outcome: Outcome | None = None
    first_job_date: date | None = None
    closing_note_available_at: datetime | None = None
    phase: SupportPhase | None = Field(default=None, description="a meetings course's (IPS) phase; null for others")
    phase_since: date | None = None
    spells: list[Spell] = Field(default_factory=list, description="work or education started during the course")
    clarification_result: Result | None = None
    next_step: NextStep | None = Field(default=None, description="the next programme it was referred on to")
    open_proposal: OpenProposal | None = Field(
        default=None,
        description="the provider's proposed next step, until it is withdrawn, declined or the participant is "
        "referred on",
    )
    open_notices: list[OpenNotice] = Field(default_factory=list)
    breaches: list[Breach] = Field(default_factory=list)
    sequence: str = Field(description="the sequence of the last event folded in: the state is as of it")
    updated_at: datetime = Field(description="the time of the last event folded in")


def derive(cloudevents: Iterable[dict[str, Any]]) -> ReferralState | None:
    """The state after these CloudEvents of one referral (in their order); None before any."""
    state: ReferralState | None = None
    for document in cloudevents:
        try:
            data = partner_event_class(document["type"]).model_validate(document["data"])
        except (LookupError, ValidationError):
            continue  # a type or version this release does not know: skipped, as partners do
        state = _apply(state, data, document)
    return state


def _apply(state: ReferralState | None, event: PartnerEvent, document: dict[str, Any]) -> ReferralState:
    if state is None:
        state = ReferralState(
            referral_id=event.referral_id,
            participant_id=event.participant_id,
            programme_code=event.programme_code,
            referring_org=event.referring_org,
            provider_org=event.provider_org,
            status="received",
            sequence=wire_sequence(int(document["sequence"])),
            updated_at=datetime.fromisoformat(document["time"].replace("Z", "+00:00")),
        )
    changes = _changes(state, event)
    changes["programme_code"] = event.programme_code
    changes["sequence"] = wire_sequence(int(document["sequence"]))
    changes["updated_at"] = datetime.fromisoformat(document["time"].replace("Z", "+00:00"))
    return state.model_copy(update=changes)


def _changes(state: ReferralState, event: PartnerEvent) -> dict[str, Any]:
    match event:
        case ReferralReceived():
            return {"status": "received", "received_at": event.received_at, "legal_basis": event.legal_basis}
        case ReferralAccepted():
            return {"status": "accepted", "intake_date": event.intake_date, "waiting_list_position": None}
        case ReferralWaitlisted():
            return {
                "status": "waitlisted",
                "waiting_list_position": event.position,
                "estimated_start": event.estimated_start,
            }
        case SeatOffered():
            return {"status": "seat_offered", "intake_date": event.intake_date}
        case ReferralRejected():
            return {"status": "rejected", "reason_code": event.reason_code}
        case ReferralWithdrawn():
            return {"status": "withdrawn", "reason_code": event.reason_code}
        case CourseStarted():
            return {
                "status": "started",
                "start_date": event.start_date,
                "planned_end_date": event.planned_end_date,
                "agreed_schedule": event.agreed_schedule,
                "agreed_weekly_minutes": event.agreed_weekly_minutes,
                "timezone": event.timezone,
                "legal_basis": event.legal_basis or state.legal_basis,
                "waiting_list_position": None,
            }
        case AgreedHoursChanged():
            return {"agreed_schedule": event.agreed_schedule, "agreed_weekly_minutes": event.agreed_weekly_minutes}
        case CourseRescheduled():
            return {"planned_end_date": event.planned_end_date}
        case CourseEnded():
            return {
                "status": "ended",
                "start_date": event.start_date,
                "end_date": event.end_date,
                "outcome": event.outcome,
                "first_job_date": event.first_job_date,
            }
        case ClosingNoteAvailable():
            return {"closing_note_available_at": event.available_at}
        case JobStarted() | JobEnded():
            return {"spells": _spells(state.spells, event)}
        case PhaseChanged():
            return {"phase": event.phase, "phase_since": event.since}
        case ClarificationResultGiven():
            result = Result(
                recommendation=event.recommendation,
                resources=event.resources,
                challenges=event.challenges,
                meetings_held=event.meetings_held,
                work_trials=event.work_trials,
                specialist_assessments=event.specialist_assessments,
                result_date=event.result_date,
            )
            return {"clarification_result": result}
        case NextStepPlanned():
            step = NextStep(
                next_referral_id=event.next_referral_id,
                next_programme_code=event.next_programme_code,
                next_provider_org=event.next_provider_org,
                relation=event.relation,
                planned_start=event.planned_start,
            )
            return {"next_step": step, "open_proposal": None}
        case NextStepProposed():
            proposal = OpenProposal(
                proposal_id=event.proposal_id,
                next_programme_code=event.next_programme_code,
                next_provider_org=event.next_provider_org,
                relation=event.relation,
                planned_start=event.planned_start,
                proposed_at=event.proposed_at,
            )
            return {"open_proposal": proposal}
        case NextStepWithdrawn() | NextStepDeclined():
            shown = state.open_proposal
            return {"open_proposal": None if shown is None or shown.proposal_id == event.proposal_id else shown}
        case AbsenceUnexplained():
            kept = [n for n in state.open_notices if n.absence_id != event.absence_id]
            notice = OpenNotice(
                absence_id=event.absence_id,
                expected_at=event.expected_at,
                minutes_missed=event.minutes_missed,
                agreed_minutes=event.agreed_minutes,
                reason=event.reason,
                notified_at=event.notified_at,
            )
            return {"open_notices": [*kept, notice]}
        case ContactReestablished():
            return {"open_notices": [n for n in state.open_notices if n.absence_id != event.absence_id]}
        case AgreementBreached():
            breach = Breach(
                breach_id=event.breach_id,
                rule=event.rule,
                unexcused_absences=event.unexcused_absences,
                window_first_day=event.window_first_day,
                window_last_day=event.window_last_day,
                detected_at=event.detected_at,
            )
            return {"breaches": [*(b for b in state.breaches if b.breach_id != event.breach_id), breach]}
    return {}


def _spells(spells: list[Spell], event: JobStarted | JobEnded) -> list[Spell]:
    """The spells with this start or end folded in, in order of their first day."""
    known = {s.spell_id: s for s in spells}
    told = known.get(event.spell_id)
    if isinstance(event, JobStarted):
        spell = Spell(
            spell_id=event.spell_id,
            kind=event.kind,
            start_date=event.start_date,
            weekly_hours=event.weekly_hours,
            end_date=told.end_date if told else None,
        )
    else:
        spell = Spell(
            spell_id=event.spell_id,
            kind=event.kind,
            start_date=event.start_date,
            weekly_hours=told.weekly_hours if told else None,
            end_date=event.end_date,
        )
    known[event.spell_id] = spell
    return sorted(known.values(), key=lambda s: (s.start_date, str(s.spell_id)))

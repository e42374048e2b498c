"""The partner contract's event types, version 1.

Each is about one referral (the CloudEvent's ``subject``) and carries its ids and codes, then
its own facts. What is deliberately absent: provider staff (contact person, team leader, the
caseworker's staff id), names, identity numbers, notes and any free text; the provider's
day-to-day (check-ins, weekly summaries, its own alerts, an absence the minute it is detected).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from forlob_shared.events.common import Outcome
from forlob_shared.events.employment import Recommendation, SpellKind, SupportPhase, WorkAbilityArea
from forlob_shared.events.handover import HandoverRelation
from forlob_shared.partner.base import CatalogueCode, Code, OrgId, PartnerEvent, partner_event


class AgreedWindow(BaseModel):
    """One weekly window the participant is agreed to attend, in the provider's local time."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start: time
    end: time


# -- the referral --------------------------------------------------------------------------------


@partner_event
class ReferralReceived(PartnerEvent):
    name = "referral.received"
    description = "The provider received the referral."

    received_at: datetime
    wished_start: date | None = None
    wished_weekly_hours: float | None = None
    legal_basis: CatalogueCode | None = Field(default=None, description="coded legal basis, e.g. 'LAB-32-1-2'")


@partner_event
class ReferralAccepted(PartnerEvent):
    name = "referral.accepted"
    description = "Intake decision: the provider accepted the referral, with its intake date."

    intake_date: date
    decided_at: datetime
    from_waiting_list: bool = False


@partner_event
class ReferralWaitlisted(PartnerEvent):
    name = "referral.waitlisted"
    description = "Intake decision: the programme is full; the referral waits, with its place and estimated start."

    position: int = Field(ge=1)
    estimated_start: date | None = None
    decided_at: datetime


@partner_event
class SeatOffered(PartnerEvent):
    name = "referral.seat_offered"
    description = "A seat freed up and was offered to the wait-listed referral, with its intake date."

    intake_date: date
    offered_at: datetime


@partner_event
class ReferralRejected(PartnerEvent):
    name = "referral.rejected"
    description = "Intake decision: the provider rejected the referral, with a coded reason."

    reason_code: Code = Field(description="not_target_group | no_capacity_long_term | duplicate | other")
    decided_at: datetime


@partner_event
class ReferralWithdrawn(PartnerEvent):
    name = "referral.withdrawn"
    description = "The referral was withdrawn before its course started."

    previous_state: Code
    reason_code: Code
    withdrawn_at: datetime


# -- the course ----------------------------------------------------------------------------------


@partner_event
class CourseStarted(PartnerEvent):
    name = "programme.started"
    description = "The course started, with its planned end and the agreed weekly attendance."

    start_date: date
    planned_end_date: date
    agreed_schedule: list[AgreedWindow]
    agreed_weekly_minutes: int = Field(ge=0)
    timezone: str = Field(description="the IANA zone of the agreed windows, e.g. 'Europe/Copenhagen'")
    legal_basis: CatalogueCode | None = None
    started_at: datetime


@partner_event
class AgreedHoursChanged(PartnerEvent):
    name = "programme.agreed_hours_changed"
    description = "The agreed weekly attendance changed (hours or times), from a given day."

    effective_from: date
    agreed_schedule: list[AgreedWindow]
    agreed_weekly_minutes: int = Field(ge=0)
    previous_weekly_minutes: int | None = Field(default=None, ge=0)
    changed_at: datetime


@partner_event
class CourseRescheduled(PartnerEvent):
    name = "programme.rescheduled"
    description = "The course was extended or shortened by agreement."

    change: Literal["extended", "shortened"]
    previous_end_date: date
    planned_end_date: date
    changed_at: datetime


@partner_event
class CourseEnded(PartnerEvent):
    name = "programme.ended"
    description = "The course ended, with its outcome and, where there is one, the first day in work or education."

    start_date: date
    end_date: date
    outcome: Outcome
    first_job_date: date | None = None
    ended_at: datetime


@partner_event
class ClosingNoteAvailable(PartnerEvent):
    name = "closing_note.available"
    description = (
        "The closing note of the ended course is ready; the caseworker reads it in the referral service "
        "(GET /referrals/{referral_id}/closing-note)."
    )

    end_date: date
    available_at: datetime


# -- results: work or education, the support phase, a clarification's recommendation -------------
#
# A job's employer (its register id included), the participant's choice to tell the employer of
# their situation, why a job ended and who at the provider recorded it are the provider's support
# work with the participant, not the jobcentre's case: the contract says that work or education
# started or ended, of which kind, from when and for how many hours.


@partner_event
class JobStarted(PartnerEvent):
    name = "employment.job_started"
    description = (
        "The participant started work or education during the course (a spell), with its kind, first day and "
        "weekly hours. The employer and the participant's disclosure to it stay with the provider."
    )

    spell_id: UUID = Field(description="the spell; its end names it again")
    kind: SpellKind
    start_date: date
    weekly_hours: float = Field(gt=0, le=60)
    recorded_at: datetime


@partner_event
class JobEnded(PartnerEvent):
    name = "employment.job_ended"
    description = (
        "A spell of work or education that started during the course ended (its last day). Why it ended is "
        "between the participant and the provider's support."
    )

    spell_id: UUID = Field(description="the spell employment.job_started told of")
    kind: SpellKind
    start_date: date
    end_date: date = Field(description="the last day of the spell")
    recorded_at: datetime


@partner_event
class PhaseChanged(PartnerEvent):
    name = "programme.phase_changed"
    description = (
        "A meetings-shaped course (IPS) moved between search and support in work or education. The course "
        "goes on in support for as long as needed; programme.ended says when it ends."
    )

    phase: SupportPhase
    previous_phase: SupportPhase
    since: date = Field(description="the first day in the new phase")
    spell_id: UUID | None = Field(default=None, description="the spell whose start or end moved the phase")
    changed_at: datetime


@partner_event
class ClarificationResultGiven(PartnerEvent):
    name = "programme.clarification_result"
    description = (
        "A clarification course's result: the provider's recommendation, the participant's resources and "
        "challenges by area of the resource profile (coded; never a diagnosis) and the evidence behind it. "
        "The jobcentre keeps the decision."
    )

    recommendation: Recommendation
    resources: list[WorkAbilityArea] = Field(description="areas of the resource profile that are resources")
    challenges: list[WorkAbilityArea] = Field(description="areas of the resource profile that are challenges")
    meetings_held: int = Field(ge=0)
    work_trials: int = Field(ge=0)
    specialist_assessments: int = Field(ge=0, description="specialist assessments attached to the result")
    result_date: date = Field(description="the day the result was given")
    recorded_at: datetime


@partner_event
class NextStepPlanned(PartnerEvent):
    name = "programme.next_step_planned"
    description = (
        "The participant was referred on from this course to a next programme (the next referral, which the "
        "referring organisation hears of as any referral): overlapping this course or following it, from its "
        "planned start. The handover's coded facts stay between the providers; the jobcentre made the decision."
    )

    next_referral_id: UUID = Field(description="the next referral; its own events name it as their subject")
    next_programme_code: CatalogueCode
    next_provider_org: OrgId
    relation: HandoverRelation = Field(description="overlap: starts before this course ends; sequence: after it")
    planned_start: date = Field(description="the next step's planned first day")
    previous_planned_end: date = Field(description="this course's planned last day when it was referred on")
    referred_at: datetime


@partner_event
class NextStepProposed(PartnerEvent):
    name = "programme.next_step_proposed"
    description = (
        "The provider proposes a next step for this running course: a next programme, overlapping this course "
        "or following it, from a planned start. The jobcentre decides: it refers on (programme.next_step_planned "
        "follows) or declines (programme.next_step_declined); the provider may withdraw it "
        "(programme.next_step_withdrawn). No staff, no words."
    )

    proposal_id: UUID = Field(description="the proposal; its withdrawal or decline names it")
    next_programme_code: CatalogueCode
    next_provider_org: OrgId
    relation: HandoverRelation = Field(description="overlap: starts before this course ends; sequence: after it")
    planned_start: date = Field(description="the proposed first day of the next step")
    previous_planned_end: date = Field(description="this course's planned last day when it was proposed")
    proposed_at: datetime


@partner_event
class NextStepWithdrawn(PartnerEvent):
    name = "programme.next_step_withdrawn"
    description = (
        "The provider withdrew a next step it had proposed (programme.next_step_proposed) before the jobcentre "
        "decided; nothing is left to decide on it."
    )

    proposal_id: UUID = Field(description="the proposal withdrawn")
    withdrawn_at: datetime


@partner_event
class NextStepDeclined(PartnerEvent):
    name = "programme.next_step_declined"
    description = (
        "The referring organisation's caseworker declined, in Forløb, a next step the provider had proposed "
        "(programme.next_step_proposed); nothing is left to decide on it. Not who, and not why: the reason "
        "is the jobcentre's own."
    )

    proposal_id: UUID = Field(description="the proposal declined")
    declined_at: datetime


# -- the notices the legal basis requires ----------------------------------------------------------


@partner_event
class AbsenceUnexplained(PartnerEvent):
    name = "absence.unexplained"
    description = (
        "Notice: an absence was still unexplained at the notification policy's deadline for the referral's "
        "legal basis. Facts as known when the notice was sent; deciding consequences is the jobcentre's."
    )

    absence_id: UUID
    expected_at: datetime = Field(description="the agreed arrival that was missed")
    minutes_missed: int | None = Field(
        default=None,
        ge=0,
        description="minutes of the agreed window missed (to the arrival, the window's end or the notice); "
        "null when the window's end is not known",
    )
    agreed_minutes: int | None = Field(default=None, ge=0, description="the length of the agreed window")
    contact_attempts: int = Field(ge=0)
    reason: Code = Field(description="'unexplained', or the coded reason given after the deadline (illness, ...)")
    reason_given_at: datetime | None = None
    arrived_at: datetime | None = None
    legal_basis: CatalogueCode | None = None
    deadline_at: datetime | None = Field(default=None, description="the policy's deadline for this notice")
    notified_at: datetime


@partner_event
class AgreementBreached(PartnerEvent):
    name = "attendance.agreement_breached"
    description = "Notice: the attendance agreement was not kept (a programme rule was met)."

    breach_id: UUID
    rule: Code = Field(description="unexcused_in_window | consecutive_days")
    unexcused_absences: int = Field(ge=0)
    window_first_day: date
    window_last_day: date
    detected_at: datetime


@partner_event
class ContactReestablished(PartnerEvent):
    name = "absence.contact_reestablished"
    description = (
        "Notice: after an absence was told as unexplained, contact with the participant was re-established "
        "(an arrival, a reason given or a contact reached)."
    )

    absence_id: UUID
    how: Code = Field(description="late_arrival | reported | reached | reason_given | contact_reestablished")
    reason: Code | None = Field(default=None, description="the coded reason, if one was given")
    reestablished_at: datetime

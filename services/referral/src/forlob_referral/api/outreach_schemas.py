"""Request and response bodies of the outreach cases' API."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from forlob_referral.api.schemas import CODE, STAFF
from forlob_referral.application.outreach import CaseView
from forlob_referral.domain.outreach import ContactAttempt, OutreachCase, PhaseChange
from forlob_referral.domain.participant import IdentityScheme
from forlob_referral.domain.records import Goal
from forlob_shared.events.outreach import (
    ConsentMethod,
    ContactChannel,
    ContactOutcome,
    ContactPlace,
    OutreachCloseReason,
    OutreachPhase,
)
from forlob_shared.http.inputs import AwareMoment, Day


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactPlanIn(_In):
    """The next attempt: within N days, or by a date (one of them, or neither for no plan)."""

    next_within_days: int | None = Field(default=None, ge=1, le=92, examples=[7])
    next_attempt_by: Day | None = None


class CaseIn(ContactPlanIn):
    programme_code: str = Field(pattern=CODE, examples=["OPS-AAL"], description="an outreach programme of yours")
    working_name: str = Field(min_length=1, max_length=200, examples=["The man at the station kiosk"])
    description: str = Field(default="", max_length=4000, description="free text; never leaves this service")
    staff_id: str | None = Field(default=None, pattern=STAFF, description="responsible team member; default: you")


class AttemptIn(ContactPlanIn):
    place: ContactPlace
    channel: ContactChannel
    outcome: ContactOutcome
    attempted_at: AwareMoment | None = Field(default=None, description="default: now")
    note: str | None = Field(default=None, max_length=4000, description="free text; never leaves this service")


class PhaseIn(_In):
    phase: OutreachPhase
    close_reason: OutreachCloseReason | None = Field(default=None, description="required when phase is closed")
    helped_on_to: str | None = Field(
        default=None, max_length=1000, description="who the person was helped on to (required for not_in_target_group)"
    )


class ConsentIn(_In):
    method: ConsentMethod
    given_at: AwareMoment


class IdentifyIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Jens Hansen"])
    identity_number: str = Field(min_length=1, max_length=20, examples=["2110625629"])
    identity_scheme: IdentityScheme = IdentityScheme.DK_CPR


class HandoverIn(_In):
    programme_code: str = Field(pattern=CODE, examples=["IPS-AAL"])
    provider_org: str = Field(pattern=CODE, examples=["ips-aalborg"])
    goals: list[Goal] = Field(default_factory=list, max_length=20)
    wished_start: Day | None = None
    wished_weekly_hours: float | None = Field(default=None, gt=0, le=60)
    legal_basis: str | None = Field(default=None, pattern=CODE)
    legal_context: str | None = Field(default=None, pattern=CODE)


class AttemptOut(BaseModel):
    id: UUID
    place: ContactPlace
    channel: ContactChannel
    outcome: ContactOutcome
    staff_id: str
    attempted_at: datetime
    next_attempt_by: date | None
    note: str | None

    @classmethod
    def of(cls, a: ContactAttempt) -> AttemptOut:
        return cls(
            id=a.id,
            place=a.place,
            channel=a.channel,
            outcome=a.outcome,
            staff_id=a.staff_id,
            attempted_at=a.attempted_at,
            next_attempt_by=a.next_attempt_by,
            note=a.note,
        )


class PhaseChangeOut(BaseModel):
    previous: OutreachPhase
    phase: OutreachPhase
    changed_by: str
    changed_at: datetime
    close_reason: OutreachCloseReason | None

    @classmethod
    def of(cls, p: PhaseChange) -> PhaseChangeOut:
        return cls(
            previous=p.previous,
            phase=p.phase,
            changed_by=p.changed_by,
            changed_at=p.changed_at,
            close_reason=p.close_reason,
        )


class ConsentOut(BaseModel):
    method: ConsentMethod
    given_at: datetime
    recorded_by: str
    recorded_at: datetime


class CaseSummaryOut(BaseModel):
    """A case in the caseload: no description, no identity."""

    id: UUID
    programme_code: str
    working_name: str | None = Field(description="null once erased after the retention period")
    staff_id: str
    phase: OutreachPhase
    opened_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    next_attempt_by: date | None
    overdue: bool
    consent: bool
    identified: bool

    @classmethod
    def of(cls, view: CaseView) -> CaseSummaryOut:
        c = view.case
        return cls(**_summary(c), overdue=view.overdue)


def _summary(c: OutreachCase) -> dict[str, object]:
    return {
        "id": c.id,
        "programme_code": c.programme_code,
        "working_name": c.working_name,
        "staff_id": c.staff_id,
        "phase": c.phase,
        "opened_at": c.opened_at,
        "attempts": c.attempts,
        "last_attempt_at": c.last_attempt_at,
        "next_attempt_by": c.next_attempt_by,
        "consent": c.consent is not None,
        "identified": c.participant_id is not None,
    }


class CaseOut(CaseSummaryOut):
    provider_org: str
    description: str | None
    opened_by: str
    first_contact_at: datetime | None
    consent_record: ConsentOut | None
    participant_id: UUID | None = Field(description="pseudonymous, after identification")
    participant_name: str | None = Field(description="after identification; never the identity number")
    close_reason: OutreachCloseReason | None
    helped_on_to: str | None
    closed_at: datetime | None
    handover_referral_ids: list[UUID]
    phases: list[PhaseChangeOut]
    attempt_log: list[AttemptOut] = Field(description="the contact attempts, oldest first")

    @classmethod
    def of(cls, view: CaseView) -> CaseOut:
        c = view.case
        consent = c.consent
        return cls(
            **_summary(c),
            overdue=view.overdue,
            provider_org=c.provider_org,
            description=c.description,
            opened_by=c.opened_by,
            first_contact_at=c.first_contact_at,
            consent_record=ConsentOut(
                method=consent.method,
                given_at=consent.given_at,
                recorded_by=consent.recorded_by,
                recorded_at=consent.recorded_at,
            )
            if consent
            else None,
            participant_id=c.participant_id,
            participant_name=c.participant.name if c.participant else None,
            close_reason=c.close_reason,
            helped_on_to=c.helped_on_to,
            closed_at=c.closed_at,
            handover_referral_ids=list(c.handover_referral_ids),
            phases=[PhaseChangeOut.of(p) for p in c.phases],
            attempt_log=[AttemptOut.of(a) for a in view.attempts],
        )

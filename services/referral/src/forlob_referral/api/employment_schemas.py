"""Request and response bodies of the employer register, job development, spells and clarification results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from forlob_referral.application.caseload import CaseloadRow
from forlob_referral.application.employment import EmploymentView
from forlob_referral.domain.clarification import Clarification
from forlob_referral.domain.employment import Employer, EmployerContact, Spell
from forlob_shared.events.employment import (
    Disclosure,
    EmployerContactKind,
    EmployerSector,
    Recommendation,
    SpellEndReason,
    SpellKind,
    SupportPhase,
    WorkAbilityArea,
)
from forlob_shared.http.inputs import Day

StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._@-]{1,64}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmployerContactPersonIn(_In):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{6,20}$")


class EmployerIn(_In):
    country: str = Field(pattern=r"^[A-Z]{2}$", examples=["DK"])
    number: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="CVR (DK) or organisation number (SE); leave it out for a Swedish sole trader (enskild "
        "firma), whose number is the owner's personnummer and is refused",
        examples=["13585628"],
    )
    name: str = Field(min_length=1, max_length=200, examples=["Bageriet Ved Åen ApS"])
    sector: EmployerSector
    industry_code: str | None = Field(default=None, max_length=8, description="DB07 / SNI 2007", examples=["10.71"])
    contact: EmployerContactPersonIn = Field(default_factory=EmployerContactPersonIn)


class EmployerOut(BaseModel):
    id: UUID
    country: str
    number: str | None
    name: str
    sector: EmployerSector
    industry_code: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    registered_at: datetime

    @classmethod
    def of(cls, e: Employer) -> EmployerOut:
        return cls(
            id=e.id,
            country=e.country,
            number=e.number,
            name=e.name,
            sector=e.sector,
            industry_code=e.industry_code,
            contact_name=e.contact.name,
            contact_email=e.contact.email,
            contact_phone=e.contact.phone,
            registered_at=e.registered_at,
        )


class EmployerContactIn(_In):
    employer_id: UUID
    day: Day
    kind: EmployerContactKind
    referral_id: UUID | None = Field(default=None, description="the course it was for; none: general job development")
    staff_id: StaffId | None = Field(default=None, description="the consultant who made it; by default the caller")
    participant_consented: bool | None = Field(
        default=None,
        description="the participant agreed to this contact: required with the employer they work for (support)",
    )


class EmployerContactOut(BaseModel):
    id: UUID
    employer_id: UUID
    staff_id: str
    day: date
    kind: EmployerContactKind
    referral_id: UUID | None
    with_consent: bool | None = Field(description="true: about the participant, with their employer, as they agreed")
    recorded_at: datetime

    @classmethod
    def of(cls, c: EmployerContact) -> EmployerContactOut:
        return cls(
            id=c.id,
            employer_id=c.employer_id,
            staff_id=c.staff_id,
            day=c.day,
            kind=c.kind,
            referral_id=c.referral_id,
            with_consent=c.with_consent,
            recorded_at=c.recorded_at,
        )


class EmployerWithContactsOut(EmployerOut):
    contacts: list[EmployerContactOut]


class SpellIn(_In):
    employer_id: UUID | None = Field(default=None, description="required for a job; education may go without")
    kind: SpellKind
    start_date: Day
    weekly_hours: float = Field(gt=0, le=60)
    disclosure: Disclosure = Field(description="the participant's choice to tell the employer; never what")


class SpellEndIn(_In):
    end_date: Day = Field(description="the spell's last day")
    reason: SpellEndReason


class SpellOut(BaseModel):
    id: UUID
    employer_id: UUID | None
    kind: SpellKind
    start_date: date
    weekly_hours: float
    disclosure: Disclosure | None
    end_date: date | None
    end_reason: SpellEndReason | None

    @classmethod
    def of(cls, s: Spell) -> SpellOut:
        return cls(
            id=s.id,
            employer_id=s.employer_id,
            kind=s.kind,
            start_date=s.start_date,
            weekly_hours=s.weekly_hours,
            disclosure=s.disclosure,
            end_date=s.end_date,
            end_reason=s.end_reason,
        )


class ClarificationIn(_In):
    recommendation: Recommendation
    resources: list[WorkAbilityArea] = Field(max_length=len(WorkAbilityArea))
    challenges: list[WorkAbilityArea] = Field(max_length=len(WorkAbilityArea))
    meetings_held: int = Field(ge=0, le=1000)
    work_trials: int = Field(ge=0, le=100)
    specialist_assessments: int = Field(ge=0, le=100)
    day: Day


class ClarificationOut(BaseModel):
    referral_id: UUID
    recommendation: Recommendation
    resources: list[WorkAbilityArea]
    challenges: list[WorkAbilityArea]
    meetings_held: int
    work_trials: int
    specialist_assessments: int
    day: date

    @classmethod
    def of(cls, r: Clarification) -> ClarificationOut:
        return cls(
            referral_id=r.referral_id,
            recommendation=r.recommendation,
            resources=list(r.resources),
            challenges=list(r.challenges),
            meetings_held=r.meetings_held,
            work_trials=r.work_trials,
            specialist_assessments=r.specialist_assessments,
            day=r.day,
        )


class EmploymentOut(BaseModel):
    referral_id: UUID
    state: str
    phase: SupportPhase | None = Field(description="meetings-shaped courses: search or employed_with_support")
    phase_since: date | None
    spells: list[SpellOut]
    clarification_result: ClarificationOut | None

    @classmethod
    def of(cls, v: EmploymentView) -> EmploymentOut:
        return cls(
            referral_id=v.referral.id,
            state=v.referral.state.value,
            phase=v.phase,
            phase_since=v.phase_since,
            spells=[SpellOut.of(s) for s in v.spells],
            clarification_result=ClarificationOut.of(v.result) if v.result else None,
        )


class CaseloadRowOut(BaseModel):
    """One running course of the caseload: who, whose, and its work; the name only on this
    provider's own read, null once erased after the retention period."""

    referral_id: UUID
    programme_code: str
    contact_person_id: str | None
    start_date: date | None
    participant_name: str | None
    employment: EmploymentOut
    latest_contact: EmployerContactOut | None

    @classmethod
    def of(cls, row: CaseloadRow) -> CaseloadRowOut:
        r = row.work.referral
        return cls(
            referral_id=r.id,
            programme_code=r.programme_code,
            contact_person_id=r.contact_person_id,
            start_date=r.start_date,
            participant_name=row.personal.participant.name if row.personal else None,
            employment=EmploymentOut.of(row.work),
            latest_contact=EmployerContactOut.of(row.latest_contact) if row.latest_contact else None,
        )

"""Events about work and the way into it: employers, job development, jobs and education, the support
phase after a job starts, and a clarification course's result.

Ids and codes only. An employer's name and contact are organisation data that stay in the referral
service with the rest of its register; a participant's disclosure to an employer is recorded as their
choice (yes, no, partly), never what was disclosed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from forlob_shared.events.base import EventData, register
from forlob_shared.events.programme import _CourseEvent


class EmployerSector(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"
    VOLUNTARY = "voluntary"  # associations, foundations, social enterprises


class EmployerContactKind(StrEnum):
    """A step of job development (IPS): the consultant's contact with an employer."""

    FIRST_CONTACT = "first_contact"
    FOLLOW_UP = "follow_up"
    JOB_OPENING_FOUND = "job_opening_found"
    APPLICATION = "application"
    INTERVIEW = "interview"


class SpellKind(StrEnum):
    """What a participant started: work of some kind, or education (IPS counts both)."""

    ORDINARY = "ordinary"
    FLEX_JOB = "flex_job"
    SUBSIDISED = "subsidised"
    EDUCATION = "education"


class SpellEndReason(StrEnum):
    FIXED_TERM_ENDED = "fixed_term_ended"
    RESIGNED = "resigned"
    DISMISSED = "dismissed"
    NEW_JOB = "new_job"  # left for another job or education (recorded as its own spell)
    EDUCATION_COMPLETED = "education_completed"
    EDUCATION_LEFT = "education_left"
    OTHER = "other"


class Disclosure(StrEnum):
    """Whether the participant chose to tell the employer about their situation. Never what."""

    YES = "yes"
    NO = "no"
    PARTLY = "partly"


class SupportPhase(StrEnum):
    """Where a meetings-shaped course (IPS) stands: looking for work or education, or in it with
    follow-along support. The course continues in support for as long as needed; it ends when ended."""

    SEARCH = "search"
    EMPLOYED_WITH_SUPPORT = "employed_with_support"  # in work or education, supported


class Recommendation(StrEnum):
    """A clarification course's recommendation to the jobcentre, which keeps the decision."""

    ORDINARY_WORK_OR_EDUCATION = "ordinary_work_or_education"
    RESOURCE_COURSE = "resource_course"
    FLEX_JOB = "flex_job"
    DISABILITY_PENSION = "disability_pension"
    ANOTHER_PROGRAMME = "another_programme"


class WorkAbilityArea(StrEnum):
    """The areas of a resource profile (the Danish ressourceprofil's elements): a clarification names
    each as a resource or a challenge. The area, never the diagnosis or the story behind it."""

    EDUCATION = "education"
    WORK_EXPERIENCE = "work_experience"
    INTERESTS = "interests"
    SOCIAL_SKILLS = "social_skills"
    ADAPTABILITY = "adaptability"
    LEARNING = "learning"
    WORK_IDENTITY = "work_identity"
    GOALS = "goals"
    HOUSING_AND_FINANCES = "housing_and_finances"
    NETWORK = "network"
    HEALTH = "health"


class _EmployerEvent(EventData):
    # An employer's events in one order: its registration, then the contacts with it.
    aggregate_type = "employer"

    employer_id: UUID
    provider_org: str = Field(description="the provider whose register the employer is in")


@register
class EmployerRegistered(_EmployerEvent):
    routing_key = "employer.registered.v1"
    description = "A provider registered an employer (an organisation, by its CVR or organisation number)."

    country: str = Field(description="DK | SE: the country whose register numbers the employer")
    sector: EmployerSector
    industry_code: str | None = Field(default=None, description="NACE-based industry code (DB07 / SNI 2007)")
    registered_at: datetime


@register
class EmployerContacted(_EmployerEvent):
    routing_key = "employment.employer_contacted.v1"
    description = (
        "The provider's consultant contacted an employer, for a participant (referral_id set) or as general "
        "job development."
    )

    contact_id: UUID
    staff_id: str = Field(description="the consultant who made the contact")
    day: date
    kind: EmployerContactKind
    referral_id: UUID | None = Field(default=None, description="the course the contact was for; none: general")
    participant_id: UUID | None = None
    programme_code: str | None = None
    referring_org: str | None = None
    recorded_at: datetime


@register
class JobStarted(_CourseEvent):
    routing_key = "employment.job_started.v1"
    description = "The participant started work or education (a spell), during the course."

    spell_id: UUID
    employer_id: UUID | None = Field(description="the employer or place of education; none: not registered")
    kind: SpellKind
    start_date: date
    weekly_hours: float = Field(gt=0, le=60)
    disclosure: Disclosure = Field(description="the participant's choice to tell the employer; never what")
    recorded_at: datetime


@register
class JobEnded(_CourseEvent):
    routing_key = "employment.job_ended.v1"
    description = "A spell of work or education ended, with its reason."

    spell_id: UUID
    employer_id: UUID | None = None
    kind: SpellKind
    start_date: date
    end_date: date = Field(description="the last day of the spell")
    reason: SpellEndReason
    recorded_at: datetime


@register
class PhaseChanged(_CourseEvent):
    routing_key = "programme.phase_changed.v1"
    description = (
        "A meetings-shaped course moved between search and support in work or education; the course goes on "
        "until it is ended."
    )

    phase: SupportPhase
    previous_phase: SupportPhase
    since: date
    spell_id: UUID | None = Field(default=None, description="the spell whose start or end moved the phase")
    changed_at: datetime


@register
class ClarificationResult(_CourseEvent):
    routing_key = "programme.clarification_result.v1"
    description = (
        "A clarification course's result for the referring caseworker: a recommendation with the participant's "
        "resources and challenges, coded, and the evidence behind it. The jobcentre keeps the decision."
    )

    recommendation: Recommendation
    resources: list[WorkAbilityArea]
    challenges: list[WorkAbilityArea]
    meetings_held: int = Field(ge=0)
    work_trials: int = Field(ge=0)
    specialist_assessments: int = Field(ge=0, description="assessments by specialists attached to the result")
    day: date = Field(description="the day the result was given")
    staff_id: str = Field(description="the provider's staff member who gave it")
    recorded_at: datetime

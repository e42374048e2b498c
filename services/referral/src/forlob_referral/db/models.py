from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ProgrammeRow(Base):
    __tablename__ = "programmes"

    provider_org: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.Text)
    capacity: Mapped[int]
    intake_weekdays: Mapped[list[int]] = mapped_column(JSONB)
    default_weeks: Mapped[int]
    min_weeks: Mapped[int]
    max_weeks: Mapped[int]
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    country: Mapped[str] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.Text)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB)
    defined_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    shape: Mapped[str] = mapped_column(sa.Text, default="timetabled", server_default="timetabled")


class ReferralRow(Base):
    __tablename__ = "referrals"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    participant_id: Mapped[UUID] = mapped_column(index=True)
    programme_code: Mapped[str] = mapped_column(sa.Text)
    referring_org: Mapped[str] = mapped_column(sa.Text, index=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    caseworker_id: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    wished_start: Mapped[date | None]
    wished_weekly_hours: Mapped[float | None]
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    legal_context: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    intake_date: Mapped[date | None]
    from_waiting_list: Mapped[bool] = mapped_column(default=False)
    waitlist_rank: Mapped[float | None] = mapped_column(sa.Double)
    reason_code: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    start_date: Mapped[date | None]
    planned_end_date: Mapped[date | None]
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    contact_person_id: Mapped[str | None] = mapped_column(sa.Text)
    team_leader_id: Mapped[str | None] = mapped_column(sa.Text)
    end_date: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    first_job_date: Mapped[date | None]
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cadence: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    outreach_case_id: Mapped[UUID | None] = mapped_column(index=True)
    outreach_attempts: Mapped[int | None]
    outreach_first_contact_on: Mapped[date | None]
    outreach_days_in_contact: Mapped[int | None]
    support_phase: Mapped[str | None] = mapped_column(sa.Text)
    support_phase_since: Mapped[date | None]

    __table_args__ = (sa.Index("referrals_programme_state", "provider_org", "programme_code", "state"),)


class PersonalDataRow(Base):
    """Everything personal about a referral's participant; deleted whole at retention."""

    __tablename__ = "referral_personal_data"

    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), primary_key=True)
    participant_name: Mapped[str] = mapped_column(sa.Text)
    identity_scheme: Mapped[str] = mapped_column(sa.Text)
    identity_number: Mapped[str] = mapped_column(sa.Text, index=True)
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    closing_note: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class IdentityReadRow(Base):
    """Audit: who read which participant's identity number, when and why."""

    __tablename__ = "identity_reads"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(index=True)
    org: Mapped[str] = mapped_column(sa.Text, index=True)
    staff_id: Mapped[str] = mapped_column(sa.Text)
    purpose: Mapped[str] = mapped_column(sa.Text)
    read_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class WaitlistMoveRow(Base):
    """Audit: a coordinator moved a referral on the waiting list, and why."""

    __tablename__ = "waitlist_moves"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(index=True)
    provider_org: Mapped[str] = mapped_column(sa.Text)
    programme_code: Mapped[str] = mapped_column(sa.Text)
    staff_id: Mapped[str] = mapped_column(sa.Text)
    from_position: Mapped[int]
    to_position: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    moved_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class TalkRow(Base):
    """A weekly follow-up talk: personal data, erased with the referral's."""

    __tablename__ = "course_talks"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    held_on: Mapped[date]
    staff_ids: Mapped[list[str]] = mapped_column(JSONB)
    topics: Mapped[list[str]] = mapped_column(JSONB)
    next_steps: Mapped[str] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class MeetingRow(Base):
    __tablename__ = "course_meetings"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    place: Mapped[str] = mapped_column(sa.Text)
    caseworker_invited: Mapped[bool]
    status: Mapped[str] = mapped_column(sa.Text)
    booked_by: Mapped[str] = mapped_column(sa.Text)
    booked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class SpecialistNoteRow(Base):
    __tablename__ = "specialist_notes"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    specialism: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[str] = mapped_column(sa.Text)
    text: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    attached_by: Mapped[str | None] = mapped_column(sa.Text)
    attached_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class MessageRow(Base):
    __tablename__ = "referral_messages"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    side: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[str] = mapped_column(sa.Text)
    text: Mapped[str] = mapped_column(sa.Text)
    posted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    read_by: Mapped[str | None] = mapped_column(sa.Text)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class OutreachCaseRow(Base):
    """An outreach case. The working name, description, identity and helped_on_to are personal:
    emptied at retention; the rest is pseudonymous."""

    __tablename__ = "outreach_cases"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    programme_code: Mapped[str] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.Text)
    country: Mapped[str] = mapped_column(sa.Text)
    staff_id: Mapped[str] = mapped_column(sa.Text)
    opened_by: Mapped[str] = mapped_column(sa.Text)
    opened_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    working_name: Mapped[str | None] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    phase: Mapped[str] = mapped_column(sa.Text)
    next_attempt_by: Mapped[date | None]
    overdue_reported_for: Mapped[date | None]
    attempts: Mapped[int]
    last_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    first_contact_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    phases: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    consent_method: Mapped[str | None] = mapped_column(sa.Text)
    consent_given_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    consent_recorded_by: Mapped[str | None] = mapped_column(sa.Text)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    participant_id: Mapped[UUID | None] = mapped_column(index=True)
    participant_name: Mapped[str | None] = mapped_column(sa.Text)
    identity_scheme: Mapped[str | None] = mapped_column(sa.Text)
    identity_number: Mapped[str | None] = mapped_column(sa.Text, index=True)
    identified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(sa.Text)
    helped_on_to: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    handover_referral_ids: Mapped[list[str]] = mapped_column(JSONB)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.Index("outreach_cases_next_attempt", "phase", "next_attempt_by"),)


class ContactAttemptRow(Base):
    """One contact attempt; its note is personal (emptied at retention)."""

    __tablename__ = "outreach_attempts"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID] = mapped_column(sa.ForeignKey("outreach_cases.id"), index=True)
    place: Mapped[str] = mapped_column(sa.Text)
    channel: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[str] = mapped_column(sa.Text)
    staff_id: Mapped[str] = mapped_column(sa.Text)
    attempted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    next_attempt_by: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class StaffMemberRow(Base):
    """Who works at an organisation (from ``staff.changed``): ids and roles, never an address."""

    __tablename__ = "staff_members"

    org: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    staff_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    role: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class EmployerRow(Base):
    """An employer in a provider's register: organisation data, seen by the provider's staff only."""

    __tablename__ = "employers"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    country: Mapped[str] = mapped_column(sa.Text)
    number: Mapped[str | None] = mapped_column(sa.Text)  # none: a sole trader's is the owner's personnummer
    name: Mapped[str] = mapped_column(sa.Text)
    sector: Mapped[str] = mapped_column(sa.Text)
    industry_code: Mapped[str | None] = mapped_column(sa.Text)
    contact_name: Mapped[str | None] = mapped_column(sa.Text)
    contact_email: Mapped[str | None] = mapped_column(sa.Text)
    contact_phone: Mapped[str | None] = mapped_column(sa.Text)
    registered_by: Mapped[str] = mapped_column(sa.Text)
    registered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.UniqueConstraint("provider_org", "country", "number", name="employers_number"),)


class EmployerContactRow(Base):
    __tablename__ = "employer_contacts"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    employer_id: Mapped[UUID] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    staff_id: Mapped[str] = mapped_column(sa.Text)
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.Text)
    referral_id: Mapped[UUID | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    participant_id: Mapped[UUID | None]
    with_consent: Mapped[bool | None]  # a contact about the participant with their employer, as they agreed
    recorded_by: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class SpellRow(Base):
    """A spell of work or education; ``disclosure`` is emptied at erasure, the coded facts stay."""

    __tablename__ = "job_spells"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    participant_id: Mapped[UUID]
    provider_org: Mapped[str] = mapped_column(sa.Text)
    employer_id: Mapped[UUID | None] = mapped_column(sa.ForeignKey("employers.id"))
    kind: Mapped[str] = mapped_column(sa.Text)
    start_date: Mapped[date]
    weekly_hours: Mapped[float] = mapped_column(sa.Double)
    disclosure: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    end_date: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ClarificationRow(Base):
    """A clarification course's result; resources and challenges are emptied at erasure."""

    __tablename__ = "clarification_results"

    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), primary_key=True)
    recommendation: Mapped[str] = mapped_column(sa.Text)
    resources: Mapped[list[str]] = mapped_column(JSONB)
    challenges: Mapped[list[str]] = mapped_column(JSONB)
    meetings_held: Mapped[int]
    work_trials: Mapped[int]
    specialist_assessments: Mapped[int]
    day: Mapped[date]
    given_by: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class HandoverRow(Base):
    """A referral on from a running course: proposed, then referred (the next referral), declined or withdrawn."""

    __tablename__ = "handovers"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    participant_id: Mapped[UUID]
    programme_code: Mapped[str] = mapped_column(sa.Text)
    referring_org: Mapped[str] = mapped_column(sa.Text)
    provider_org: Mapped[str] = mapped_column(sa.Text)
    next_programme_code: Mapped[str] = mapped_column(sa.Text)
    next_provider_org: Mapped[str] = mapped_column(sa.Text)
    relation: Mapped[str] = mapped_column(sa.Text)
    planned_start: Mapped[date]
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)  # coded: counts, codes and dates
    state: Mapped[str] = mapped_column(sa.Text)
    proposed_by_provider: Mapped[bool]
    created_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    next_referral_id: Mapped[UUID | None] = mapped_column(sa.ForeignKey("referrals.id"), unique=True)
    referred_by: Mapped[str | None] = mapped_column(sa.Text)
    referred_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    meeting: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # starts_at, timezone, parties, held_at
    decided_by: Mapped[str | None] = mapped_column(sa.Text)  # who declined or withdrew the proposal
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)  # a DeclineReason code, never words

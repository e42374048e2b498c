"""The attendance service's tables: courses, their schedule versions, expected slots, reports,
contact attempts, breaches, weekly summaries, and the providers' closures."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CourseRow(Base):
    """One participant's course at a provider, as the referral service's programme.* events tell it."""

    __tablename__ = "courses"

    referral_id: Mapped[UUID] = mapped_column(primary_key=True)
    participant_id: Mapped[UUID] = mapped_column(index=True)
    programme_code: Mapped[str] = mapped_column(sa.Text)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    referring_org: Mapped[str] = mapped_column(sa.Text)
    contact_person_id: Mapped[str] = mapped_column(sa.Text)
    start_date: Mapped[date]
    end_date: Mapped[date]
    ended: Mapped[bool] = mapped_column(default=False)
    country: Mapped[str] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.Text)
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB)
    grace_minutes: Mapped[int]
    # Slots exist for every course day up to here; the materialiser carries on from the day after.
    materialised_through: Mapped[date | None]
    summarised_through: Mapped[date | None]
    # Per rule, the last day a breach covered: a new breach needs new absences after it.
    breach_marks: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    # timetabled | meetings | outreach (ProgrammeShape): what is expected of the participant.
    shape: Mapped[str] = mapped_column(sa.Text, default="timetabled", server_default="timetabled")
    # A meetings course's agreed cadence (MeetingCadence); none: no cadence reminders.
    cadence_kind: Mapped[str | None] = mapped_column(sa.Text, default=None)
    cadence_max_days: Mapped[int | None] = mapped_column(default=None)
    # The due date the contact person was last reminded of: once per course and due date.
    cadence_reminded_due: Mapped[date | None] = mapped_column(default=None)
    # The day the cadence sweep last looked at the course: once a day, so a full batch moves on.
    cadence_checked_on: Mapped[date | None] = mapped_column(default=None)
    # The trace context the course was started in (W3C traceparent, no personal data): each
    # absence the sweep detects is announced under it, so it joins the course's trace.
    traceparent: Mapped[str | None] = mapped_column(sa.Text, default=None)


class BreachCheckRow(Base):
    """A course with newly detected absences, waiting for the breach rules (written by the sweep).

    A table of its own rather than a flag on the course: the sweep only inserts a key here, and
    never rewrites the course's row and its indexes on the hot path.
    """

    __tablename__ = "breach_checks"

    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"), primary_key=True)


class ScheduleVersionRow(Base):
    """The agreed weekly windows from ``effective_from`` until the next version."""

    __tablename__ = "schedule_versions"

    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"), primary_key=True)
    effective_from: Mapped[date] = mapped_column(primary_key=True)
    windows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)


class SlotRow(Base):
    """One expected arrival: a schedule window on one course day, and what became of it."""

    __tablename__ = "slots"
    __table_args__ = (
        sa.UniqueConstraint("referral_id", "day", "window_start"),
        # The sweep's work list: only slots still waiting for a check-in.
        sa.Index("slots_due", "due_at", postgresql_where=sa.text("state = 'expected'")),
        sa.Index("slots_meetings", "day", postgresql_where=sa.text("meeting_id IS NOT NULL")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    # Indexed by the unique (referral_id, day, window_start); few indexes keep the sweep's updates cheap.
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"))
    day: Mapped[date]
    window_start: Mapped[time]
    window_end: Mapped[time]
    expected_start: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expected_end: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # expected | present | absent | excused | internship | cancelled (a meeting the provider called off)
    state: Mapped[str] = mapped_column(sa.Text, default="expected")
    checked_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    checked_out_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    minutes_late: Mapped[int | None]
    minutes_early: Mapped[int | None]
    # Set when the sweep detects the absence, to the slot's own id: one expected arrival gives at
    # most one absence, and the id needs no index of its own.
    absence_id: Mapped[UUID | None]
    detected_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(sa.Text)  # late_arrival | reported
    reason: Mapped[str | None] = mapped_column(sa.Text)  # the AbsenceReason of an excused slot
    report_id: Mapped[UUID | None]
    # A planned meeting of a meetings-shaped course is a slot too (the same sweep, grace and
    # absence): its id is the slot's id; the other columns are the meeting's coded facts.
    meeting_id: Mapped[UUID | None] = mapped_column(default=None)
    place: Mapped[str | None] = mapped_column(sa.Text, default=None)  # MeetingPlace
    staff_id: Mapped[str | None] = mapped_column(sa.Text, default=None)
    topics: Mapped[list[str] | None] = mapped_column(JSONB, default=None)  # MeetingTopic codes, once held
    cancelled_by: Mapped[str | None] = mapped_column(sa.Text, default=None)  # participant | provider
    planned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)
    # A window of a combined course's internship day (state ``internship``): the plan it comes from.
    internship_id: Mapped[UUID | None] = mapped_column(default=None)


class AbsenceReportRow(Base):
    __tablename__ = "absence_reports"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    first_day: Mapped[date]
    last_day: Mapped[date]
    reported_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    reported_by: Mapped[str] = mapped_column(sa.Text)


class ContactAttemptRow(Base):
    __tablename__ = "contact_attempts"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    absence_id: Mapped[UUID] = mapped_column(sa.ForeignKey("slots.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    contacted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(sa.Text)


class BreachRow(Base):
    __tablename__ = "breaches"
    __table_args__ = (sa.UniqueConstraint("referral_id", "rule", "window_last_day"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"), index=True)
    rule: Mapped[str] = mapped_column(sa.Text)
    window_first_day: Mapped[date]
    window_last_day: Mapped[date]
    absence_ids: Mapped[list[str]] = mapped_column(JSONB)
    detected_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class WeekSummaryRow(Base):
    __tablename__ = "week_summaries"

    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"), primary_key=True)
    week_start: Mapped[date] = mapped_column(primary_key=True)
    agreed_minutes: Mapped[int]
    attended_minutes: Mapped[int]
    internship_minutes: Mapped[int]
    absent_minutes: Mapped[int]
    unexcused_absences: Mapped[int]
    summarised_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class ClosureRow(Base):
    """A closure the provider declared: whole days, or part of each day from ``start``/until ``end``."""

    __tablename__ = "provider_closures"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    reason: Mapped[str] = mapped_column(sa.Text)
    declared_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    declared_by: Mapped[str] = mapped_column(sa.Text)


class CustomaryOpeningRow(Base):
    """A customary closure (24 December, 5 June from noon) the provider works on after all."""

    __tablename__ = "provider_customary_openings"

    provider_org: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    declared_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    declared_by: Mapped[str] = mapped_column(sa.Text)


class SmsConsentRow(Base):
    """Whether a course's participant takes text messages, as referral last told it (never the
    number: that stays in referral)."""

    __tablename__ = "sms_consents"

    referral_id: Mapped[UUID] = mapped_column(primary_key=True)
    participant_id: Mapped[UUID] = mapped_column(index=True)
    provider_org: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text)  # SmsConsentStatus
    channel: Mapped[str] = mapped_column(sa.Text)  # SmsConsentChannel
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class SmsRequestRow(Base):
    """A message attendance asked referral to send (``sms.requested.v1``), once per request id.

    ``published_at`` is NULL only inside the transaction that asks: the sweep writes its questions
    in its one statement and publishes them with the next (db/sweep.py).
    """

    __tablename__ = "sms_requests"
    __table_args__ = (
        sa.Index("sms_requests_unpublished", "request_id", postgresql_where=sa.text("published_at IS NULL")),
    )

    request_id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(index=True)
    template: Mapped[str] = mapped_column(sa.Text)  # SmsTemplate
    day: Mapped[date]
    local_time: Mapped[str | None] = mapped_column(sa.Text)
    absence_id: Mapped[UUID | None]
    meeting_id: Mapped[UUID | None]
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SmsReplyRow(Base):
    """A participant's coded reply, once per ``reply_id`` however often it is delivered."""

    __tablename__ = "sms_replies"

    reply_id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(index=True)
    absence_id: Mapped[UUID | None]
    code: Mapped[str] = mapped_column(sa.Text)  # SmsReplyCode
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class EmployerRow(Base):
    """An employer of a provider's register, by id only (``employer.registered.v1``)."""

    __tablename__ = "employers"

    employer_id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    registered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class InternshipRow(Base):
    """A combined course's internship days in the agreed plan: these weekdays of this period."""

    __tablename__ = "internships"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[UUID] = mapped_column(sa.ForeignKey("courses.referral_id"), index=True)
    employer_id: Mapped[UUID]
    first_day: Mapped[date]
    last_day: Mapped[date]
    weekdays: Mapped[list[int]] = mapped_column(JSONB)
    planned_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    planned_by: Mapped[str] = mapped_column(sa.Text)

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TS = sa.DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


class StaffRow(Base):
    __tablename__ = "staff"

    org: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    staff_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    role: Mapped[str] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.Text)
    team_leader_id: Mapped[str | None] = mapped_column(sa.Text)
    working_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    channels: Mapped[list[str]] = mapped_column(ARRAY(sa.Text))
    country: Mapped[str] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    updated_at: Mapped[datetime] = mapped_column(TS)


class AssignmentRow(Base):
    __tablename__ = "assignments"

    referral_id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_org: Mapped[str] = mapped_column(sa.Text, index=True)
    referring_org: Mapped[str] = mapped_column(sa.Text, index=True)
    programme_code: Mapped[str] = mapped_column(sa.Text)
    participant_id: Mapped[UUID | None]
    contact_person_id: Mapped[str | None] = mapped_column(sa.Text)
    team_leader_id: Mapped[str | None] = mapped_column(sa.Text)
    caseworker_id: Mapped[str | None] = mapped_column(sa.Text)
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    escalation_minutes: Mapped[int] = mapped_column(sa.Integer)
    country: Mapped[str] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.Text)
    end_date: Mapped[date | None] = mapped_column(sa.Date)  # once the course has ended


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.Text)
    cause_key: Mapped[str] = mapped_column(sa.Text, unique=True)
    cause_event_id: Mapped[UUID]
    recipient_staff_id: Mapped[str] = mapped_column(sa.Text)
    provider_org: Mapped[str] = mapped_column(sa.Text)
    referring_org: Mapped[str | None] = mapped_column(sa.Text)
    referral_id: Mapped[UUID | None] = mapped_column(index=True)
    participant_id: Mapped[UUID | None]
    programme_code: Mapped[str | None] = mapped_column(sa.Text)
    occurred_at: Mapped[datetime | None] = mapped_column(TS)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(sa.Text)
    raised_at: Mapped[datetime] = mapped_column(TS)
    due_at: Mapped[datetime | None] = mapped_column(TS)
    # The column is escalation_level (migrations 0013/0014 renamed it from level).
    level: Mapped[int] = mapped_column("escalation_level", sa.Integer)
    escalated_to: Mapped[str | None] = mapped_column(sa.Text)
    escalated_at: Mapped[datetime | None] = mapped_column(TS)
    acknowledged_by: Mapped[str | None] = mapped_column(sa.Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(TS)
    acknowledgement_note: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(TS)
    close_reason: Mapped[str | None] = mapped_column(sa.Text)
    notice_due_at: Mapped[datetime | None] = mapped_column(TS)
    notice_sent_at: Mapped[datetime | None] = mapped_column(TS)
    contact_attempts: Mapped[int] = mapped_column(sa.Integer)

    __table_args__ = (
        sa.Index("alerts_inbox", "org", "recipient_staff_id", "raised_at"),
        sa.Index("alerts_escalated_inbox", "org", "escalated_to", "raised_at"),
        sa.Index("alerts_due", "due_at", postgresql_where=sa.text("due_at IS NOT NULL")),
        sa.Index(
            "alerts_notice_due",
            "notice_due_at",
            postgresql_where=sa.text("notice_due_at IS NOT NULL AND notice_sent_at IS NULL"),
        ),
        # An alert's open siblings by their cause's prefix (a visit's, a course's reminders).
        sa.Index(
            "alerts_open_cause_prefix",
            sa.text("cause_key text_pattern_ops"),
            postgresql_where=sa.text("state <> 'closed'"),
        ),
    )


class VisitRow(Base):
    """A home or street visit: staff ids and times only, never where or whom."""

    __tablename__ = "visits"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(sa.Text)
    staff_id: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(TS)
    planned_end: Mapped[datetime] = mapped_column(TS)
    overdue_from: Mapped[datetime] = mapped_column(TS)
    colleague_id: Mapped[str | None] = mapped_column(sa.Text)
    ended_at: Mapped[datetime | None] = mapped_column(TS)
    ended_by: Mapped[str | None] = mapped_column(sa.Text)
    overdue_at: Mapped[datetime | None] = mapped_column(TS)
    alerted: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), server_default="{}")

    __table_args__ = (
        sa.Index("visits_open", "org", "started_at", postgresql_where=sa.text("ended_at IS NULL")),
        sa.Index("visits_overdue", "overdue_from", postgresql_where=sa.text("ended_at IS NULL AND overdue_at IS NULL")),
    )


class DeliveryRow(Base):
    __tablename__ = "deliveries"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(sa.Text)
    channel: Mapped[str] = mapped_column(sa.Text)
    recipient: Mapped[str] = mapped_column(sa.Text)
    event_type: Mapped[str] = mapped_column(sa.Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    alert_id: Mapped[UUID | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(TS)
    next_attempt_at: Mapped[datetime] = mapped_column(TS)
    give_up_at: Mapped[datetime] = mapped_column(TS)
    claimed_until: Mapped[datetime | None] = mapped_column(TS)
    delivered_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    traceparent: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.Index("deliveries_pending", "next_attempt_at", postgresql_where=sa.text("state = 'pending'")),
        sa.Index("deliveries_recipient", "org", "channel", "recipient", "created_at"),
    )


class AttemptRow(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    delivery_id: Mapped[UUID] = mapped_column(sa.ForeignKey("deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    attempted_at: Mapped[datetime] = mapped_column(TS)
    ok: Mapped[bool] = mapped_column(sa.Boolean)
    error_code: Mapped[str | None] = mapped_column(sa.Text)
    detail: Mapped[str | None] = mapped_column(sa.Text)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    duration_ms: Mapped[int] = mapped_column(sa.Integer)


class SubscriptionRow(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(sa.Text, index=True)
    url: Mapped[str] = mapped_column(sa.Text)
    event_types: Mapped[list[str]] = mapped_column(ARRAY(sa.Text))
    secret: Mapped[str] = mapped_column(sa.Text)
    owner_staff_id: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text)
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(TS)
    disabled_at: Mapped[datetime | None] = mapped_column(TS)
    disabled_reason: Mapped[str | None] = mapped_column(sa.Text)
    previous_secret: Mapped[str | None] = mapped_column(sa.Text)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(TS)


class PolicyRow(Base):
    __tablename__ = "notification_policies"

    org: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    legal_basis: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    notify_within_working_minutes: Mapped[int] = mapped_column(sa.Integer)
    recipients: Mapped[list[str]] = mapped_column(ARRAY(sa.Text))
    notice_text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(TS)
    updated_by: Mapped[str] = mapped_column(sa.Text)


class ProviderCalendarRow(Base):
    """A provider's declared closures and the customary closures it works on, as attendance last
    announced them (provider.calendar_changed.v1): working time counts none of its closed time."""

    __tablename__ = "provider_calendars"

    provider_org: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    closures: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    customary_worked: Mapped[list[str]] = mapped_column(JSONB)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

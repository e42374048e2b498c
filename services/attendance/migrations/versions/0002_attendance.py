"""Courses, schedule versions, expected slots, absence reports, contact attempts, breaches, week summaries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("programme_code", sa.Text(), nullable=False),
        sa.Column("provider_org", sa.Text(), nullable=False),
        sa.Column("referring_org", sa.Text(), nullable=False),
        sa.Column("contact_person_id", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("opening_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("grace_minutes", sa.Integer(), nullable=False),
        sa.Column("materialised_through", sa.Date(), nullable=True),
        sa.Column("summarised_through", sa.Date(), nullable=True),
        sa.Column("breach_marks", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    op.create_index(op.f("ix_courses_participant_id"), "courses", ["participant_id"], unique=False)
    op.create_index(op.f("ix_courses_provider_org"), "courses", ["provider_org"], unique=False)
    op.create_table(
        "absence_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["courses.referral_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_absence_reports_referral_id"), "absence_reports", ["referral_id"], unique=False)
    op.create_table(
        "breach_checks",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["courses.referral_id"],
        ),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    op.create_table(
        "breaches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("window_first_day", sa.Date(), nullable=False),
        sa.Column("window_last_day", sa.Date(), nullable=False),
        sa.Column("absence_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["courses.referral_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("referral_id", "rule", "window_last_day"),
    )
    op.create_index(op.f("ix_breaches_referral_id"), "breaches", ["referral_id"], unique=False)
    op.create_table(
        "schedule_versions",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("windows", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["courses.referral_id"],
        ),
        sa.PrimaryKeyConstraint("referral_id", "effective_from"),
    )
    op.create_table(
        "slots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_start", sa.Time(), nullable=False),
        sa.Column("window_end", sa.Time(), nullable=False),
        sa.Column("expected_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes_late", sa.Integer(), nullable=True),
        sa.Column("minutes_early", sa.Integer(), nullable=True),
        sa.Column("absence_id", sa.Uuid(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["courses.referral_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("referral_id", "day", "window_start"),
    )
    op.create_index("slots_due", "slots", ["due_at"], unique=False, postgresql_where=sa.text("state = 'expected'"))
    op.create_table(
        "week_summaries",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("agreed_minutes", sa.Integer(), nullable=False),
        sa.Column("attended_minutes", sa.Integer(), nullable=False),
        sa.Column("internship_minutes", sa.Integer(), nullable=False),
        sa.Column("absent_minutes", sa.Integer(), nullable=False),
        sa.Column("unexcused_absences", sa.Integer(), nullable=False),
        sa.Column("summarised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["courses.referral_id"],
        ),
        sa.PrimaryKeyConstraint("referral_id", "week_start"),
    )
    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("absence_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["absence_id"],
            ["slots.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contact_attempts_absence_id"), "contact_attempts", ["absence_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contact_attempts_absence_id"), table_name="contact_attempts")
    op.drop_table("contact_attempts")
    op.drop_table("week_summaries")
    op.drop_index("slots_due", table_name="slots", postgresql_where=sa.text("state = 'expected'"))
    op.drop_table("slots")
    op.drop_table("schedule_versions")
    op.drop_index(op.f("ix_breaches_referral_id"), table_name="breaches")
    op.drop_table("breaches")
    op.drop_table("breach_checks")
    op.drop_index(op.f("ix_absence_reports_referral_id"), table_name="absence_reports")
    op.drop_table("absence_reports")
    op.drop_index(op.f("ix_courses_provider_org"), table_name="courses")
    op.drop_index(op.f("ix_courses_participant_id"), table_name="courses")
    op.drop_table("courses")

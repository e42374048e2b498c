"""Expand: staff safety on home and street visits (a visit's planned end, its colleague, whether
it went overdue and whom that alerted), and an index to find an alert's open siblings by the
prefix of their cause (a visit's alerts, a course's meeting reminders, an outreach case's).

A new table and an index the previous release neither reads nor needs (docs/migrations.md).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("colleague_id", sa.Text(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Text(), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alerted", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("visits_open", "visits", ["org", "started_at"], postgresql_where=sa.text("ended_at IS NULL"))
    op.create_index(
        "visits_overdue",
        "visits",
        ["overdue_from"],
        postgresql_where=sa.text("ended_at IS NULL AND overdue_at IS NULL"),
    )
    op.create_index(
        "alerts_open_cause_prefix",
        "alerts",
        [sa.text("cause_key text_pattern_ops")],
        postgresql_where=sa.text("state <> 'closed'"),
    )


def downgrade() -> None:
    op.drop_index("alerts_open_cause_prefix", table_name="alerts")
    op.drop_index("visits_overdue", table_name="visits")
    op.drop_index("visits_open", table_name="visits")
    op.drop_table("visits")

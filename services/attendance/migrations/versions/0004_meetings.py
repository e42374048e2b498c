"""The meetings shape: a course's shape and cadence, and planned meetings as expected arrivals.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Expand only: every course so far is timetabled, and no slot so far is a meeting.
    op.add_column("courses", sa.Column("shape", sa.Text(), nullable=False, server_default="timetabled"))
    op.add_column("courses", sa.Column("cadence_kind", sa.Text(), nullable=True))
    op.add_column("courses", sa.Column("cadence_max_days", sa.Integer(), nullable=True))
    op.add_column("courses", sa.Column("cadence_reminded_due", sa.Date(), nullable=True))
    op.add_column("courses", sa.Column("cadence_checked_on", sa.Date(), nullable=True))
    op.add_column("slots", sa.Column("meeting_id", sa.Uuid(), nullable=True))
    op.add_column("slots", sa.Column("place", sa.Text(), nullable=True))
    op.add_column("slots", sa.Column("staff_id", sa.Text(), nullable=True))
    op.add_column("slots", sa.Column("topics", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("slots", sa.Column("cancelled_by", sa.Text(), nullable=True))
    op.add_column("slots", sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True))
    # A contact person's week: the organisation's meetings by day (only meeting slots are indexed).
    op.create_index("slots_meetings", "slots", ["day"], postgresql_where=sa.text("meeting_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("slots_meetings", table_name="slots")
    for column in ("planned_at", "cancelled_by", "topics", "staff_id", "place", "meeting_id"):
        op.drop_column("slots", column)
    for column in ("cadence_checked_on", "cadence_reminded_due", "cadence_max_days", "cadence_kind", "shape"):
        op.drop_column("courses", column)

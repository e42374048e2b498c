"""The course record (follow-up talks, meetings, specialist notes) and messages about a referral.

Expand only: four new tables, nothing existing changes, so the running version goes on beside it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _referral() -> sa.Column[sa.Uuid]:
    return sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "course_talks",
        sa.Column("id", sa.Uuid, primary_key=True),
        _referral(),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("staff_ids", JSONB, nullable=False),
        sa.Column("topics", JSONB, nullable=False),
        sa.Column("next_steps", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "course_meetings",
        sa.Column("id", sa.Uuid, primary_key=True),
        _referral(),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("caseworker_invited", sa.Boolean, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("booked_by", sa.Text, nullable=False),
        sa.Column("booked_at", TZ, nullable=False),
    )
    op.create_table(
        "specialist_notes",
        sa.Column("id", sa.Uuid, primary_key=True),
        _referral(),
        sa.Column("specialism", sa.Text, nullable=False),
        sa.Column("author_id", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("written_at", TZ, nullable=False),
        sa.Column("attached_by", sa.Text),
        sa.Column("attached_at", TZ),
    )
    op.create_table(
        "referral_messages",
        sa.Column("id", sa.Uuid, primary_key=True),
        _referral(),
        sa.Column("side", sa.Text, nullable=False),
        sa.Column("author_id", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("posted_at", TZ, nullable=False),
        sa.Column("read_by", sa.Text),
        sa.Column("read_at", TZ),
    )


def downgrade() -> None:
    for table in ("referral_messages", "specialist_notes", "course_meetings", "course_talks"):
        op.drop_table(table)

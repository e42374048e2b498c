"""Referring on from a running course to the next programme: the handovers (proposed, then
referred with the next referral), their coded facts and the handover meeting.

Expand only: one new table; the running version goes on beside it (it neither reads nor writes it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("programme_code", sa.Text, nullable=False),
        sa.Column("referring_org", sa.Text, nullable=False),
        sa.Column("provider_org", sa.Text, nullable=False),
        sa.Column("next_programme_code", sa.Text, nullable=False),
        sa.Column("next_provider_org", sa.Text, nullable=False),
        sa.Column("relation", sa.Text, nullable=False),
        sa.Column("planned_start", sa.Date, nullable=False),
        sa.Column("facts", JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("proposed_by_provider", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("next_referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), unique=True),
        sa.Column("referred_by", sa.Text),
        sa.Column("referred_at", TZ),
        sa.Column("meeting", JSONB),
    )


def downgrade() -> None:
    op.drop_table("handovers")

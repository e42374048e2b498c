"""Messaging tables and the referral facts of the read model.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from forlob_shared.messaging.migration import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "referral_facts",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("programme_code", sa.Text, nullable=False),
        sa.Column("referring_org", sa.Text, nullable=False, index=True),
        sa.Column("provider_org", sa.Text, nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("referral_facts")
    drop_messaging_tables()

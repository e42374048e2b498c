"""Expand: every published partner event as it went out on the feed, numbered per referring
organisation, so a partner can replay its organisation's events from a cursor or a time.

New tables the previous release neither reads nor writes (docs/migrations.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_feed",
        sa.Column("org", sa.Text(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("org", "cursor"),
        sa.UniqueConstraint("event_id", name="partner_feed_event_id"),
    )
    op.create_index("partner_feed_by_time", "partner_feed", ["org", "time"])
    op.create_index("partner_feed_by_subject", "partner_feed", ["org", "subject", "cursor"])
    op.create_table(
        "partner_feed_cursor",
        sa.Column("org", sa.Text(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("org"),
    )


def downgrade() -> None:
    op.drop_table("partner_feed_cursor")
    op.drop_index("partner_feed_by_subject", table_name="partner_feed")
    op.drop_index("partner_feed_by_time", table_name="partner_feed")
    op.drop_table("partner_feed")

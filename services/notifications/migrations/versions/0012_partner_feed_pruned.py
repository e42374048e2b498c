"""Expand: what the partner feed's retention forgot, per referring organisation (the highest
cursor and the newest written time of an event it removed), so a replay that reaches back past
it says that events are missing instead of silently starting with what is left.

A new table the previous release neither reads nor writes (docs/migrations.md). Feeds pruned
before it have no row: their earlier prunes are not known, and go unmentioned.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_feed_pruned",
        sa.Column("org", sa.Text(), nullable=False),
        sa.Column("through_cursor", sa.BigInteger(), nullable=False),
        sa.Column("written_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org"),
    )


def downgrade() -> None:
    op.drop_table("partner_feed_pruned")

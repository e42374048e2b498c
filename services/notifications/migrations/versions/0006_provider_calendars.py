"""Expand: providers' declared closures, so that escalation's working time skips them.

A new table the previous release neither reads nor writes (docs/migrations.md).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_calendars",
        sa.Column("provider_org", sa.Text(), nullable=False),
        sa.Column("closures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("customary_worked", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider_org"),
    )


def downgrade() -> None:
    op.drop_table("provider_calendars")

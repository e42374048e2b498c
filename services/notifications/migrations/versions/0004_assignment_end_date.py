"""Expand: a course's entry in the directory keeps its end date.

Notifications raises no alert for an absence detected on a day after the course's end (an end
that reached attendance only after its next sweep); this column is where the end is kept. The
previous release neither reads nor writes it: nullable, no default, named columns (docs/migrations.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assignments", sa.Column("end_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("assignments", "end_date")

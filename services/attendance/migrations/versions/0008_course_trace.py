"""The trace context each course was started in (courses.traceparent), which the absences the
sweep detects join (docs/operations.md, "Traces").

Expand only: a nullable column; a course started before it has none, and its absences are
announced under the sweep's own context, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("courses", sa.Column("traceparent", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("courses", "traceparent")

"""Expand: alerts get an optional acknowledgement note.

An example of how every Forløb migration is written (docs/migrations.md): this release's code
(N+1) writes and reads the note; the previous release (N), still serving during a rolling
update, neither knows nor minds the column, because it is nullable with no default to compute
and N names its columns explicitly. Nothing is dropped or renamed here: that would be a later
"contract" revision, shipped only once no running version reads the old shape.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column without a default: PostgreSQL adds it without rewriting the table or
    # holding its lock for longer than a moment, so the alerts keep flowing meanwhile.
    op.add_column("alerts", sa.Column("acknowledgement_note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("alerts", "acknowledgement_note")

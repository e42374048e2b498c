"""The trace context each delivery was queued in (deliveries.traceparent): each attempt to send
it (the e-mail, the webhook call) is a span in that trace (docs/operations.md, "Traces").

Expand only: a nullable column the previous release neither reads nor writes; deliveries queued
before it have none, and their attempts start traces of their own.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("traceparent", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("deliveries", "traceparent")

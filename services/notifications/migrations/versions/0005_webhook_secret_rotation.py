"""Expand: a webhook subscription keeps its previous secret while a rotation's overlap lasts.

During the overlap every call is signed with both secrets; afterwards the previous one is
dropped (set to NULL). The previous release neither reads nor writes these columns: nullable,
no default, named columns (docs/migrations.md).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("webhook_subscriptions", sa.Column("previous_secret", sa.Text(), nullable=True))
    op.add_column(
        "webhook_subscriptions", sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("webhook_subscriptions", "previous_secret_expires_at")
    op.drop_column("webhook_subscriptions", "previous_secret")

"""A proposed next step may be declined by the referring caseworker (with a coded reason) or
withdrawn by the proposing provider's coordinator: who decided, when, and the reason's code.

Expand only: three new nullable columns; ``handovers.state`` is text and takes the new values
``declined`` and ``withdrawn``. A release before it writes none of these columns (NULL: not
decided) and never declines or withdraws; it does not know the two new states, so a handover
declined or withdrawn by the new release is read only once no earlier release serves.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("handovers", sa.Column("decided_by", sa.Text(), nullable=True))
    op.add_column("handovers", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("handovers", sa.Column("decline_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("handovers", "decline_reason")
    op.drop_column("handovers", "decided_at")
    op.drop_column("handovers", "decided_by")

"""An employer registered without a number: a Swedish sole trader's (enskild firma) organisation
number is the owner's personnummer, which the register refuses to keep.

Expand only: ``employers.number`` becomes nullable. The unique constraint stays: PostgreSQL keeps
NULLs distinct, so two firms without a number never conflict. The running version writes numbers
as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("employers", "number", existing_type=sa.Text, nullable=True)


def downgrade() -> None:
    # Fails while an employer without a number is registered: those are the provider's to resolve.
    op.alter_column("employers", "number", existing_type=sa.Text, nullable=False)

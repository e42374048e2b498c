"""A contact about a participant with the employer they work for records their consent.

Expand only: ``employer_contacts.with_consent`` is a new nullable column (NULL: job development,
where the question does not arise). A release before it writes no value, which reads as NULL.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("employer_contacts", sa.Column("with_consent", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("employer_contacts", "with_consent")

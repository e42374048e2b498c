"""referral_facts: the course's zone and the instants its local days are dated from (expand).

A referral's days (received, accepted, waitlisted, rejected, withdrawn) were dated in
Europe/Copenhagen; now they are dated in the course's own zone (``programme.started`` names it),
so the row keeps each instant beside its day. Nullable, no default: no table rewrite, and the
previous release, which never reads them, keeps serving. Rows already there keep their days
(dated in Europe/Copenhagen, which the projection falls back to when no zone is known);
``forlob-reporting rebuild`` dates them again in each course's zone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANTS = ("accepted_at", "waitlisted_at", "rejected_at", "withdrawn_at")


def upgrade() -> None:
    op.add_column("referral_facts", sa.Column("timezone", sa.Text))
    for name in INSTANTS:
        op.add_column("referral_facts", sa.Column(name, sa.DateTime(timezone=True)))


def downgrade() -> None:
    for name in reversed(INSTANTS):
        op.drop_column("referral_facts", name)
    op.drop_column("referral_facts", "timezone")

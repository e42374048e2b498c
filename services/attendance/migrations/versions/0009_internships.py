"""Combined courses: internship days at a company in the agreed plan, and the employers they name.

Expand only: two new tables and a nullable column on ``slots``; the running version neither
reads nor writes them.

- ``employers``: the ids of the employers in each provider's register, as the referral service
  announced them (``employer.registered.v1``): an internship names one of them, never a name.
- ``internships``: a course's internship days, by weekday over a period.
- ``slots.internship_id``: the internship an expected window is spent at (state ``internship``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("employer_id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text, nullable=False, index=True),
        sa.Column("registered_at", TZ, nullable=False),
    )
    op.create_table(
        "internships",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("courses.referral_id"), nullable=False, index=True),
        sa.Column("employer_id", sa.Uuid, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("weekdays", JSONB, nullable=False),
        sa.Column("planned_at", TZ, nullable=False),
        sa.Column("planned_by", sa.Text, nullable=False),
    )
    op.add_column("slots", sa.Column("internship_id", sa.Uuid))


def downgrade() -> None:
    op.drop_column("slots", "internship_id")
    op.drop_table("internships")
    op.drop_table("employers")

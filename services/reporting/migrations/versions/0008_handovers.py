"""Referrals on from one course to the next programme (course.referred_on.v1): the pairs whose
days without any programme between them reporting counts.

Expand only: a new table. The previous release never reads it and keeps serving; the live
consumer fills it from now on, and ``forlob-reporting rebuild`` from the history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handover_facts",
        sa.Column("handover_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid),
        sa.Column("programme_code", sa.Text),
        sa.Column("referring_org", sa.Text),
        sa.Column("provider_org", sa.Text),
        sa.Column("next_referral_id", sa.Uuid),
        sa.Column("next_programme_code", sa.Text),
        sa.Column("next_provider_org", sa.Text),
        sa.Column("relation", sa.Text),
        sa.Column("planned_start", sa.Date),
        sa.Column("previous_planned_end", sa.Date),
        sa.Column("referred_at", sa.DateTime(timezone=True)),
    )
    op.create_index("handover_facts_provider", "handover_facts", ["provider_org", "programme_code"])
    op.create_index("handover_facts_next_provider", "handover_facts", ["next_provider_org", "next_programme_code"])
    op.create_index("handover_facts_referring", "handover_facts", ["referring_org"])


def downgrade() -> None:
    op.drop_table("handover_facts")

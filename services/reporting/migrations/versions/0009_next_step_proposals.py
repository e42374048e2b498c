"""Next steps the provider proposed and what became of them (course.next_step_proposed.v1,
course.next_step_declined.v1, course.next_step_withdrawn.v1, course.referred_on.v1): the proposals
reporting counts per provider and programme.

Expand only: a new table. The previous release never reads it and keeps serving; the live
consumer fills it from now on, and ``forlob-reporting rebuild`` from the history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "next_step_proposal_facts",
        sa.Column("handover_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid),
        sa.Column("programme_code", sa.Text),
        sa.Column("referring_org", sa.Text),
        sa.Column("provider_org", sa.Text),
        sa.Column("next_programme_code", sa.Text),
        sa.Column("next_provider_org", sa.Text),
        sa.Column("proposed_at", sa.DateTime(timezone=True)),
        sa.Column("referred_at", sa.DateTime(timezone=True)),
        sa.Column("declined_at", sa.DateTime(timezone=True)),
        sa.Column("decline_reason", sa.Text),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    )
    op.create_index("next_step_proposal_facts_provider", "next_step_proposal_facts", ["provider_org", "programme_code"])
    op.create_index("next_step_proposal_facts_referring", "next_step_proposal_facts", ["referring_org"])


def downgrade() -> None:
    op.drop_table("next_step_proposal_facts")

"""The way into work: employer contacts, spells of work or education, the support phase, clarification results.

Expand only: new tables. The previous release never reads them and keeps serving; the live
consumer fills them from now on, and ``forlob-reporting rebuild`` from the history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AT = sa.DateTime(timezone=True)


def _orgs() -> list[sa.Column[str]]:
    return [sa.Column(name, sa.Text) for name in ("programme_code", "referring_org", "provider_org")]


def upgrade() -> None:
    op.create_table(
        "employer_contact_facts",
        sa.Column("contact_id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text),
        sa.Column("programme_code", sa.Text),
        sa.Column("referring_org", sa.Text),
        sa.Column("referral_id", sa.Uuid),
        sa.Column("staff_id", sa.Text),
        sa.Column("day", sa.Date),
        sa.Column("kind", sa.Text),
    )
    op.create_index("employer_contact_facts_provider", "employer_contact_facts", ["provider_org", "programme_code"])
    op.create_table(
        "job_spell_facts",
        sa.Column("spell_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid),
        *_orgs(),
        sa.Column("kind", sa.Text),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("end_reason", sa.Text),
    )
    op.create_index("job_spell_facts_provider", "job_spell_facts", ["provider_org", "programme_code"])
    op.create_table(
        "support_phase_facts",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        sa.Column("changed_at", AT, primary_key=True),
        sa.Column("phase", sa.Text, primary_key=True),
        *_orgs(),
        sa.Column("previous_phase", sa.Text),
        sa.Column("since", sa.Date),
    )
    op.create_index("support_phase_facts_provider", "support_phase_facts", ["provider_org", "programme_code"])
    op.create_table(
        "clarification_facts",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        *_orgs(),
        sa.Column("recommendation", sa.Text),
        sa.Column("day", sa.Date),
        sa.Column("meetings_held", sa.Integer),
        sa.Column("work_trials", sa.Integer),
        sa.Column("specialist_assessments", sa.Integer),
        sa.Column("result_guard", sa.Text),
    )
    op.create_index("clarification_facts_provider", "clarification_facts", ["provider_org", "programme_code"])
    op.create_index("clarification_facts_referring", "clarification_facts", ["referring_org", "programme_code"])


def downgrade() -> None:
    for table in ("clarification_facts", "support_phase_facts", "job_spell_facts", "employer_contact_facts"):
        op.drop_table(table)

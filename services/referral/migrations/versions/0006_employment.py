"""Work and the way into it: employers, employer contacts, spells of work or education, a
meetings course's support phase and a clarification course's result.

Expand only: two nullable columns on referrals and four new tables; the running version goes on
beside it (it neither reads nor writes them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("referrals", sa.Column("support_phase", sa.Text))
    op.add_column("referrals", sa.Column("support_phase_since", sa.Date))
    op.create_table(
        "employers",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text, nullable=False, index=True),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sector", sa.Text, nullable=False),
        sa.Column("industry_code", sa.Text),
        sa.Column("contact_name", sa.Text),
        sa.Column("contact_email", sa.Text),
        sa.Column("contact_phone", sa.Text),
        sa.Column("registered_by", sa.Text, nullable=False),
        sa.Column("registered_at", TZ, nullable=False),
        sa.UniqueConstraint("provider_org", "country", "number", name="employers_number"),
    )
    op.create_table(
        "employer_contacts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text, nullable=False, index=True),
        sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id"), nullable=False, index=True),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), index=True),
        sa.Column("participant_id", sa.Uuid),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "job_spells",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("provider_org", sa.Text, nullable=False),
        sa.Column("employer_id", sa.Uuid, sa.ForeignKey("employers.id")),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("weekly_hours", sa.Double, nullable=False),
        sa.Column("disclosure", sa.Text),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("end_date", sa.Date),
        sa.Column("end_reason", sa.Text),
        sa.Column("ended_at", TZ),
    )
    op.create_table(
        "clarification_results",
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), primary_key=True),
        sa.Column("recommendation", sa.Text, nullable=False),
        sa.Column("resources", JSONB, nullable=False),
        sa.Column("challenges", JSONB, nullable=False),
        sa.Column("meetings_held", sa.Integer, nullable=False),
        sa.Column("work_trials", sa.Integer, nullable=False),
        sa.Column("specialist_assessments", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("given_by", sa.Text, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("clarification_results", "job_spells", "employer_contacts", "employers"):
        op.drop_table(table)
    op.drop_column("referrals", "support_phase_since")
    op.drop_column("referrals", "support_phase")

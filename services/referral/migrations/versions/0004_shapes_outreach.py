"""Programme shapes (timetabled, meetings, outreach), a meetings course's cadence, the outreach
history's facts on a handover's referral, and outreach cases with their contact attempts.

Expand only: new columns have defaults or are nullable, two new tables; the running version
goes on beside it (an old version writes ``shape`` as its default, ``timetabled``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("programmes", sa.Column("shape", sa.Text, nullable=False, server_default="timetabled"))
    op.add_column("referrals", sa.Column("cadence", JSONB))
    op.add_column("referrals", sa.Column("outreach_case_id", sa.Uuid))
    op.add_column("referrals", sa.Column("outreach_attempts", sa.Integer))
    op.add_column("referrals", sa.Column("outreach_first_contact_on", sa.Date))
    op.add_column("referrals", sa.Column("outreach_days_in_contact", sa.Integer))
    op.create_index("ix_referrals_outreach_case_id", "referrals", ["outreach_case_id"])
    op.create_table(
        "outreach_cases",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text, nullable=False, index=True),
        sa.Column("programme_code", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("opened_by", sa.Text, nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("working_name", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("phase", sa.Text, nullable=False),
        sa.Column("next_attempt_by", sa.Date),
        sa.Column("overdue_reported_for", sa.Date),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_attempt_at", TZ),
        sa.Column("first_contact_at", TZ),
        sa.Column("phases", JSONB, nullable=False),
        sa.Column("consent_method", sa.Text),
        sa.Column("consent_given_at", TZ),
        sa.Column("consent_recorded_by", sa.Text),
        sa.Column("consent_recorded_at", TZ),
        sa.Column("participant_id", sa.Uuid, index=True),
        sa.Column("participant_name", sa.Text),
        sa.Column("identity_scheme", sa.Text),
        sa.Column("identity_number", sa.Text, index=True),
        sa.Column("identified_at", TZ),
        sa.Column("close_reason", sa.Text),
        sa.Column("helped_on_to", sa.Text),
        sa.Column("closed_at", TZ),
        sa.Column("handover_referral_ids", JSONB, nullable=False),
        sa.Column("personal_data_erased_at", TZ),
    )
    op.create_index("outreach_cases_next_attempt", "outreach_cases", ["phase", "next_attempt_by"])
    op.create_table(
        "outreach_attempts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, sa.ForeignKey("outreach_cases.id"), nullable=False, index=True),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("attempted_at", TZ, nullable=False),
        sa.Column("next_attempt_by", sa.Date),
        sa.Column("note", sa.Text),
        sa.Column("recorded_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outreach_attempts")
    op.drop_table("outreach_cases")
    op.drop_index("ix_referrals_outreach_case_id", "referrals")
    for column in (
        "outreach_days_in_contact",
        "outreach_first_contact_on",
        "outreach_attempts",
        "outreach_case_id",
        "cadence",
    ):
        op.drop_column("referrals", column)
    op.drop_column("programmes", "shape")

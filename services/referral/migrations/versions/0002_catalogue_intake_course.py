"""Programme catalogue, the course's life on referrals, personal data apart, audits, idempotency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from forlob_shared.http.idempotency import create_idempotency_table, drop_idempotency_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_idempotency_table()
    op.create_table(
        "programmes",
        sa.Column("provider_org", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("intake_weekdays", JSONB, nullable=False),
        sa.Column("default_weeks", sa.Integer, nullable=False),
        sa.Column("min_weeks", sa.Integer, nullable=False),
        sa.Column("max_weeks", sa.Integer, nullable=False),
        sa.Column("opening_hours", JSONB, nullable=False),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("rules", JSONB, nullable=False),
        sa.Column("defined_at", TZ, nullable=False),
    )
    for column in (
        sa.Column("legal_context", sa.Text),
        sa.Column("decided_at", TZ),
        sa.Column("intake_date", sa.Date),
        sa.Column("from_waiting_list", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("waitlist_rank", sa.Double),
        sa.Column("reason_code", sa.Text),
        sa.Column("closed_at", TZ),
        sa.Column("start_date", sa.Date),
        sa.Column("planned_end_date", sa.Date),
        sa.Column("schedule", JSONB, nullable=False, server_default="[]"),
        sa.Column("contact_person_id", sa.Text),
        sa.Column("team_leader_id", sa.Text),
        sa.Column("end_date", sa.Date),
        sa.Column("outcome", sa.Text),
        sa.Column("first_job_date", sa.Date),
        sa.Column("personal_data_erased_at", TZ),
    ):
        op.add_column("referrals", column)
    op.create_index("referrals_programme_state", "referrals", ["provider_org", "programme_code", "state"])
    op.create_table(
        "referral_personal_data",
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), primary_key=True),
        sa.Column("participant_name", sa.Text, nullable=False),
        sa.Column("identity_scheme", sa.Text, nullable=False),
        sa.Column("identity_number", sa.Text, nullable=False, index=True),
        sa.Column("goals", JSONB, nullable=False),
        sa.Column("plan", JSONB),
        sa.Column("closing_note", JSONB),
    )
    op.create_table(
        "identity_reads",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("referral_id", sa.Uuid, nullable=False, index=True),
        sa.Column("org", sa.Text, nullable=False, index=True),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("read_at", TZ, nullable=False),
    )
    op.create_table(
        "waitlist_moves",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("referral_id", sa.Uuid, nullable=False, index=True),
        sa.Column("provider_org", sa.Text, nullable=False),
        sa.Column("programme_code", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Text, nullable=False),
        sa.Column("from_position", sa.Integer, nullable=False),
        sa.Column("to_position", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("moved_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("waitlist_moves")
    op.drop_table("identity_reads")
    op.drop_table("referral_personal_data")
    op.drop_index("referrals_programme_state", table_name="referrals")
    for name in (
        "personal_data_erased_at",
        "first_job_date",
        "outcome",
        "end_date",
        "team_leader_id",
        "contact_person_id",
        "schedule",
        "planned_end_date",
        "start_date",
        "closed_at",
        "reason_code",
        "waitlist_rank",
        "from_waiting_list",
        "intake_date",
        "decided_at",
        "legal_context",
    ):
        op.drop_column("referrals", name)
    op.drop_table("programmes")
    drop_idempotency_table()

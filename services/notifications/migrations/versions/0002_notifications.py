"""Staff directory, assignments, alerts, deliveries with their attempts, webhook subscriptions
and notification policies.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("org", sa.Text, primary_key=True),
        sa.Column("staff_id", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("team_leader_id", sa.Text),
        sa.Column("working_hours", JSONB, nullable=False),
        sa.Column("channels", ARRAY(sa.Text), nullable=False),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text, nullable=False, index=True),
        sa.Column("referring_org", sa.Text, nullable=False, index=True),
        sa.Column("programme_code", sa.Text, nullable=False),
        sa.Column("participant_id", sa.Uuid),
        sa.Column("contact_person_id", sa.Text),
        sa.Column("team_leader_id", sa.Text),
        sa.Column("caseworker_id", sa.Text),
        sa.Column("legal_basis", sa.Text),
        sa.Column("escalation_minutes", sa.Integer, nullable=False),
        sa.Column("country", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("org", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("cause_key", sa.Text, nullable=False, unique=True),
        sa.Column("cause_event_id", sa.Uuid, nullable=False),
        sa.Column("recipient_staff_id", sa.Text, nullable=False),
        sa.Column("provider_org", sa.Text, nullable=False),
        sa.Column("referring_org", sa.Text),
        sa.Column("referral_id", sa.Uuid, index=True),
        sa.Column("participant_id", sa.Uuid),
        sa.Column("programme_code", sa.Text),
        sa.Column("occurred_at", TS),
        sa.Column("facts", JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("raised_at", TS, nullable=False),
        sa.Column("due_at", TS),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("escalated_to", sa.Text),
        sa.Column("escalated_at", TS),
        sa.Column("acknowledged_by", sa.Text),
        sa.Column("acknowledged_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("close_reason", sa.Text),
        sa.Column("notice_due_at", TS),
        sa.Column("notice_sent_at", TS),
        sa.Column("contact_attempts", sa.Integer, nullable=False),
    )
    op.create_index("alerts_inbox", "alerts", ["org", "recipient_staff_id", "raised_at"])
    op.create_index("alerts_escalated_inbox", "alerts", ["org", "escalated_to", "raised_at"])
    op.create_index("alerts_due", "alerts", ["due_at"], postgresql_where=sa.text("due_at IS NOT NULL"))
    op.create_index(
        "alerts_notice_due",
        "alerts",
        ["notice_due_at"],
        postgresql_where=sa.text("notice_due_at IS NOT NULL AND notice_sent_at IS NULL"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("org", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("content", JSONB, nullable=False),
        sa.Column("alert_id", sa.Uuid, index=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("give_up_at", TS, nullable=False),
        sa.Column("claimed_until", TS),
        sa.Column("delivered_at", TS),
        sa.Column("last_error", sa.Text),
    )
    op.create_index(
        "deliveries_pending", "deliveries", ["next_attempt_at"], postgresql_where=sa.text("state = 'pending'")
    )
    op.create_index("deliveries_recipient", "deliveries", ["org", "channel", "recipient", "created_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("delivery_id", sa.Uuid, sa.ForeignKey("deliveries.id"), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("attempted_at", TS, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error_code", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("status_code", sa.Integer),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("org", sa.Text, nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("event_types", ARRAY(sa.Text), nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("owner_staff_id", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled_at", TS),
        sa.Column("disabled_reason", sa.Text),
    )
    op.create_table(
        "notification_policies",
        sa.Column("org", sa.Text, primary_key=True),
        sa.Column("legal_basis", sa.Text, primary_key=True),
        sa.Column("notify_within_working_minutes", sa.Integer, nullable=False),
        sa.Column("recipients", ARRAY(sa.Text), nullable=False),
        sa.Column("notice_text", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "notification_policies",
        "webhook_subscriptions",
        "delivery_attempts",
        "deliveries",
        "alerts",
        "assignments",
        "staff",
    ):
        op.drop_table(table)

"""Text messages to participants: consent and mobile number, the messages asked for, the replies.

Expand only: four new tables; the running version goes on beside it (it neither reads nor
writes them).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sms_contacts",
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), primary_key=True),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("provider_org", sa.Text, nullable=False),
        sa.Column("mobile_number", sa.Text, nullable=False, index=True),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("changed_by", sa.Text),
        sa.Column("changed_at", TZ, nullable=False),
    )
    op.create_table(
        "sms_consent_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("referral_id", sa.Uuid, sa.ForeignKey("referrals.id"), nullable=False, index=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("changed_by", sa.Text),
        sa.Column("changed_at", TZ, nullable=False),
    )
    op.create_table(
        "sms_messages",
        sa.Column("request_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid, nullable=False, index=True),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("provider_org", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("local_time", sa.Text),
        sa.Column("absence_id", sa.Uuid),
        sa.Column("meeting_id", sa.Uuid),
        sa.Column("zone", sa.Text, nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("not_before", TZ),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_at", TZ),
        sa.Column("skip_reason", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("gateway_message_id", sa.Text, unique=True),
        sa.Column("parts", sa.Integer),
        sa.Column("sent_at", TZ),
        sa.Column("delivery_status", sa.Text),
        sa.Column("delivery_at", TZ),
        sa.Column("last_error", sa.Text),
        sa.Column("answered_by", sa.Uuid),
    )
    # The sender's sweep: due messages by state and time.
    op.create_index("sms_messages_due", "sms_messages", ["state", "not_before"])
    op.create_table(
        "sms_replies",
        sa.Column("reply_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid, index=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("in_reply_to", sa.Uuid),
        sa.Column("received_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("sms_replies", "sms_messages", "sms_consent_changes", "sms_contacts"):
        op.drop_table(table)

"""Text messages to participants: who opted in, the messages asked for, the coded replies.

``uuid-ossp`` gives ``uuid_generate_v5``, with which the sweep derives each question's request id
in SQL (a trusted extension since PostgreSQL 13: the database's owner may create it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Expand only: new tables, nothing existing changes.
    op.execute('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    op.create_table(
        "sms_consents",
        sa.Column("referral_id", sa.Uuid(), primary_key=True),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("provider_org", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sms_consents_participant_id", "sms_consents", ["participant_id"])
    op.create_table(
        "sms_requests",
        sa.Column("request_id", sa.Uuid(), primary_key=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("local_time", sa.Text(), nullable=True),
        sa.Column("absence_id", sa.Uuid(), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sms_requests_referral_id", "sms_requests", ["referral_id"])
    op.create_index(
        "sms_requests_unpublished", "sms_requests", ["request_id"], postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "sms_replies",
        sa.Column("reply_id", sa.Uuid(), primary_key=True),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("absence_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sms_replies_referral_id", "sms_replies", ["referral_id"])


def downgrade() -> None:
    op.drop_table("sms_replies")
    op.drop_table("sms_requests")
    op.drop_table("sms_consents")

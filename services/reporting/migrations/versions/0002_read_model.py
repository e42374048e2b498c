"""The whole read model: decisions, courses, attendance days and weeks, breaches, alerts, catalogue.

referral_facts grows from the thin slice's received-only rows: every referral or course event
may now create the row (events arrive in any order), so only the key and identity stay required.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFERRAL_DATES = (
    "accepted_on",
    "intake_date",
    "waitlisted_on",
    "rejected_on",
    "withdrawn_on",
    "start_date",
    "planned_end_date",
    "end_date",
    "first_job_date",
)


def _orgs() -> list[sa.Column[str]]:
    return [
        sa.Column("programme_code", sa.Text),
        sa.Column("referring_org", sa.Text),
        sa.Column("provider_org", sa.Text),
    ]


def upgrade() -> None:
    for column in ("participant_id", "programme_code", "referring_org", "provider_org", "received_at", "received_on"):
        op.alter_column("referral_facts", column, nullable=True)
    for column in _REFERRAL_DATES:
        op.add_column("referral_facts", sa.Column(column, sa.Date))
    for column in ("planned_end_guard", "contact_person_id", "contact_guard", "outcome"):
        op.add_column("referral_facts", sa.Column(column, sa.Text))
    op.create_index("referral_facts_provider", "referral_facts", ["provider_org", "programme_code"])

    op.create_table(
        "programme_facts",
        sa.Column("provider_org", sa.Text, primary_key=True),
        sa.Column("programme_code", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text),
        sa.Column("capacity", sa.Integer),
        sa.Column("timezone", sa.Text),
        sa.Column("country", sa.Text),
        sa.Column("defined_at", sa.DateTime(timezone=True)),
        sa.Column("defined_guard", sa.Text),
    )
    op.create_table(
        "attendance_week_facts",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        sa.Column("week_start", sa.Date, primary_key=True),
        sa.Column("participant_id", sa.Uuid),
        *_orgs(),
        sa.Column("agreed_minutes", sa.Integer),
        sa.Column("attended_minutes", sa.Integer),
        sa.Column("internship_minutes", sa.Integer),
        sa.Column("absent_minutes", sa.Integer),
        sa.Column("unexcused_absences", sa.Integer),
        sa.Column("absences_by_reason", sa.Text),
        sa.Column("summary_guard", sa.Text),
    )
    op.create_index(
        "attendance_week_facts_provider", "attendance_week_facts", ["provider_org", "programme_code", "week_start"]
    )
    op.create_table(
        "attendance_day_facts",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("provider_org", sa.Text),
        sa.Column("programme_code", sa.Text),
        sa.Column("referring_org", sa.Text),
        sa.Column("checked_in_at", sa.DateTime(timezone=True)),
        sa.Column("minutes_late", sa.Integer),
        sa.Column("in_guard", sa.Text),
        sa.Column("checked_out_at", sa.DateTime(timezone=True)),
        sa.Column("attended_minutes", sa.Integer),
        sa.Column("out_guard", sa.Text),
    )
    op.create_table(
        "breach_facts",
        sa.Column("breach_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid),
        *_orgs(),
        sa.Column("rule", sa.Text),
        sa.Column("unexcused_absences", sa.Integer),
        sa.Column("detected_at", sa.DateTime(timezone=True)),
        sa.Column("detected_on", sa.Date),
    )
    op.create_table(
        "alert_facts",
        sa.Column("alert_id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text, index=True),
        sa.Column("referral_id", sa.Uuid),
        sa.Column("kind", sa.Text),
        sa.Column("raised_at", sa.DateTime(timezone=True)),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.Column("escalation_level", sa.Integer),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    for table in ("alert_facts", "breach_facts", "attendance_day_facts", "attendance_week_facts", "programme_facts"):
        op.drop_table(table)
    op.drop_index("referral_facts_provider", "referral_facts")
    for column in (*_REFERRAL_DATES, "planned_end_guard", "contact_person_id", "contact_guard", "outcome"):
        op.drop_column("referral_facts", column)

"""The programme shapes' facts: meetings, outreach cases, visits; the shape of a programme and a course (expand).

New tables, and a nullable ``shape`` column on programme_facts and referral_facts (no default:
no table rewrite; none reads as timetabled, what every programme was before shapes). The
previous release never reads them and keeps serving; ``forlob-reporting rebuild`` fills them
from the history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AT = sa.DateTime(timezone=True)


def _orgs() -> list[sa.Column[str]]:
    return [sa.Column(name, sa.Text) for name in ("programme_code", "referring_org", "provider_org")]


def upgrade() -> None:
    op.add_column("programme_facts", sa.Column("shape", sa.Text))
    op.add_column("referral_facts", sa.Column("shape", sa.Text))
    op.create_table(
        "meeting_facts",
        sa.Column("meeting_id", sa.Uuid, primary_key=True),
        sa.Column("referral_id", sa.Uuid),
        *_orgs(),
        sa.Column("starts_at", AT),
        sa.Column("plan_guard", sa.Text),
        sa.Column("held_on", sa.Date),
        sa.Column("held_at", AT),
        sa.Column("cancelled_at", AT),
        sa.Column("cancelled_by", sa.Text),
        sa.Column("missed_on", sa.Date),
    )
    op.create_index("meeting_facts_provider", "meeting_facts", ["provider_org", "programme_code"])
    op.create_table(
        "meeting_reminder_facts",
        sa.Column("referral_id", sa.Uuid, primary_key=True),
        sa.Column("due_by", sa.Date, primary_key=True),
        *_orgs(),
        sa.Column("detected_at", AT),
    )
    op.create_table(
        "outreach_case_facts",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text),
        sa.Column("programme_code", sa.Text),
        sa.Column("opened_at", AT),
        sa.Column("consent_recorded_at", AT),
        sa.Column("identified_at", AT),
        sa.Column("handed_over_at", AT),
    )
    op.create_index("outreach_case_facts_provider", "outreach_case_facts", ["provider_org", "programme_code"])
    op.create_table(
        "outreach_attempt_facts",
        sa.Column("attempt_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid),
        sa.Column("provider_org", sa.Text),
        sa.Column("programme_code", sa.Text),
        sa.Column("attempted_at", AT),
        sa.Column("outcome", sa.Text),
    )
    op.create_index("outreach_attempt_facts_provider", "outreach_attempt_facts", ["provider_org", "programme_code"])
    op.create_table(
        "outreach_phase_facts",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("changed_at", AT, primary_key=True),
        sa.Column("phase", sa.Text, primary_key=True),
        sa.Column("provider_org", sa.Text),
        sa.Column("programme_code", sa.Text),
        sa.Column("previous_phase", sa.Text),
        sa.Column("close_reason", sa.Text),
    )
    op.create_index("outreach_phase_facts_provider", "outreach_phase_facts", ["provider_org", "programme_code"])
    op.create_table(
        "outreach_reminder_facts",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("due_by", sa.Date, primary_key=True),
        sa.Column("provider_org", sa.Text),
        sa.Column("programme_code", sa.Text),
        sa.Column("detected_at", AT),
    )
    op.create_index("outreach_reminder_facts_provider", "outreach_reminder_facts", ["provider_org", "programme_code"])
    op.create_table(
        "visit_facts",
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("provider_org", sa.Text),
        sa.Column("kind", sa.Text),
        sa.Column("with_colleague", sa.Boolean),
        sa.Column("started_at", AT),
        sa.Column("planned_end", AT),
        sa.Column("ended_at", AT),
        sa.Column("overdue_at", AT),
    )
    op.create_index("ix_visit_facts_provider_org", "visit_facts", ["provider_org"])


def downgrade() -> None:
    for table in (
        "visit_facts",
        "outreach_reminder_facts",
        "outreach_phase_facts",
        "outreach_attempt_facts",
        "outreach_case_facts",
        "meeting_reminder_facts",
        "meeting_facts",
    ):
        op.drop_table(table)
    op.drop_column("referral_facts", "shape")
    op.drop_column("programme_facts", "shape")

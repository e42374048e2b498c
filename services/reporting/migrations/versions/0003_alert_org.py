"""alert_facts.org: the organisation whose staff an alert was raised to (expand).

Alert figures of an organisation count only its own alerts; provider_org alone cannot say whose
an alert is (a caseworker's closing note names the provider too). Nullable, no default: no table
rewrite, and the previous release, which never reads it, keeps serving. The rows already there
get the organisation their event would have been given (``projection.alert_org``): an absence is
the provider's, an alert about no referral the owner's named as provider_org, every other kind
the referral's referring organisation. ``forlob-reporting rebuild`` gives the same.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("alert_facts", sa.Column("org", sa.Text))
    op.create_index("ix_alert_facts_org", "alert_facts", ["org"])
    op.execute(
        """
        UPDATE alert_facts AS a
           SET org = CASE
                 WHEN a.kind = 'absence' OR a.referral_id IS NULL THEN a.provider_org
                 ELSE coalesce(
                   (SELECT r.referring_org FROM referral_facts AS r WHERE r.referral_id = a.referral_id),
                   a.provider_org)
               END
         WHERE a.org IS NULL
        """
    )


def downgrade() -> None:
    op.drop_index("ix_alert_facts_org", "alert_facts")
    op.drop_column("alert_facts", "org")

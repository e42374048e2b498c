"""Expand: ``alerts.level`` becomes ``alerts.escalation_level`` (what the number counts: how
often the alert was escalated). The first half of a rename done in one release (docs/migrations.md):

- adds ``escalation_level`` (nullable, no default: no table rewrite, and an insert that leaves it
  out is told apart from one that sets it),
- a trigger keeps the two columns equal whichever release writes: release 0.1.0 (before it)
  writes ``level`` only, this release writes ``escalation_level`` only; on insert the missing one
  is copied from the other, on update the one that changed is copied to the other,
- then fills ``escalation_level`` from ``level`` for the rows written before the trigger.

0014 (contract) drops the trigger and ``level`` once no replica of the previous release runs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNC_FUNCTION = """
CREATE FUNCTION alerts_escalation_level_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.escalation_level := coalesce(NEW.escalation_level, NEW.level);
        NEW.level := coalesce(NEW.level, NEW.escalation_level);
    ELSIF NEW.level IS DISTINCT FROM OLD.level THEN
        NEW.escalation_level := NEW.level;
    ELSIF NEW.escalation_level IS DISTINCT FROM OLD.escalation_level THEN
        NEW.level := NEW.escalation_level;
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    op.add_column("alerts", sa.Column("escalation_level", sa.Integer(), nullable=True))
    op.execute(SYNC_FUNCTION)
    op.execute(
        "CREATE TRIGGER alerts_escalation_level_sync BEFORE INSERT OR UPDATE ON alerts"
        " FOR EACH ROW EXECUTE FUNCTION alerts_escalation_level_sync()"
    )
    # After the trigger: a row the old release inserts meanwhile is filled by it, and this
    # catches every row written before (in batches on a large table; alerts are retained briefly).
    op.execute("UPDATE alerts SET escalation_level = level WHERE escalation_level IS NULL")


def downgrade() -> None:
    op.execute("UPDATE alerts SET level = escalation_level WHERE level IS NULL")
    op.execute("DROP TRIGGER alerts_escalation_level_sync ON alerts")
    op.execute("DROP FUNCTION alerts_escalation_level_sync()")
    op.drop_column("alerts", "escalation_level")

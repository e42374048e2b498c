"""Contract: the rename of ``alerts.level`` to ``alerts.escalation_level`` finished (0013 was the
expand half). Drops the trigger that kept the two equal and the old column, and makes
``escalation_level`` NOT NULL.

A contract migration (``contract = True``): ``forlob-notifications migrate`` stops before it;
``forlob-notifications migrate --contract`` applies it, once no replica of a release before 0013
runs (docs/operations.md, "Releases"): those still select ``level``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
contract = True


def upgrade() -> None:
    op.execute("DROP TRIGGER alerts_escalation_level_sync ON alerts")
    op.execute("DROP FUNCTION alerts_escalation_level_sync()")
    op.execute("UPDATE alerts SET escalation_level = level WHERE escalation_level IS NULL")  # none expected
    op.drop_column("alerts", "level")
    op.alter_column("alerts", "escalation_level", nullable=False)


def downgrade() -> None:
    # Back to the expand state, for a rollback to the previous release (docs/operations.md).
    op.add_column("alerts", sa.Column("level", sa.Integer(), nullable=True))
    op.execute("UPDATE alerts SET level = escalation_level")
    op.alter_column("alerts", "escalation_level", nullable=True)
    op.execute(
        """
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
    )
    op.execute(
        "CREATE TRIGGER alerts_escalation_level_sync BEFORE INSERT OR UPDATE ON alerts"
        " FOR EACH ROW EXECUTE FUNCTION alerts_escalation_level_sync()"
    )

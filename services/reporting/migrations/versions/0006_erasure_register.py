"""The erasure register (erased_subjects): participants whose data was erased, and their referrals.

Expand only: a new table. Erasures granted before it are not in it; see docs/data-protection.md
(announce them once more, or for reporting, rebuild while the history still holds them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from forlob_shared.erasure import create_erasure_register, drop_erasure_register

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_erasure_register()


def downgrade() -> None:
    drop_erasure_register()

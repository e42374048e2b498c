"""Create the messaging tables from a service's first Alembic migration."""

from __future__ import annotations

from alembic import op

from forlob_shared.messaging.tables import messaging_metadata


def create_messaging_tables() -> None:
    bind = op.get_bind()
    messaging_metadata.create_all(bind)


def drop_messaging_tables() -> None:
    bind = op.get_bind()
    messaging_metadata.drop_all(bind)

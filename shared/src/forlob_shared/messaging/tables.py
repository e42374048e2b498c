"""The outbox, archive, per-aggregate sequence and inbox tables every service database holds.

They live in their own ``MetaData`` so each service's Alembic environment includes them beside
its own tables, and one migration helper creates them everywhere the same way.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

messaging_metadata = sa.MetaData()

NOTIFY_CHANNEL = "forlob_outbox"

outbox = sa.Table(
    "outbox",
    messaging_metadata,
    # Global publishing order; per aggregate it follows commit order because writers of one
    # aggregate serialise on its row in aggregate_sequence before they insert here.
    sa.Column("position", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("aggregate_type", sa.Text, nullable=False),
    sa.Column("aggregate_id", sa.Text, nullable=False),
    sa.Column("aggregate_sequence", sa.BigInteger, nullable=False),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("headers", JSONB, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Index("outbox_unsent", "position", postgresql_where=sa.text("sent_at IS NULL")),
    sa.Index("outbox_sent_at", "sent_at", postgresql_where=sa.text("sent_at IS NOT NULL")),
)

outbox_archive = sa.Table(
    "outbox_archive",
    messaging_metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False),
    sa.Column("aggregate_type", sa.Text, nullable=False),
    sa.Column("aggregate_id", sa.Text, nullable=False),
    sa.Column("aggregate_sequence", sa.BigInteger, nullable=False),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("headers", JSONB, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

aggregate_sequence = sa.Table(
    "aggregate_sequence",
    messaging_metadata,
    sa.Column("aggregate_type", sa.Text, primary_key=True),
    sa.Column("aggregate_id", sa.Text, primary_key=True),
    sa.Column("last", sa.BigInteger, nullable=False),
)

inbox = sa.Table(
    "inbox",
    messaging_metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("inbox_processed_at", "processed_at"),
)

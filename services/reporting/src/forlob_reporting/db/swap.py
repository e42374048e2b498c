"""The rebuild's last step: the read model replaced by the one built in memory, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from forlob_reporting.db.store import MemoryFactStore
from forlob_reporting.domain.facts import TABLES
from forlob_shared.erasure import erased_subjects, register_rows
from forlob_shared.events import ParticipantErased


async def replace_read_model(
    connection: AsyncConnection,
    store: MemoryFactStore,
    applied: dict[UUID, str],
    consumer: str,
    erasures: Sequence[ParticipantErased] = (),
) -> None:
    """Empty the fact tables and the consumer's inbox rows, COPY in the new rows and an inbox row
    per applied event, add the history's erasures to the register (kept: never emptied here),
    commit: readers see the old figures until then, the new ones after."""
    raw: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg, for COPY
    async with raw.transaction():
        await raw.execute("TRUNCATE " + ", ".join(t.name for t in TABLES))
        await raw.execute("DELETE FROM inbox WHERE consumer = $1", consumer)
        for table in TABLES:
            records = store.records(table)
            if records:
                await raw.copy_records_to_table(table.name, records=records, columns=list(table.columns))
        await raw.copy_records_to_table(
            "inbox",
            records=[(consumer, event_id, event_type) for event_id, event_type in applied.items()],
            columns=["consumer", "event_id", "event_type"],
        )
        rows = [row for erased in erasures for row in register_rows(erased)]
        if rows:
            await raw.executemany(
                f"INSERT INTO {erased_subjects.name} (id, participant_id, provider_org, erased_at)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                [(r["id"], r["participant_id"], r["provider_org"], r["erased_at"]) for r in rows],
            )

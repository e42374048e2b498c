"""Where projected changes land: the database row by row (live), or memory then bulk (rebuild).

Both apply the same :func:`~forlob_reporting.domain.projection.merge`, so a rebuilt read model
is the live one by construction, not by a second implementation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_reporting.db.models import TABLES
from forlob_reporting.domain.projection import TABLES as FACT_TABLES
from forlob_reporting.domain.projection import Change, FactTable, Row, merge


class FactStore(Protocol):
    async def apply(self, changes: Iterable[Change]) -> None: ...


class SqlFactStore:
    """Reads the row under a lock, merges, writes it back: in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, changes: Iterable[Change]) -> None:
        for change in changes:
            table = TABLES[change.table.name]
            key = dict(zip(change.table.key, change.key, strict=True))
            # Make sure the row exists, then lock it: two events about one new row, handled at
            # the same time, must not both merge into "nothing yet" and overwrite each other.
            await self.session.execute(pg_insert(table).values(key).on_conflict_do_nothing())
            condition = sa.and_(*(table.c[k] == v for k, v in key.items()))
            found = (await self.session.execute(sa.select(table).where(condition).with_for_update())).mappings().one()
            row = merge(dict(found), change)
            updates = {c: row[c] for c in change.table.columns if c not in change.table.key}
            await self.session.execute(sa.update(table).where(condition).values(updates))


class MemoryFactStore:
    """The whole read model in dictionaries, for a rebuild that writes it in one go at the end."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple[Any, ...], Row]] = {t.name: {} for t in FACT_TABLES}

    async def apply(self, changes: Iterable[Change]) -> None:
        self.apply_now(changes)

    def apply_now(self, changes: Iterable[Change]) -> None:
        for change in changes:
            rows = self.rows[change.table.name]
            rows[change.key] = merge(rows.get(change.key), change)

    def records(self, table: FactTable) -> list[tuple[Any, ...]]:
        return [tuple(row[c] for c in table.columns) for row in self.rows[table.name].values()]

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

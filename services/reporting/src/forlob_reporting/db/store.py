"""Where projected changes land: the database row by row (live), or memory then bulk (rebuild).

Both apply the same :func:`~forlob_reporting.domain.merge.merge`, so a rebuilt read model
is the live one by construction, not by a second implementation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from forlob_reporting.db.models import TABLES
from forlob_reporting.domain.facts import TABLES as FACT_TABLES
from forlob_reporting.domain.facts import FactTable, Row
from forlob_reporting.domain.merge import Change, merge


class SqlFactStore:
    """Reads the rows under a lock, merges, writes them back: in the caller's transaction.

    A call takes any number of changes (a consumer's whole batch) with a few statements per table
    touched, however many rows: make sure the rows exist, lock and read them, merge every change
    in order in memory, write each row back once.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, changes: Iterable[Change]) -> None:
        changes = list(changes)
        keys: dict[str, dict[tuple[Any, ...], None]] = {}
        for change in changes:
            keys.setdefault(change.table.name, {})[change.key] = None
        facts = {change.table.name: change.table for change in changes}
        rows: dict[tuple[str, tuple[Any, ...]], Row] = {}
        # Tables and keys in one fixed order: two transactions locking overlapping rows take
        # them in the same order and cannot deadlock.
        for name in sorted(keys):
            ordered = sorted(keys[name], key=_sort_key)
            for key, row in zip(ordered, await self._locked_rows(facts[name], ordered), strict=True):
                rows[(name, key)] = row
        touched: dict[tuple[str, tuple[Any, ...]], None] = {}
        for change in changes:
            at = (change.table.name, change.key)
            rows[at] = merge(rows[at], change)
            touched[at] = None
        for name in sorted(keys):
            fact = facts[name]
            await self._write(fact, [rows[at] for at in touched if at[0] == name])

    async def _locked_rows(self, fact: FactTable, keys: list[tuple[Any, ...]]) -> list[Row]:
        """The rows of ``keys`` (made if missing), locked, in the order of ``keys``."""
        ensure, lock, _ = _statements(fact)
        # Make sure the rows exist, then lock them: two events about one new row, handled at the
        # same time, must not both merge into "nothing yet" and overwrite each other.
        await self.session.execute(ensure, [dict(zip(fact.key, key, strict=True)) for key in keys])
        found = (await self.session.execute(lock, {"keys": keys})).mappings()
        by_key = {tuple(row[k] for k in fact.key): dict(row) for row in found}
        return [by_key[key] for key in keys]

    async def _write(self, fact: FactTable, rows: list[Row]) -> None:
        _, _, write = _statements(fact)
        values = [c for c in fact.columns if c not in fact.key]
        params = [{**{f"k_{k}": row[k] for k in fact.key}, **{f"v_{c}": row[c] for c in values}} for row in rows]
        await self.session.execute(write, params)


@functools.cache
def _statements(fact: FactTable) -> tuple[sa.Insert, sa.Select[Any], sa.Update]:
    """A fact table's three statements, built once: building them (cache keys included) cost
    more than running them, per batch of the live consumer."""
    table = TABLES[fact.name]
    columns = [table.c[k] for k in fact.key]
    ensure = pg_insert(table).on_conflict_do_nothing()
    keys: sa.BindParameter[Any] = sa.bindparam("keys", expanding=True)
    lock = sa.select(table).where(sa.tuple_(*columns).in_(keys)).order_by(*columns).with_for_update()
    # Parameters prefixed: a bind parameter may not share a column's name in an UPDATE.
    write = (
        sa.update(table)
        .where(*(table.c[k] == sa.bindparam(f"k_{k}") for k in fact.key))
        .values({c: sa.bindparam(f"v_{c}") for c in fact.columns if c not in fact.key})
    )
    return ensure, lock, write


def _sort_key(key: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(part) for part in key)


class MemoryFactStore:
    """The whole read model in dictionaries, for a rebuild that writes it in one go at the end
    (and for the fast tests' fake unit of work, over ``rows`` it keeps in its store)."""

    def __init__(self, rows: dict[str, dict[tuple[Any, ...], Row]] | None = None) -> None:
        self.rows: dict[str, dict[tuple[Any, ...], Row]] = rows if rows is not None else {}
        for table in FACT_TABLES:
            self.rows.setdefault(table.name, {})

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

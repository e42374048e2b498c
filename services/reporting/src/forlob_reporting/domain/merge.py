"""How a change lands on a row: guards, earliest/greatest columns, and days dated in the
course's own zone. Pure functions; the live store and the rebuild's memory both call
:func:`merge`, so a rebuilt read model is the live one by construction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forlob_reporting.domain.facts import IDENTITY_COLUMNS, FactTable, Guard, Row

# The zone of a course whose zone no event has told yet (and of every event from before events
# named it): Danish and Swedish providers share this civil time (CET/CEST).
LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


@cache
def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name``; Europe/Copenhagen for none or one this machine does not know."""
    if not name:
        return LOCAL_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return LOCAL_ZONE


def local_date(instant: datetime, zone: ZoneInfo = LOCAL_ZONE) -> date:
    return instant.astimezone(zone).date()


@dataclass(frozen=True)
class Change:
    """Set ``values`` on the row ``key`` of ``table``; with a guard, only if it is newer.

    ``guard_column`` holds the guard of the change that last wrote these values (JSON text of
    e.g. ``[sequence]`` or ``[summarised_at, sequence]``). Columns in ``earliest`` keep the
    smallest value ever written (the first acknowledgement of an alert), ``greatest`` the largest.
    """

    table: FactTable
    key: tuple[Any, ...]
    values: Mapping[str, Any]
    guard_column: str | None = None
    guard: Guard = ()
    earliest: tuple[str, ...] = ()
    greatest: tuple[str, ...] = ()


def merge(row: Row | None, change: Change) -> Row:
    """The row after ``change``; ``row`` is not modified."""
    merged: Row = dict(row) if row is not None else dict.fromkeys(change.table.columns)
    merged.update(zip(change.table.key, change.key, strict=True))
    values = dict(change.values)
    for column in change.earliest:
        new, old = values.get(column), merged.get(column)
        if new is not None and old is not None and old <= new:
            del values[column]
    for column in change.greatest:
        new, old = values.get(column), merged.get(column)
        if new is not None and old is not None and old >= new:
            del values[column]
    if change.guard_column is not None:
        current = merged.get(change.guard_column)
        if current is not None and tuple(json.loads(current)) >= change.guard:
            # An older change than the one that wrote these columns: it may still fill in the
            # identity of a row that a newer event created, nothing else.
            values = {c: v for c, v in values.items() if c in IDENTITY_COLUMNS}
        else:
            merged[change.guard_column] = json.dumps(list(change.guard))
    merged.update(values)
    if row is None or _redates(change.table, values):
        date_in_zone(merged, change.table)
    return merged


def _redates(table: FactTable, values: Mapping[str, Any]) -> bool:
    # A row's days follow from its instants and zone alone: a change that writes neither leaves
    # them as the change that last wrote one dated them.
    if not table.dated:
        return False
    return table.zone_column in values or any(instant in values for _, instant in table.dated)


def date_in_zone(row: Row, table: FactTable, fallback: ZoneInfo = LOCAL_ZONE) -> None:
    """(Re)derive the row's local days from their instants in the row's zone (``fallback`` while
    it names none): an instant dated before the course's zone was known is dated again when the
    zone arrives, so the days are the same in any order of events."""
    if not table.dated:
        return
    named = row.get(table.zone_column) if table.zone_column else None
    zone = zone_named(named) if named else fallback
    for day_column, instant_column in table.dated:
        instant = row.get(instant_column)
        if instant is not None:
            row[day_column] = local_date(instant, zone)


def _guard_part(value: Any) -> Any:
    # Fixed-width UTC text, so stored guards compare as the instants do.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def guard_of(*parts: Any) -> Guard:
    """A guard comparable with a stored one: ordered parts, timestamps as fixed-width UTC text."""
    return tuple(_guard_part(p) for p in parts)

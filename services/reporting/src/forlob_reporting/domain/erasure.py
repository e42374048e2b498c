"""The read model never names an erased participant: the changes an event makes, and the rows a
rebuild built, lose the participant id of anyone in the erasure register
(:mod:`forlob_shared.erasure`). Every other column stays, so each count and sum is what it would
have been: no figure reads the participant id. Pure functions, for the live consumer and the rebuild.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, MutableMapping
from dataclasses import replace
from typing import Any
from uuid import UUID

from forlob_reporting.domain.facts import TABLES, FactTable, Row
from forlob_reporting.domain.merge import Change

PARTICIPANT = "participant_id"
REFERRAL = "referral_id"
NAMING = tuple(t for t in TABLES if PARTICIPANT in t.columns)  # the tables that hold the id


def _referral_of(table: FactTable, key: tuple[Any, ...], values: Mapping[str, Any]) -> Any:
    if REFERRAL in table.key:
        return key[table.key.index(REFERRAL)]
    return values.get(REFERRAL)


def subjects(changes: Iterable[Change]) -> set[UUID]:
    """The participant and referral ids of the changes that would write a participant id: what
    to look up in the register."""
    found: set[UUID] = set()
    for change in changes:
        participant = change.values.get(PARTICIPANT)
        if participant is not None:
            found.add(participant)
            referral = _referral_of(change.table, change.key, change.values)
            if referral is not None:
                found.add(referral)
    return found


def without_erased(changes: Iterable[Change], erased: Collection[UUID]) -> list[Change]:
    """``changes`` with an erased participant's id left out (written as none)."""
    if not erased:
        return list(changes)
    kept = []
    for change in changes:
        participant = change.values.get(PARTICIPANT)
        if participant is not None and (
            participant in erased or _referral_of(change.table, change.key, change.values) in erased
        ):
            change = replace(change, values={**change.values, PARTICIPANT: None})
        kept.append(change)
    return kept


def forget_erased(
    rows: Mapping[str, MutableMapping[tuple[Any, ...], Row]], erased: Collection[UUID], provider_org: str | None = None
) -> int:
    """Replace every row (tables by name) that names an erased participant or referral with one
    that does not (of ``provider_org``'s only, if given); returns how many."""
    forgotten = 0
    if not erased:
        return forgotten
    for table in NAMING:
        found = rows.get(table.name, {})
        for key, row in list(found.items()):
            if row.get(PARTICIPANT) is None or (provider_org is not None and row.get("provider_org") != provider_org):
                continue
            if row[PARTICIPANT] in erased or row.get(REFERRAL) in erased:
                # A new row, not a changed one: as merge does (the fast tier's snapshots share rows).
                found[key] = {**row, PARTICIPANT: None}
                forgotten += 1
    return forgotten

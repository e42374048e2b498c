"""What each service declares about the personal data it holds (GDPR Art. 15 and 30), and the
shape of its part of an access export.

A service lists its :class:`DataCategory` values once; its DPO export fills each category with
the participant's records, and the record of processing activities is made from the same lists,
so the export and the record cannot name categories differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class DataCategory:
    name: str
    description: str
    retention: str
    legal_basis: str
    on_erasure: str  # what an accepted erasure request does to it


def export_part(
    service: str,
    participant_id: UUID,
    categories: Sequence[DataCategory],
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    exported_at: datetime,
) -> dict[str, Any]:
    """One service's part of an access export: every declared category, with its records (an
    empty list says "nothing held", which the data subject is entitled to know as well)."""
    unknown = set(records) - {c.name for c in categories}
    if unknown:
        raise ValueError(f"records for undeclared categories {sorted(unknown)}")
    return {
        "service": service,
        "participant_id": str(participant_id),
        "exported_at": exported_at.isoformat(),
        "categories": [
            {
                "category": c.name,
                "description": c.description,
                "retention": c.retention,
                "legal_basis": c.legal_basis,
                "on_erasure": c.on_erasure,
                "records": [dict(r) for r in records.get(c.name, ())],
            }
            for c in categories
        ],
    }


def record(values: Mapping[str, Any], *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One stored row as an export record: JSON values, and without the columns left out (the
    provider's staff ids, which are not the data subject's data)."""
    return {name: _plain(value) for name, value in values.items() if name not in leave_out}


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value

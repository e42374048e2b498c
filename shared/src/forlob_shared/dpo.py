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

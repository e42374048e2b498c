"""Between domain dataclasses and rows: the columns a dataclass writes."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def columns_of(obj: Any) -> dict[str, Any]:
    """A dataclass's fields by name, shallow (``asdict`` deep-copies every value)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}

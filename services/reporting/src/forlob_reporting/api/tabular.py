"""CSV that opens cleanly in a spreadsheet: UTF-8 with a byte-order mark, one header row,
nested figures flattened into dotted column names, empty cells for unknown values.

In the reader's conventions (``lang``): a Danish or Swedish spreadsheet splits cells on ';' and
reads '7,5' as a number (with ',' as the separator it would split that number in two); English
uses ',' and '7.5'. No cell runs as a formula: text that a spreadsheet would take for one (it
starts with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe, as
OWASP advises for CSV injection; numbers are written as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from fastapi.responses import Response


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in row.items():
        column = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, column + "."))
        else:
            flat[column] = value
    return flat


CsvLang = Literal["da", "sv", "en"]
# Where the decimal mark is a comma, the list separator is a semicolon.
DECIMAL_COMMA: frozenset[str] = frozenset({"da", "sv"})
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any, lang: CsvLang = "en") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        number = repr(value)  # the shortest text that reads back as the same number
        return number.replace(".", ",") if lang in DECIMAL_COMMA else number
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return inert(str(value))


def inert(text: str) -> str:
    """Text a spreadsheet shows as text, never runs."""
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Iterable[Mapping[str, Any]], lang: CsvLang = "en") -> str:
    flat = [flatten(r) for r in rows]
    columns: list[str] = []
    for row in flat:
        columns.extend(c for c in row if c not in columns)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang in DECIMAL_COMMA else ",", lineterminator="\r\n")
    writer.writerow([inert(c) for c in columns])
    for row in flat:
        writer.writerow([cell(row.get(c), lang) for c in columns])
    return "\ufeff" + out.getvalue()


def csv_response(rows: Iterable[Mapping[str, Any]], filename: str, lang: CsvLang = "en") -> Response:
    return Response(
        to_csv(rows, lang).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )

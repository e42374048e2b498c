"""The CSV downloads in the reader's conventions, and never a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from forlob_reporting.api.tabular import to_csv

ROWS = [
    {"programme_code": "RCA-UDV-13", "attendance": {"rate": 0.875, "weeks": 4}, "first_day": date(2026, 11, 2)},
    {"programme_code": '=HYPERLINK("http://evil")', "attendance": {"rate": -0.5, "weeks": -1}, "first_day": None},
]


def _read(text: str, delimiter: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # the byte-order mark: a spreadsheet reads UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_danish_and_swedish_readers_get_semicolons_and_decimal_commas(lang: str) -> None:
    header, first, _ = _read(to_csv(ROWS, lang), ";")  # type: ignore[arg-type]
    assert header == ["programme_code", "attendance.rate", "attendance.weeks", "first_day"]
    assert first == ["RCA-UDV-13", "0,875", "4", "2026-11-02"]


def test_english_readers_get_commas_and_decimal_points() -> None:
    _, first, _ = _read(to_csv(ROWS, "en"), ",")
    assert first == ["RCA-UDV-13", "0.875", "4", "2026-11-02"]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_cell_runs_as_a_formula_but_numbers_stay_numbers(lang: str) -> None:
    delimiter = ";" if lang == "da" else ","
    *_, second = _read(to_csv(ROWS, lang), delimiter)  # type: ignore[arg-type]
    assert second[0] == '\'=HYPERLINK("http://evil")'
    assert second[1:] == (["-0,5", "-1", ""] if lang == "da" else ["-0.5", "-1", ""])
    for text in ("+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"):
        *_, row = _read(to_csv([{"code": text}], lang), delimiter)  # type: ignore[arg-type]
        assert row == ["'" + text]
